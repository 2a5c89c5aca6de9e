"""Moves in the redline DOCX (issue 18): a block moved is tracked as Word tracks a move, its
text in ``w:moveFrom`` at the old place and in ``w:moveTo`` at the new, each end inside a range
(``w:moveFromRangeStart``/``End``, ``w:moveToRangeStart``/``End``) named for the move, read
back with python-docx and lxml; accepting every change still gives B and rejecting every
change A (:func:`tests.test_redline_docx.check_docx`), and LibreOffice reads the moves as
moves. The regressions are amendments of the seed, compared as ``tymdocs diff`` compares them.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from tests.helpers import assert_schema_order, edit, soffice_convert_many
from tests.test_redline_docx import (
    MOVES,
    RANGES,
    STAMP,
    W,
    _all_text,
    _pairs,
    _section,
    agreement_body,
    check_docx,
    check_redline,
)
from tests.test_redline_docx import _document as document
from tests.test_redline_docx import _p as paragraph
from tests.test_redline_docx import _table as table
from tests.test_redline_moves import (
    LIITE_6,
    MOVED,
    SECTION_8,
    SECTION_9,
    _blocks,
    _Case,
    _cases,
    _compare,
    _move,
    _versions,
)
from tymdocs.document import Document, Part
from tymdocs.model import ListBlock, ListItem, plain
from tymdocs.redline import moves, redline_document
from tymdocs.render.docx import render_redline_docx

DELETED = "Tämä sopimus tulee voimaan 1.5.2025 ja on voimassa toistaiseksi."
"""§ 12's first paragraph, deleted beside a move: a deletion, not a move."""
ITEM = "työllistymistä edistävien palvelujen järjestäjät"
"""An item of Liite 6's list of sources, moved to the end of the list."""
WHO = {f"{W}author": "t", f"{W}date": "2025-09-15T00:00:00Z"}
"""The author and date ``_compare`` gives every change."""


@dataclass(frozen=True)
class Redline:
    """A regression's redline DOCX, and A's and B's documents to resolve it against."""

    data: bytes
    a: Document
    b: Document

    @property
    def body(self) -> etree._Element:
        return agreement_body(self.data)

    def check(self) -> None:
        """Accepting every change gives B, rejecting every change A (:func:`check_docx`)."""
        check_docx(self.data, self.a, self.b, "t", dt.date(2025, 9, 15))


@pytest.fixture(scope="session")
def redlines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Redline]:
    """The regressions, each two copies of the seed, the second amended: § 8's second
    paragraph moved to the end of § 9 beside § 12's first deleted ("moved"), the same moved
    and edited ("edited"), and an item of Liite 6 moved to the end of its list ("item")."""

    def moved(b: Path) -> None:
        _move(b, SECTION_8, MOVED, SECTION_9)
        edit(b, "docs_src/12-voimassaolo-ja-muuttaminen.md", f"{DELETED}\n\n", "")

    def edited(b: Path) -> None:
        _move(b, SECTION_8, MOVED, SECTION_9, MOVED.replace("on kuvattu", "kuvataan"))

    def item(b: Path) -> None:
        edit(b, LIITE_6, f"- {ITEM}\n", "")
        last = "- ostopalveluiden tuottajat\n"
        edit(b, LIITE_6, last, f"{last}- {ITEM}\n")

    found = {}
    for name, amend in (("moved", moved), ("edited", edited), ("item", item)):
        a, b = _versions(tmp_path_factory.mktemp(name))
        amend(b)
        report, old, new = _compare(a, b)
        found[name] = Redline(render_redline_docx(report, STAMP), old, new)
    return found


def _order(body: etree._Element) -> dict[etree._Element, int]:
    """Every element of ``body`` by its place in document order."""
    return {element: index for index, element in enumerate(body.iter())}


def _ends(body: etree._Element, side: str) -> list[etree._Element]:
    """The runs' containers of one side of the moves: ``moveFrom`` or ``moveTo``."""
    return [e for e in body.iter(f"{W}{side}") if e.getparent().tag == f"{W}p"]


def _ranges(body: etree._Element, side: str) -> list[tuple[etree._Element, etree._Element]]:
    """Each range of one side of the moves: its start and its end, paired by id."""
    starts = list(body.iter(f"{W}{side}RangeStart"))
    ends = {end.get(f"{W}id"): end for end in body.iter(f"{W}{side}RangeEnd")}
    assert len(ends) == len(starts) == len({start.get(f"{W}id") for start in starts})
    return [(start, ends.pop(start.get(f"{W}id"))) for start in starts]


def _paragraph_marks(body: etree._Element, kind: str) -> list[etree._Element]:
    """The paragraphs whose paragraph mark is tracked as ``kind``."""
    return [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}{kind}") is not None]


def test_a_paragraph_moved_is_moved_from_its_old_place_to_its_new(
    redlines: dict[str, Redline],
) -> None:
    """§ 8's paragraph is ``w:moveFrom`` in § 8 and ``w:moveTo`` at the end of § 9, its
    paragraph mark tracked as the move; each end in a range named ``move1`` whose start and
    end share an id and hold the whole end, paragraph mark included; every mark of the move
    by the part's author on its date; § 12's paragraph deleted beside it stays ``w:del``."""
    found = redlines["moved"]
    body = found.body
    order = _order(body)
    (gone,), (came,) = _ends(body, "moveFrom"), _ends(body, "moveTo")
    assert _all_text(gone) == _all_text(came) == MOVED
    headings = {_all_text(p): p for p in body.iter(f"{W}p")}
    nine = headings["9 Organisointia johtava henkilö ja tehtävät"]
    assert order[headings["8 Henkilöstö"]] < order[gone] < order[nine] < order[came]
    assert gone.find(f"{W}r/{W}t") is not None and gone.find(f".//{W}delText") is None

    for side, end in (("moveFrom", gone), ("moveTo", came)):
        ((start, stop),) = _ranges(body, side)
        assert start.get(f"{W}name") == "move1"
        assert {key: start.get(key) for key in WHO} == WHO
        (mark,) = _paragraph_marks(body, side)  # the paragraph before tracks the moved one's
        assert mark.getnext() is end.getparent()
        tracked = mark.find(f"{W}pPr/{W}rPr/{W}{side}")
        assert start.getparent() is mark and start.getnext() is None  # before its mark
        assert order[start] < order[end] < order[stop]
        assert {key: end.get(key) for key in WHO} == {key: tracked.get(key) for key in WHO} == WHO
        between = [e for e in body.iter(f"{W}moveFrom", f"{W}moveTo") if e.tag == f"{W}{side}"]
        assert all(order[start] < order[e] < order[stop] or e is tracked for e in between)

    deleted = [e for e in body.iter(f"{W}del") if _all_text(e) == DELETED]
    assert len(deleted) == 1 and DELETED not in _all_text(gone)
    assert _paragraph_marks(body, "del") == [headings["Voimassaolo"]]  # tracks its mark
    found.check()


def test_an_edited_move_marks_its_edit_word_by_word(redlines: dict[str, Redline]) -> None:
    """§ 8's paragraph moved and edited ("on kuvattu" → "kuvataan"): A's text whole in
    ``w:moveFrom``; at the new place the moved words in ``w:moveTo`` and the edit's word in
    ``w:ins`` between them, the deleted words not written there (LibreOffice would keep them
    or bring them back, :class:`tymdocs.render.docx._Move`); the paragraph marks of an edited
    move tracked as the insertion and deletion they also are."""
    found = redlines["edited"]
    body = found.body
    (gone,) = _ends(body, "moveFrom")
    assert _all_text(gone) == MOVED
    came = _ends(body, "moveTo")[0].getparent()
    changes = [
        (etree.QName(child).localname, _all_text(child))
        for child in came
        if child.tag in (f"{W}ins", f"{W}del", f"{W}moveTo")
    ]
    assert changes == [
        ("moveTo", "Henkilöstöresurssi alueittain ja tehtävärakenteineen 1.5.2025 alkaen "),
        ("ins", "kuvataan"),
        ("moveTo", " liitteessä 5."),
    ]
    ((start, stop),) = _ranges(body, "moveTo")
    assert start.get(f"{W}name") == "move1" and stop.getparent() is came
    assert not _paragraph_marks(body, "moveTo") and not _paragraph_marks(body, "moveFrom")
    assert came.getprevious().find(f"{W}pPr/{W}rPr/{W}ins") is not None
    assert gone.getparent().getprevious().find(f"{W}pPr/{W}rPr/{W}del") is not None
    found.check()


def test_a_list_item_moved(redlines: dict[str, Redline]) -> None:
    """An item of Liite 6 moved to the end of its list: ``w:moveFrom`` where it stood,
    ``w:moveTo`` at the end, one move."""
    found = redlines["item"]
    body = found.body
    (gone,), (came,) = _ends(body, "moveFrom"), _ends(body, "moveTo")
    assert _all_text(gone) == _all_text(came) == ITEM
    names = [start.get(f"{W}name") for side in MOVES.values() for start, _ in _ranges(body, side)]
    assert names == ["move1", "move1"]
    assert _all_text(came.getparent().getprevious()) == "ostopalveluiden tuottajat"
    found.check()


def test_every_id_is_its_own_and_the_files_open(redlines: dict[str, Redline]) -> None:
    """Every change, end of a move and range has an id of its own (a range's start and end
    share theirs), in the schema's order of properties; python-docx opens every file."""
    for found in redlines.values():
        body = found.body
        kinds = ("ins", "del", *MOVES.values(), *(f"{m}RangeStart" for m in MOVES.values()))
        ids = [e.get(f"{W}id") for e in body.iter(*(f"{W}{kind}" for kind in kinds))]
        assert len(ids) == len(set(ids))
        assert_schema_order(found.data)
        assert docx.Document(io.BytesIO(found.data)).paragraphs


def test_a_table_moved_stays_a_deletion_and_an_insertion() -> None:
    """A table moved to another section: its rows can only be inserted or deleted
    (``w:trPr``), so the move is written as the deletion and insertion it also is."""
    moved = table(("työkykyneuvoja", "0,8"), ("sosiaaliohjaaja", "1,0"), ("Yhteensä", "1,8"))
    a = document((_section(1, "Eka", paragraph("Yksi."), moved), _section(2, "Toka")))
    b = document((_section(1, "Eka", paragraph("Yksi.")), _section(2, "Toka", moved)))
    redline = redline_document(b, _pairs(a, b))
    assert [kind for part in redline.parts for kind, _ in moves(part)] == ["table", "table"]
    body = agreement_body(check_redline(a, b, _pairs(a, b)))
    assert not [e for kind in MOVES.values() for e in body.iter(f"{W}{kind}")]
    rows = [etree.QName(row.find(f"{W}trPr")[-1]).localname for row in body.iter(f"{W}tr")]
    assert rows == ["del"] * 4 + ["ins"] * 4  # the header and three rows, at both places


def test_an_item_moved_with_what_it_holds() -> None:
    """An item holding a paragraph moved to another section: the item's text and the
    paragraph inside it are both moved, each end one range."""
    held = paragraph("Kohdan tarkempi kuvaus omana kappaleenaan.")
    item = ListItem(None, plain("Työkykyneuvoja ohjaa asiakkaan palveluihin"), (held,))
    other = ListItem(None, plain("Toinen kohta pysyy paikallaan"))
    a = document(
        (
            _section(1, "Eka", paragraph("Yksi."), ListBlock((item, other))),
            _section(2, "Toka", paragraph("Kaksi.")),
        )
    )
    b = document(
        (
            _section(1, "Eka", paragraph("Yksi."), ListBlock((other,))),
            _section(2, "Toka", paragraph("Kaksi."), ListBlock((item,))),
        )
    )
    body = agreement_body(check_redline(a, b, _pairs(a, b)))
    for side in MOVES.values():
        assert [_all_text(e) for e in _ends(body, side)] == [
            "Työkykyneuvoja ohjaa asiakkaan palveluihin",
            "Kohdan tarkempi kuvaus omana kappaleenaan.",
        ]
        assert len(_ranges(body, side)) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_random_moves_accept_to_b_and_reject_to_a(case: _Case) -> None:
    """Paragraphs and list items moved at random within their section or to another, some
    edited, among deletions and insertions (tests/test_redline_moves.py): accepting every
    change in the DOCX gives B, rejecting every change A, and every range pairs."""
    a, b = (
        document(
            tuple(Part("section", n, f"{n} Osa", _blocks(u)) for n, u in enumerate(version, 1))
        )
        for version in (case.a, case.b)
    )
    body = agreement_body(check_redline(a, b, _pairs(a, b)))
    names = [sorted(s.get(f"{W}name") for s, _ in _ranges(body, side)) for side in MOVES.values()]
    assert names[0] == names[1]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_moves_as_moves(redlines: dict[str, Redline], tmp_path: Path) -> None:
    """LibreOffice takes ``w:moveFrom`` and ``w:moveTo`` for moved text: saved again as
    DOCX, a redline keeps the moved text as the move's ends, also where the move was
    edited (the two texts differ, so LibreOffice could not have found the move itself).
    LibreOffice 7.4 shows no move in its UNO API (its redlines have no ``IsMoved``) and
    writes no move ranges; what it saves is what it read."""
    sources = tmp_path / "in"
    sources.mkdir()
    for name, found in redlines.items():
        (sources / f"{name}.docx").write_bytes(found.data)
    names = list(redlines)
    saved = soffice_convert_many([sources / f"{name}.docx" for name in names], "docx", tmp_path)
    read = {}
    for name, path in zip(names, saved, strict=True):
        body = docx.Document(str(path)).element.body
        read[name] = tuple("".join(map(_all_text, body.iter(f"{W}{s}"))) for s in MOVES.values())
        assert not list(body.iter(*RANGES)), name
    assert read == {  # what moved here, what moved away
        "moved": (MOVED, MOVED),
        "edited": (MOVED.replace("on kuvattu", ""), MOVED),  # "kuvataan" is an insertion
        "item": (ITEM, ITEM),
    }
