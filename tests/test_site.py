"""``tymdocs site``: the pages and files of a history of three recorded versions, read back
from disk (the site is made once per session, see conftest.py); in a browser, see
test_site_browser.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.conftest import HOSTILE_SECTION, NOTICE, SITE_DAY, SWEDISH_ENDED
from tests.helpers import (
    agreement_of,
    copy_agreement,
    docx_body_text,
    edit,
    fixed_git,
    git,
    init_repo,
    normalise,
    pdf_pages,
    run,
)
from tests.test_swedish import finnish_labels_in, texts_of
from tymdocs.site.personal import Redaction


class _Page(HTMLParser):
    """The ids, links and text of one page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.lang: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = found.get("lang")
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(path: Path) -> _Page:
    return _Page(path.read_text(encoding="utf-8"))


def test_every_section_and_annex_has_its_anchor_and_a_contents_link(
    site: Path, site_history: Path
) -> None:
    index = page(site / "index.html")
    agreement = agreement_of(site_history)
    wanted = [str(s.number) for s in agreement.sections]
    wanted += [f"liite-{a.number}" for a in agreement.annexes]
    assert len(wanted) == 12 + 6
    assert set(wanted) <= set(index.ids)
    assert {f"#{anchor}" for anchor in wanted} <= set(index.links)
    assert index.lang == "fi"
    assert "script" not in index.tags
    text = " ".join("".join(index.text).split())
    assert re.search(r"Liite 2 muutettu: Ilmoitus 1\.10\.2025 \(Pirkanmaan hyvinvointialue\)", text)
    assert re.search(r"Liite 5 muutettu: Johtoryhmä 15\.9\.2025 § 4", text)


def _version_links(site: Path) -> dict[int, list[str]]:
    links = page(site / "versions.html").links
    found: dict[int, list[str]] = {}
    for link in links:
        match = re.match(r"versions/(\d+)/", link)
        if match:
            found.setdefault(int(match.group(1)), []).append(link)
    return found


def test_every_version_has_the_files_a_build_of_its_commit_writes(
    site: Path, site_history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links = _version_links(site)
    assert sorted(links) == [1, 2, 3]
    commits = git(site_history, "log", "--format=%H", "--reverse").split()[1:]  # v1, v2, v3
    for number, commit in enumerate(commits, 1):
        names = {Path(link).name for link in links[number]}
        assert {"lansi-pirkanmaa-tym.pdf", "lansi-pirkanmaa-tym.docx"} <= names
        if number > 1:
            assert "muutokset.html" in names
        out = tmp_path / f"v{number}"
        done = run(
            capsys, "-C", str(site_history), "build", "-q", "--no-packages", "--ref", commit,
            "-o", str(out),
        )  # fmt: skip
        assert done.code == 0, done.err
        built = sorted(p.name for p in out.iterdir())
        there = site / "versions" / str(number)
        assert sorted(p.name for p in there.iterdir() if p.name != "muutokset.html") == built
        for name in built:
            assert (there / name).read_bytes() == (out / name).read_bytes(), (number, name)


def test_the_redline_shows_the_notice_and_the_register_lists_every_record(site: Path) -> None:
    redline = (site / "versions/3/muutokset.html").read_text(encoding="utf-8")
    assert re.search(r"<del>[^<]*Sari[^<]*</del>|<del>[^<]*Mäkinen", redline)
    assert "Uusitalo" in redline
    register = " ".join("".join(page(site / "register.html").text).split())
    for text in ("Sopimus allekirjoitettu", "Kelan resurssi", NOTICE):
        assert text in register
    deadlines = " ".join("".join(page(site / "deadlines.html").text).split())
    assert "Liitteen 5 (HENKILÖSTÖRESURSSI" in deadlines and "vuosittainen tarkistus" in deadlines
    # each counted from the record as the register cites it, in the agreement's language
    for grounds in ("versio 1, 1.5.2025", "Johtoryhmä 15.9.2025 § 4", "asetettu 20.1.2025"):
        assert grounds in deadlines
    assert f"Tilanne {SITE_DAY}." in deadlines


def test_hostile_source_text_prints_as_typed(site: Path) -> None:
    for path in site.rglob("*.html"):
        data = path.read_text(encoding="utf-8")
        assert "<script" not in data and 'onmouseover="' not in data, path
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;amp; &lt;b onmouseover" in index
    assert HOSTILE_SECTION.strip() in "".join(page(site / "index.html").text)


def _persons(root: Path) -> set[str]:
    """Every name in the person fields of Liite 1 and 2, read from the YAML itself."""
    names: set[str] = set()
    for path in root.glob("annexes/liite-[12]-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        members = [*data.get("members", []), *(a["member"] for a in data.get("additional", []))]
        names |= {m[key] for m in members for key in ("name", "deputy") if m.get(key)}
        names |= {c["name"] for c in data.get("contact_persons", {}).get("persons", [])}
    return names


def test_public_leaves_out_every_marked_name_and_keeps_the_signatories(
    public_site: Path, site_history: Path
) -> None:
    names = _persons(site_history) | {"Sari Mäkinen"}  # v3 replaced her: still withheld
    assert "Outi Uusitalo" in names and "Kristiina Mäkelä" in names
    files = [p for p in public_site.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".pdf", ".docx")], "their annexes name persons"
    for path in files:
        data = path.read_bytes()
        text = "\n".join(pdf_pages(data)) if path.suffix == ".pdf" else data.decode()
        for name in names:
            assert name not in text, (path.name, name)
    for path in files:  # nor inflected (the register cites the notice of v3)
        text = path.read_text(encoding="utf-8") if path.suffix == ".html" else ""
        assert "Mäkisen" not in text and "Mäkelän" not in text, path.name
    register = normalise("".join(page(public_site / "register.html").text))
    said = re.search(
        r"\[henkilö (\d+)\] tilalle \[henkilö (\d+)\]; \[henkilö (\d+)\] toimikausi", register
    )
    assert said is not None, register
    assert len({said[1], said[2], said[3]}) == 3  # three persons, three numbers
    index = " ".join("".join(page(public_site / "index.html").text).split())
    for signatory in ("Mika Kontio", "Tommi Hallikainen", "Heikki Heilä"):
        assert signatory in index
    assert "[henkilö " in index and "puheenjohtaja" in index
    # the notice of v3 put one member in another's place: the public redline shows that row
    # changed, one number for another, and no other member's row
    redline = (public_site / "versions/3/muutokset.html").read_text(encoding="utf-8")
    (changed,) = set(re.findall(r"jäsen \[henkilö (\d+)\] → \[henkilö (\d+)\]", redline))
    assert changed[0] != changed[1]
    assert "Ei muutoksia" not in redline and "tehtävä:" not in redline
    assert "ei julkaista" in "".join(page(public_site / "versions.html").text)


def test_the_same_history_makes_the_same_bytes(
    site: Path, site_history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = tmp_path / "again"
    done = run(capsys, "-C", str(site_history), "site", "-o", str(again), "--date", SITE_DAY)
    assert done.code == 0, done.err
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second
    # and it replaces a site of its own in place
    assert run(capsys, "-C", str(site_history), "site", "-o", str(again)).code == 0


def test_a_first_site_goes_beside_a_checkouts_files_and_refuses_only_a_clash(
    site: Path, site_history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A gh-pages checkout with a CNAME and a README, no site yet: the site goes beside
    them; a page, the manifest or ``versions`` of someone else's is refused, with nothing
    written."""
    pub = tmp_path / "gh-pages"
    pub.mkdir()
    git(pub, "init", "-q")
    theirs = {"CNAME": "tym.example.fi\n", "README.md": "# Sivut\n", "kuvat/logo.svg": "<svg/>"}
    for name, text in theirs.items():
        (pub / name).parent.mkdir(exist_ok=True)
        (pub / name).write_text(text, encoding="utf-8")
    done = run(capsys, "-C", str(site_history), "site", "-o", str(pub), "--date", SITE_DAY)
    assert done.code == 0, done.err
    for name, text in theirs.items():
        assert (pub / name).read_text(encoding="utf-8") == text
    listed = {e["path"] for e in json.loads((pub / "manifest.json").read_bytes())["files"]}
    assert (
        not listed & set(theirs)
        and (pub / "index.html").read_bytes() == (site / "index.html").read_bytes()
    )
    for clash in ("index.html", "deadlines.html", "manifest.json", "versions"):
        mine = tmp_path / f"mine-{clash}"
        mine.mkdir()
        (mine / "CNAME").write_text("x\n", encoding="utf-8")
        (mine / clash).write_text("oma", encoding="utf-8")
        refused = run(capsys, "-C", str(site_history), "site", "-o", str(mine))
        assert refused.code == 2, (clash, refused.out)
        assert f"holds {clash} and no site of tymdocs" in refused.err
        assert sorted(p.name for p in mine.iterdir()) == sorted(["CNAME", clash])


def test_a_withheld_name_is_found_inflected_and_a_public_one_kept() -> None:
    redaction = Redaction(
        ["Kristiina Mäkelä", "Sari Mäkinen", "Johan Lund", "Anna Mäki"], "[X]", ["Anna Mäkinen"]
    )
    said = {
        "Kristiina Mäkelän toimikausi": "[X] toimikausi",
        "Sari Mäkisen tilalle, Sari Mäkiselle": "[X] tilalle, [X]",
        "Johan Lunds uppdrag; Johan Lund:n": "[X] uppdrag; [X]",
        "Kristiina\nMäkelä.": "[X].",  # wrapped over two lines
        "Anna Mäen, Anna Mäkinen allekirjoittaa": "Anna Mäen, Anna Mäkinen allekirjoittaa",
        "Anna Mäkelä, Johanna Lund": "Anna Mäkelä, Johanna Lund",
    }
    assert {text: redaction.text(text) for text in said} == said
    numbered = Redaction(
        ["Sari Mäkinen", "Annukka (Martikainen) Eloranta", "Mika (Virtanen) Kontio"],
        "[henkilö {number}]",
        ["Mika Kontio"],  # a signatory, also a member under a former name
    )
    said = {
        "Sari Mäkisen tilalle Annukka Eloranta; Annukka (Martikainen) Eloranta": (
            "[henkilö 1] tilalle [henkilö 2]; [henkilö 2]"  # one person, one number
        ),
        "Mika Kontion allekirjoitus; Mika (Virtanen) Kontio": (
            "Mika Kontion allekirjoitus; [henkilö 3]"  # the signatory's name stays
        ),
    }
    assert {text: numbered.text(text) for text in said} == said
    # numbered in the order given (the register's), so a person added later takes the next
    # number and nobody else's changes; the number says nothing of the name
    later = Redaction(["Sari Mäkinen", "Annukka Eloranta", "Aapo Aalto"], "[henkilö {number}]")
    assert later.text("Aapo Aalto, Sari Mäkinen") == "[henkilö 3], [henkilö 1]"


def test_a_swedish_site_is_in_swedish_and_once_ended_shows_its_last_text(
    swedish_sites: tuple[Path, Path],
) -> None:
    """Both sites of the Swedish history (in force, and public after its term): every page,
    file name and file read back, and no Finnish label in any."""
    texts = {
        f"{site.name}/{name}": text
        for site in swedish_sites
        for name, text in texts_of(site).items()
    }
    assert finnish_labels_in(texts) == {}
    in_force, ended = swedish_sites
    assert {page(path).lang for site in swedish_sites for path in site.rglob("*.html")} == {"sv"}
    index = normalise("".join(page(in_force / "index.html").text))
    assert "Avtalet så som det gäller 1.5.2026." in index and "Innehåll" in index
    versions = normalise("".join(page(in_force / "versions.html").text))
    assert "Versioner" in versions and "väntar på underskrifter" in versions
    assert (in_force / "versions/3/andringar.html").is_file()
    assert "Ändringar 2 → 3" in versions
    last = normalise("".join(page(ended / "index.html").text))
    assert "Avtalet upphörde 31.12.2027." in last
    assert "Avtalet så som det gällde på sin sista dag 31.12.2027." in last
    assert "Bilaga 2 ändrad: Styrgruppen 15.1.2026 § 4" in last  # the text of its last day
    assert "[person " in last and "Johan Lund" not in last
    deadlines = normalise("".join(page(ended / "deadlines.html").text))
    assert "Avtalet upphörde 31.12.2027." in deadlines
    assert f"Läget {SWEDISH_ENDED}." in deadlines


def test_a_site_is_written_in_place_leaving_everything_else_in_its_folder(
    site: Path,
    public_site: Path,
    site_history: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    in_dir: Callable[[Path], Path],
) -> None:
    """A gh-pages checkout: its .git and CNAME, and a file of the user's among the site's,
    stay; the files the new site has no more go (--public has no PDF); the folder stays
    the same folder, with the shell inside it."""
    pub = tmp_path / "pub"
    shutil.copytree(site, pub)
    git(pub, "init", "-q")
    (pub / "CNAME").write_text("tym.example.fi\n", encoding="utf-8")
    (pub / "versions" / "oma.txt").write_text("oma", encoding="utf-8")
    folder = pub.stat()
    in_dir(pub)
    done = run(capsys, "-C", str(site_history), "site", "-o", ".", "--public", "--date", SITE_DAY)
    assert done.code == 0, done.err
    assert done.out.strip().endswith("into .") and Path(os.getcwd()) == pub
    assert (pub.stat().st_ino, pub.stat().st_mode) == (folder.st_ino, folder.st_mode)
    manifest = json.loads((pub / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for entry in manifest["files"]}
    found = {
        str(p.relative_to(pub))
        for p in pub.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(pub).parts
    }
    assert found == listed | {"manifest.json", "CNAME", "versions/oma.txt"}
    assert (pub / ".git" / "HEAD").is_file()
    assert not (pub / "versions" / "1").exists()  # its files withheld: the folder went too
    for name in listed:
        assert (pub / name).read_bytes() == (public_site / name).read_bytes(), name
    # a file of the user's where the site writes one is refused, with nothing changed
    manifest["files"] = [e for e in manifest["files"] if e["path"] != "register.html"]
    (pub / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (pub / "register.html").write_text("oma", encoding="utf-8")
    before = {p: p.read_bytes() for p in pub.rglob("*") if p.is_file()}
    refused = run(capsys, "-C", str(site_history), "site", "-o", str(pub))
    assert refused.code == 2 and "register.html was not written by tymdocs" in refused.err
    assert {p: p.read_bytes() for p in pub.rglob("*") if p.is_file()} == before


def test_a_redline_page_leads_back_to_the_site_and_its_anchors_to_the_text(site: Path) -> None:
    redline = page(site / "versions/3/muutokset.html")
    assert {"../../index.html", "../../versions.html", "../../register.html"} <= set(redline.links)
    keys = {i for i in redline.ids if re.fullmatch(r"(section|annex)-\d+", i)}
    assert "annex-2" in keys and keys <= set(page(site / "index.html").ids)


def test_no_git_repository_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_agreement(tmp_path / "agreement")
    done = run(capsys, "-C", str(root), "site", "-o", str(tmp_path / "out"))
    assert done.code == 2 and "not in a git repository" in done.err
    assert not (tmp_path / "out").exists()


def test_an_agreement_signed_but_not_yet_in_force_shows_version_1_and_when_it_takes_effect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after signing: version 1 recorded, in force from 1.3.2026, the site made on
    7.12.2025 shows its text and says when it takes effect."""
    fixed_git(monkeypatch)
    root = copy_agreement(tmp_path / "agreement")
    edit(root, "tymdocs.yaml", "effective_date: 2025-05-01", "effective_date: 2026-03-01")
    init_repo(root)
    adopted = run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu")
    assert adopted.code == 0, adopted.err
    out = tmp_path / "sivusto"
    done = run(capsys, "-C", str(root), "site", "-o", str(out), "--date", "7.12.2025")
    assert done.code == 0, done.err
    index = page(out / "index.html")
    text = normalise("".join(index.text))
    assert "Sopimus tulee voimaan 1.3.2026." in text
    assert "Sopimus sellaisena kuin se tulee voimaan 1.3.2026. Teksti versiosta 1." in text
    assert {"1", "12", "liite-1", "liite-6"} <= set(index.ids)
    assert "voimassa 7.12.2025" not in text
    assert sorted(_version_links(out)) == [1]
    deadlines = normalise("".join(page(out / "deadlines.html").text))
    assert "Tilanne 7.12.2025. Sopimus tulee voimaan 1.3.2026." in deadlines


def test_an_amendment_awaiting_signatures_is_never_taken_for_the_text_shown(
    swedish_sites: tuple[Path, Path],
) -> None:
    """Version 3 (an amendment, unsigned) is the newest record: the footer says it awaits
    signatures, the register marks its effective date so, and the index says which versions
    the text shown is from (the annexes not changed since version 1 too)."""
    in_force = swedish_sites[0]
    index = normalise("".join(page(in_force / "index.html").text))
    assert "Huvudtexten ur version 1; bilagorna ur versionerna 1, 2." in index
    for name in ("index.html", "versions.html", "register.html", "deadlines.html"):
        footer = normalise("".join(page(in_force / name).text)).rsplit("Sammanställd", 1)[1]
        assert footer.startswith(" ur avtalets register. Senast registrerade version: Version 3")
        assert footer.endswith("(väntar på underskrifter).")
    rows = _rows(in_force / "register.html")
    amendment = [row for row in rows if row[0] == "3" and row[2] == "avtalsändring"]
    assert [row[6] for row in amendment] == ["1.4.2026 (väntar på underskrifter)"]
    assert [row[6] for row in rows if row[0] == "2"] == ["1.2.2026"]


def _rows(path: Path) -> list[list[str]]:
    """The cells of a page's table body, row by row."""

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None
            self.body = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tbody":
                self.body = True
            elif tag == "tr" and self.body:
                self.rows.append([])
            elif tag == "td" and self.body:
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag == "td" and self.cell is not None:
                self.rows[-1].append(normalise("".join(self.cell)))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.rows


def test_every_table_of_the_site_scrolls_in_a_labelled_region_of_its_own(site: Path) -> None:
    """The register is wider than the page: its table scrolls sideways inside a region a
    keyboard reaches and a screen reader names, never the page (see test_browser.py)."""
    for name in ("versions.html", "register.html", "deadlines.html"):
        html = (site / name).read_text(encoding="utf-8")
        tables = html.count("<table>")
        regions = re.findall(
            r'<div class="wide" role="region" aria-label="([^"]+)" tabindex="0">\n<table>', html
        )
        assert tables == len(regions) == 1, name
        assert regions[0] == {"versions.html": "Versiot", "register.html": "Rekisteri"}.get(
            name, "Määräajat"
        )
        assert re.search(r"\.wide \{ overflow-x: auto;", html), name


def test_a_redline_page_has_the_sites_head_and_link_colours(site: Path) -> None:
    """Each redline page of the site: the area's name above the same navigation, and the
    same colours of links, as the site's own pages."""

    def css(html: str) -> str:
        return "".join(re.findall(r"<style>(.*?)</style>", html, re.S))

    own = (site / "register.html").read_text(encoding="utf-8")
    for path in sorted(site.glob("versions/*/muutokset.html")):
        html = path.read_text(encoding="utf-8")
        head = re.search(r'<div class="site-head">\n<p>([^<]*)</p>\n<nav class="site"', html)
        assert head is not None and head[1] == "Läntisen Pirkanmaan työllisyysalue", path
        for rule in ("a { color: #0b57d0; }", "a:visited { color: #6b2fa3; }", ".site-head"):
            assert rule in css(html) and rule in css(own), (path, rule)
        assert html.count("<header>") == 1, path  # one banner


CONTACTS = (
    "    - party: tyollisyysalue\n      name: Tiina Leppäniemi\n",
    "    - party: tyollisyysalue\n      name: Tiina Leppäniemi\n"
    "      email: tiina.leppaniemi@sastamala.fi\n"
    '      phone: "040 123 4567"\n',
)
"""Liite 2's first contact row as the seed writes it (the earlier form, still read as it
is), and with the email and phone a contact row may have since 0.4."""


def test_contact_details_print_in_the_annex_and_a_public_site_withholds_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contact persons' table gets Sähköposti and Puhelin columns where any row gives
    them (the seed, without, keeps its two); the PDF and DOCX print them; ``--public``
    leaves them out of every page, as written and as the text writes the number otherwise,
    and leaves out the files of the version too."""
    from tymdocs.document import compose
    from tymdocs.model import CompositionAnnex, Table

    def contacts_table(root: Path) -> Table:
        agreement = agreement_of(root)
        annex = next(a for a in agreement.annexes if isinstance(a, CompositionAnnex))
        part = next(p for p in compose(agreement).parts if p.key == f"annex-{annex.number}")
        return [b for b in part.blocks if isinstance(b, Table)][-1]

    def cells(table: Table) -> list[list[str]]:
        rows = (table.header, *(row.cells for row in table.rows))
        return [[normalise("".join(span.text for span in cell)) for cell in r] for r in rows]

    fixed_git(monkeypatch)
    root = copy_agreement(tmp_path / "agreement")
    earlier = cells(contacts_table(root))
    assert earlier[0] == ["Osapuoli", "Yhteyshenkilö"]  # the earlier form: as before
    assert earlier[1][1] == "Tiina Leppäniemi"
    edit(root, "annexes/liite-2-kokoonpano.yaml", *CONTACTS)
    # the number written otherwise in a sentence of the parties' own
    edit(root, "annexes/liite-2-kokoonpano.yaml", "asioissa;", "asioissa (p. 040-1234567);")
    table = cells(contacts_table(root))
    assert table[0] == ["Osapuoli", "Yhteyshenkilö", "Sähköposti", "Puhelin"]
    assert table[1][1:] == ["Tiina Leppäniemi", "tiina.leppaniemi@sastamala.fi", "040 123 4567"]
    assert table[2][2:] == ["", ""]
    init_repo(root)
    assert run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    built = tmp_path / "build"
    assert run(capsys, "-C", str(root), "build", "-q", "--no-packages", "-o", str(built)).code == 0
    pdf = normalise(" ".join(pdf_pages((built / "lansi-pirkanmaa-tym.pdf").read_bytes())))
    docx = normalise(" ".join(docx_body_text((built / "lansi-pirkanmaa-tym.docx").read_bytes())))
    for text in (pdf, docx):
        assert "tiina.leppaniemi@sastamala.fi" in text and "040 123 4567" in text
    for public, out in ((False, tmp_path / "kaikki"), (True, tmp_path / "julkinen")):
        options = ["--public"] if public else []
        done = run(capsys, "-C", str(root), "site", "-o", str(out), "--date", "1.6.2025", *options)
        assert done.code == 0, done.err
        index = normalise("".join(page(out / "index.html").text))
        found = [
            detail
            for detail in ("tiina.leppaniemi@sastamala.fi", "040 123 4567", "040-1234567")
            if any(detail in p.read_bytes().decode(errors="replace") for p in out.rglob("*"))
        ]
        if public:
            assert found == [] and not (out / "versions/1").exists()
            withheld = "<td>[yhteystieto poistettu]</td>"
            row = rf"<td>\[henkilö \d+\]</td>{re.escape(withheld * 2)}</tr>"
            assert re.search(row, (out / "index.html").read_text(encoding="utf-8"))
            assert "asioissa (p. [yhteystieto poistettu]);" in index
        else:
            assert found == ["tiina.leppaniemi@sastamala.fi", "040 123 4567", "040-1234567"]


@pytest.mark.parametrize(
    "phone", ["(09) 123 4567", "+358 (0)40 123 4567", "+358 9 123 4567", "09-123 4567"]
)
def test_a_phone_number_as_finns_write_it_is_read(phone: str, tmp_path: Path) -> None:
    """A landline with its area code in brackets, a mobile with the trunk zero in brackets
    after the country code, and the plain forms: each read as written."""
    from tymdocs.model import CompositionAnnex

    root = copy_agreement(tmp_path / "agreement")
    edit(
        root,
        "annexes/liite-2-kokoonpano.yaml",
        CONTACTS[0],
        f'{CONTACTS[0]}      phone: "{phone}"\n',
    )
    annex = next(a for a in agreement_of(root).annexes if isinstance(a, CompositionAnnex))
    assert annex.contacts[0].phone == phone


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("      email: tiina.sastamala.fi\n", "email: 'tiina.sastamala.fi' is not an email"),
        ("      phone: 0401234567\n", "phone: write it in quotes, as text"),
        ('      phone: "p. 040"\n', "phone: 'p. 040' is not a phone number"),
        ('      phone: "(09 123 4567"\n', "phone: '(09 123 4567' is not a phone number"),
        ("      mobile: x\n", "unknown key 'mobile'"),
    ],
)
def test_a_mistyped_contact_detail_is_an_error_naming_its_line(
    row: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_agreement(tmp_path / "agreement")
    edit(root, "annexes/liite-2-kokoonpano.yaml", CONTACTS[0], CONTACTS[0] + row)
    done = run(capsys, "-C", str(root), "check")
    assert done.code == 1, done.out
    assert "liite-2-kokoonpano.yaml:44" in done.err + done.out and said in done.err + done.out


def test_a_withheld_contact_detail_is_found_however_the_text_writes_it() -> None:
    """A number given with the trunk ``(0)`` is found as ``040 …``, ``+358 40 …``, ``358 40 …``
    and ``00358…`` too, an address with ``(at)``; a longer number is not the same one."""
    redaction = Redaction(
        [],
        "[n]",
        details=["+358 (0)40 123 4567", "tiina.leppaniemi@sastamala.fi"],
        detail_placeholder="[Y]",
    )
    said = {
        "puh. 040 123 4567);": "puh. [Y]);",
        "+358 40 123 4567": "[Y]",
        "358 40 123 4567": "[Y]",
        "00358401234567": "[Y]",
        "(040) 123 45 67.": "[Y].",
        "tiina.leppaniemi(at)sastamala.fi": "[Y]",
        "Tiina.Leppaniemi@Sastamala.fi": "[Y]",
        "p. 040 123 45678": "p. 040 123 45678",
        "+358 (0) 40 123 4567": "[Y]",
        "1040 123 4567": "1040 123 4567",
    }
    assert {text: redaction.text(text) for text in said} == said


def test_a_number_written_as_a_trap_is_no_slower_than_another() -> None:
    """Text made to make the phone pattern backtrack (a trunk ``(0)`` over and over) is
    redacted at once; the pattern once took minutes on 300 characters of it."""
    code = (
        "from tymdocs.site.personal import Redaction\n"
        "r = Redaction([], '[n]', details=['040 100 0001', '(0)40 100 0001'], "
        "detail_placeholder='[Y]')\n"
        "assert r.text('0401' + '(0)' * 400 + 'x').endswith('x')\n"
        "assert r.text('p. 040 100 0001.') == 'p. [Y].'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
