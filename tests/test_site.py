"""``tymdocs site``: the pages and files of a history of three recorded versions, read back
from disk (the site is made once per session, see conftest.py); in a browser, see
test_site_browser.py."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.conftest import HOSTILE_SECTION, NOTICE, SITE_DAY, SWEDISH_ENDED
from tests.helpers import agreement_of, copy_agreement, git, normalise, pdf_pages, run
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
    assert "[nimi poistettu] tilalle [nimi poistettu]; [nimi poistettu] toimikausi" in register
    index = " ".join("".join(page(public_site / "index.html").text).split())
    for signatory in ("Mika Kontio", "Tommi Hallikainen", "Heikki Heilä"):
        assert signatory in index
    assert "[nimi poistettu]" in index and "puheenjohtaja" in index
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
    # and it replaces a site of its own in place, but nothing else
    assert run(capsys, "-C", str(site_history), "site", "-o", str(again)).code == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("oma", encoding="utf-8")
    refused = run(capsys, "-C", str(site_history), "site", "-o", str(mine))
    assert refused.code == 2 and "holds no site of tymdocs" in refused.err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


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
    assert "[namn borttaget]" in last and "Johan Lund" not in last
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
