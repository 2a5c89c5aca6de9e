"""LibreOffice's own "Accept All" and "Reject All" on the redline DOCX of real amendments
(issue 18): accepting every change gives B's own DOCX and rejecting every change A's, paragraph
for paragraph, style for style, cell for cell; no paragraph joined or split.

Each scenario class of the issue is a branch of one seed repository: A is the seed adopted as
version 1, B the branch's last commit. ``tymdocs diff A B`` writes the redline, ``tymdocs
build --ref`` A's and B's own DOCX, and one LibreOffice resolves every redline (it takes a
second or two to start).
Skipped where LibreOffice, with a Python that has its ``uno`` module, is not installed.

Compared: the title (in the body and the header) and the body from the first part heading
on: every non-empty paragraph's text and style name, and every table row's cells. Left out,
because they differ by design: the redline's summary above the title (untracked, it stays
whatever is resolved) and anything else above the first part heading; the header's
version and the footer, which name the report or the version; empty paragraphs, which
LibreOffice writes its own way (the paragraph that keeps two tables apart, the body's last).
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from tests.helpers import (
    edit,
    fixed_git,
    git,
    soffice_accept_and_reject_many,
    uno_python,
)
from tests.test_diff import revise
from tests.test_governance import kela_to_one
from tymdocs.cli import main

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or uno_python() is None,
    reason="LibreOffice, with a Python that has its uno module, is not installed",
)

SECTION_4 = "docs_src/04-johtoryhma.md"
SECTION_7 = "docs_src/07-palvelut.md"
SECTION_8 = "docs_src/08-henkilosto.md"
SECTION_9 = "docs_src/09-johtava-henkilo.md"
SECTION_11 = "docs_src/11-asiakastietoaineisto.md"
SECTION_12 = "docs_src/12-voimassaolo-ja-muuttaminen.md"
LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
LIITE_6 = "annexes/liite-6-tietosuojaseloste.md"
SOURCE = "työllistymistä edistävien palvelujen järjestäjät"  # an item of Liite 6's sources
SUBHEADING = "#### Työtöntä koskevat tiedot ja niiden käyttötarkoitus\n\n"
PURPOSE = (  # the paragraph under Liite 6's SUBHEADING
    "Työvoimaviranomainen, hyvinvointialue ja Kansaneläkelaitos voivat käsitellä työtöntä\n"
    "henkilöä koskevia tietoja niille tässä laissa säädettyjen, monialaisen tuen\n"
    "yhteistoimintamalliin liittyvien tehtävien hoitamiseksi ja näitä tehtäviä koskevaan\n"
    "valvontaan, kehittämiseen, seurantaan, arviointiin, tilastointiin, ennakointiin ja "
    "ohjaukseen.\n\n"
)
HEADING_4 = "# 4 Yhteistoimintamallin johtoryhmä\n\n"
RESOURCES = (  # § 8's second paragraph
    "Henkilöstöresurssi alueittain ja tehtävärakenteineen 1.5.2025 alkaen on kuvattu "
    "liitteessä 5.\n\n"
)
ASSESSMENT = (  # § 8's last paragraph
    "Johtoryhmä arvioi työllistymisen monialaisesta edistämisestä annetun lain (381/2023) 9 "
    "§:ssä\ntarkoitetun riittävän henkilöstön määrän toteutumista vuosittain.\n"
)


# -- the scenario classes of the issue, each an edit of the seed ------------------------------


def _paragraph_deleted_next_edited(root: Path) -> None:
    """A paragraph deleted and the next one's "voivat" negated to "eivät saa"."""
    edit(root, SECTION_8, RESOURCES, "")
    edit(root, SECTION_8, "määrä voivat sopimuskauden", "määrä eivät saa sopimuskauden")


def _item_inserted(root: Path) -> None:
    """A new 3) in § 11's numbered list, the later items renumbered."""
    text = (root / SECTION_11).read_text(encoding="utf-8")
    for number in (5, 4, 3):
        text = text.replace(f"\n{number}) ", f"\n{number + 1}) ")
    text = text.replace(
        "käsittelyn turvallisuudesta;\n",
        "käsittelyn turvallisuudesta;\n3) 33 artiklassa tarkoitetusta "
        "henkilötietojen tietoturvaloukkauksista ilmoittamisesta;\n",
    )
    (root / SECTION_11).write_text(text, encoding="utf-8")


def _section_inserted(root: Path) -> None:
    """A new § 6 with a subheading and a list; §§ 6-12 become §§ 7-13."""
    for path in sorted((root / "docs_src").glob("*.md")):
        number = int(path.name[:2])
        if number >= 6:
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(f"# {number} ", f"# {number + 1} ", 1), "utf-8")
    (root / "docs_src" / "05b-seuranta.md").write_text(
        "# 6 Seuranta ja raportointi\n\nJohtoryhmä seuraa yhteistoimintamallin toteutumista "
        "neljännesvuosittain.\n\n## Raportointi\n\nOsapuolet raportoivat johtoryhmälle:\n\n"
        "- asiakasmääristä;\n- palveluiden vaikuttavuudesta.\n",
        encoding="utf-8",
    )


def _section_rewritten(root: Path) -> None:
    """§ 10 written anew: two other paragraphs."""
    (root / "docs_src" / "10-kustannukset.md").write_text(
        "# 10 Yhteistoimintamallin kustannukset\n\nKukin osapuoli vastaa omista "
        "kustannuksistaan, ellei johtoryhmä toisin päätä.\n\nYhteisistä hankinnoista päätetään "
        "johtoryhmässä etukäteen, ja niiden kustannukset jaetaan osapuolten kesken "
        "henkilöstöresurssien suhteessa.\n",
        encoding="utf-8",
    )


def _member_replaced(root: Path) -> None:
    """A member of the steering group replaced in Liite 2; the deputy stays."""
    edit(root, LIITE_2, "  - name: Elina Anttila", "  - name: Eeva Esimerkki")


def _list_amendment(root: Path) -> None:
    """The most common Finnish list amendment: the last item's "." becomes ";" and an item is
    added (issue 18: reject-all joined "…tietoturvallisuutta.Työvoimaviranomaiset…")."""
    edit(
        root,
        SECTION_11,
        "tietoaineiston tietoturvallisuutta.\n",
        "tietoaineiston tietoturvallisuutta;\n6) 37 artiklassa tarkoitetusta "
        "tietosuojavastaavan nimeämisestä.\n",
    )


def _paragraph_moved(root: Path) -> None:
    """§ 8's last paragraph moved to the end of § 4 and edited there."""
    edit(root, SECTION_8, "\n\n" + ASSESSMENT, "\n")
    text = (root / SECTION_4).read_text(encoding="utf-8")
    (root / SECTION_4).write_text(
        text + "\n" + ASSESSMENT.replace("vuosittain", "kahdesti vuodessa"), encoding="utf-8"
    )


def _paragraph_moved_unchanged(root: Path) -> None:
    """§ 8's last paragraph moved, word for word, to the start of § 4: LibreOffice takes the
    deleted and the inserted text for moved text."""
    edit(root, SECTION_8, "\n\n" + ASSESSMENT, "\n")
    edit(root, SECTION_4, HEADING_4, HEADING_4 + ASSESSMENT + "\n")


def _paragraph_moved_after_a_list(root: Path) -> None:
    """§ 8's last paragraph moved, word for word, to the end of § 12, after its list of
    signatories and before Liite 1's heading."""
    edit(root, SECTION_8, "\n\n" + ASSESSMENT, "\n")
    text = (root / SECTION_12).read_text(encoding="utf-8")
    (root / SECTION_12).write_text(text + "\n" + ASSESSMENT, encoding="utf-8")


def _paragraph_moved_before_a_retitled_section(root: Path) -> None:
    """§ 8's last paragraph moved, word for word, to the start of § 4, and § 9 retitled: the
    paragraph deleted stands before § 9's heading, whose former title is deleted."""
    _paragraph_moved_unchanged(root)
    edit(root, SECTION_9, "tehtävät\n", "tehtävät sekä sijaisuudet\n")


def _paragraph_moved_edited_after_a_list(root: Path) -> None:
    """§ 8's last paragraph moved to the end of § 12 and edited there, after its list of
    signatories and before Liite 1's heading (with the move's paragraph marks tracked as the
    move, "Reject All" made that heading body text)."""
    edit(root, SECTION_8, "\n\n" + ASSESSMENT, "\n")
    text = (root / SECTION_12).read_text(encoding="utf-8")
    edited = ASSESSMENT.replace("vuosittain", "kahdesti vuodessa")
    (root / SECTION_12).write_text(text + "\n" + edited, encoding="utf-8")


def _item_moved_and_edited(root: Path) -> None:
    """An item of Liite 6's list of sources moved to the end of the list and edited."""
    edit(root, LIITE_6, f"- {SOURCE}\n", "")
    last = "- ostopalveluiden tuottajat\n"
    edit(root, LIITE_6, last, last + "- " + SOURCE.replace("palvelujen", "palveluiden") + "\n")


def _heading_moved(root: Path) -> None:
    """A subheading of Liite 6 moved below the paragraph it stood above."""
    edit(root, LIITE_6, SUBHEADING + PURPOSE, PURPOSE + SUBHEADING)


def _title_changed(root: Path) -> None:
    edit(root, "tymdocs.yaml", "title: SOPIMUS", "title: UUSI SOPIMUS")


def _sentence_and_list_added(root: Path) -> None:
    """A sentence added at the end of a paragraph, and a list after it: the paragraph ends with
    an insertion, and the list items are inserted whole."""
    edit(
        root,
        SECTION_7,
        "liitteen 4 mukaisesti.\n",
        "liitteen 4 mukaisesti. Palveluja ovat erityisesti\n\n- työhönvalmennus;\n"
        "- kuntoutuksen tarpeen arviointi.\n",
    )


def _recorded_decision(root: Path) -> None:
    """Kela's htv in Liite 5 changed by a recorded steering-group decision: the part's changes
    are the decision's, and B closes Liite 5 with its "muutettu" note."""
    kela_to_one(root)
    _tymdocs(
        "-C", str(root), "approve", "--body", "Johtoryhmä", "--date", "15.9.2025",
        "--section", "4", "--effective", "1.10.2025", "-m", "Kelan resurssi",
    )  # fmt: skip


def _fixture_revision(root: Path) -> None:
    """Issue 8's revision (a sentence of § 8, Kela's htv and the total in Liite 5, a member
    of Liite 2), Liite 6 removed and a Liite 7 added."""
    revise(root)
    (root / "annexes" / "liite-6-tietosuojaseloste.md").unlink()
    edit(root, SECTION_11, "Liitteenä 6 on", "Erillisenä on")
    (root / "annexes" / "liite-7-viestinta.md").write_text(
        "# Liite 7 VIESTINTÄ\n\nTeksti.\n", encoding="utf-8"
    )


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "paragraph deleted, next edited": _paragraph_deleted_next_edited,
    "item inserted into a list": _item_inserted,
    "section inserted in the middle": _section_inserted,
    "section rewritten": _section_rewritten,
    "member replaced in the composition annex": _member_replaced,
    "list amendment": _list_amendment,
    "paragraph moved to another section": _paragraph_moved,
    "paragraph moved unchanged": _paragraph_moved_unchanged,
    "paragraph moved unchanged after a list": _paragraph_moved_after_a_list,
    "paragraph moved before a retitled section": _paragraph_moved_before_a_retitled_section,
    "paragraph moved and edited after a list": _paragraph_moved_edited_after_a_list,
    "list item moved and edited": _item_moved_and_edited,
    "heading moved": _heading_moved,
    "title changed": _title_changed,
    "figure changed by a recorded decision": _recorded_decision,
    "sentence and list added": _sentence_and_list_added,
    "fixture revision, annex removed and added": _fixture_revision,
}


# -- building, resolving and reading ----------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """One scenario's DOCX files: A's and B's own, the redline, and the redline accepted and
    rejected."""

    a: Path
    b: Path
    redline: Path
    accepted: Path
    rejected: Path


def _tymdocs(*args: str) -> None:
    """The CLI in-process, through its error boundary; quiet, and it must succeed."""
    try:
        main(list(args))
    except SystemExit as stop:
        assert not stop.code, f"tymdocs {' '.join(args)}: exit {stop.code}"


def _docx(folder: Path) -> Path:
    (found,) = folder.glob("*.docx")
    return found


@pytest.fixture(scope="module")
def resolved(
    tmp_path_factory: pytest.TempPathFactory, adopted_template: Path
) -> Iterator[dict[str, Resolved]]:
    """Every scenario on a branch of one seed repository, its redline and both versions' DOCX
    written by tymdocs, and every redline resolved by one LibreOffice."""
    folder = tmp_path_factory.mktemp("libreoffice")
    repo = folder / "agreement"
    shutil.copytree(adopted_template, repo, symlinks=True)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fixed_git(monkeypatch)  # the records' commits
        yield _resolve(repo, folder)


def _resolve(repo: Path, folder: Path) -> dict[str, Resolved]:
    a = git(repo, "rev-parse", "HEAD")
    _tymdocs("-C", str(repo), "build", "-q", "--ref", a, "--no-packages", "-o", str(folder / "a"))
    redlines: dict[str, tuple[Path, Path]] = {}
    for index, (name, change) in enumerate(SCENARIOS.items()):
        branch = f"scenario-{index}"
        git(repo, "checkout", "-q", "-b", branch, a)
        change(repo)
        if git(repo, "status", "--porcelain"):  # not committed by a record command
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", name)
        out = folder / branch
        _tymdocs("-C", str(repo), "build", "-q", "--ref", branch, "--no-packages", "-o", str(out))
        _tymdocs("-C", str(repo), "diff", "-q", a, branch, "--format", "docx", "-o", str(out / "r"))
        redline = folder / f"{branch}.docx"
        shutil.copyfile(_docx(out / "r"), redline)
        redlines[name] = (redline, _docx(out))
    results = soffice_accept_and_reject_many([r for r, _ in redlines.values()], folder)
    own_a = _docx(folder / "a")
    return {
        name: Resolved(own_a, b, redline, accepted, rejected)
        for (name, (redline, b)), (accepted, rejected) in zip(
            redlines.items(), results, strict=True
        )
    }


@dataclass(frozen=True)
class Reading:
    """What is compared of a DOCX."""

    title: tuple[str, ...]
    """The body's paragraphs in the Title style."""
    header_title: str
    body: tuple[str, ...]
    """From the first part heading on: each non-empty paragraph as its style and text, each
    table row as its cells."""


@functools.cache
def read(path: Path) -> Reading:
    document = docx.Document(io.BytesIO(path.read_bytes()))
    title: list[str] = []
    body: list[str] = []
    started = False  # at the title: a redline's summary stands above it
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            style = item.style.name
            started = started or style == "Title"
            if not started:
                continue
            if not body and style != "Heading 1":  # the title, and anything up to the body
                title += [item.text] if style == "Title" else []
            elif item.text.strip():
                body.append(f"{style}: {item.text}")
        elif isinstance(item, DocxTable) and body:
            body.extend(" | ".join(cell.text for cell in row.cells) for row in item.rows)
    header = document.sections[0].header.tables[0].rows[0].cells[0].text
    return Reading(tuple(title), header, tuple(body))


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_accept_all_gives_b_and_reject_all_gives_a(
    resolved: dict[str, Resolved], scenario: str
) -> None:
    found = resolved[scenario]
    for resolution, version in ((found.accepted, found.b), (found.rejected, found.a)):
        assert read(resolution).body == read(version).body, resolution.name
        assert read(resolution).title == read(version).title, resolution.name
        assert read(resolution).header_title == read(version).header_title, resolution.name


def test_the_moves_resolved_are_word_s_moves(resolved: dict[str, Resolved]) -> None:
    """Every scenario of a move resolves a redline that tracks it as Word's move."""
    for name, found in resolved.items():
        with zipfile.ZipFile(found.redline) as package:
            body = package.read("word/document.xml").decode()
        marks = ("<w:moveFrom ", "<w:moveTo ", "<w:moveFromRangeStart ", "<w:moveToRangeStart ")
        assert all(mark in body for mark in marks) == (" moved" in name), name


def test_a_redline_changes_what_it_resolves(resolved: dict[str, Resolved]) -> None:
    """The comparison is not empty: every scenario's B differs from A where it should."""
    for name, found in resolved.items():
        assert read(found.a) != read(found.b), name
        assert len(read(found.b).body) > 100, name  # the whole agreement, annexes included


def test_a_recorded_change_carries_its_record_and_accepting_keeps_b_s_note(
    resolved: dict[str, Resolved],
) -> None:
    """The decision's body and date on every tracked change of the part it changed, and its
    "muutettu" note part of B: accepting every change gives B with the note."""
    found = resolved["figure changed by a recorded decision"]
    notes = [line for line in read(found.b).body if " muutettu: " in line]
    assert notes == [
        "Normal: Liite 5 muutettu: Johtoryhmä 15.9.2025 §\u00a04, voimassa 1.10.2025 alkaen."
    ]
    assert notes[0] in read(found.accepted).body and notes[0] not in read(found.rejected).body
    with zipfile.ZipFile(found.redline) as package:
        body = package.read("word/document.xml").decode()
    assert set(re.findall(r'w:author="([^"]*)" w:date="([^"]*)"', body)) == {
        ("Johtoryhmä", "2025-09-15T00:00:00Z")
    }


def _above_title(path: Path) -> list[str]:
    """The texts above a DOCX's title, paragraph by paragraph and cell by cell (python-docx
    reads no text in the content control LibreOffice keeps around the first paragraph)."""
    texts: list[str] = []
    for item in docx.Document(str(path)).iter_inner_content():
        if isinstance(item, DocxParagraph):
            if item.style.name == "Title":
                break
            texts.append(item.text)
        else:
            texts.extend(cell.text for row in item.rows for cell in row.cells)
    return [text for text in texts if text.strip()]


def test_the_summary_stays_above_the_title_whatever_is_resolved(
    resolved: dict[str, Resolved],
) -> None:
    """The summary the redline opens with has no tracked change: accepting and rejecting
    every change leave it as it is, above the title."""
    found = resolved["fixture revision, annex removed and added"]
    accepted, rejected = _above_title(found.accepted), _above_title(found.rejected)
    assert accepted == rejected
    assert accepted[:2] == ["Muutosten yhteenveto", "Vanhempi versio"]
    assert "LIITE 7 VIESTINTÄ" in accepted and "Lisätty" in accepted
