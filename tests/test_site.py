"""``tymdocs site``: the pages and files of a history of three recorded versions, read back
from disk (the site is made once per session, see conftest.py); in a browser, see
test_site_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.conftest import HOSTILE_SECTION, SITE_DAY
from tests.helpers import agreement_of, git, pdf_pages, run


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
    for text in ("Sopimus allekirjoitettu", "Kelan resurssi", "Sari Mäkisen tilalle"):
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
