"""The redline DOCX: Word's own tracked changes, read back with python-docx and lxml.

Accepting every change in the XML must give exactly the DOCX of B, and rejecting every change
exactly the DOCX of A: the same paragraphs with the same styles, list levels and text, the
same tables with the same rows. :func:`resolve` does in the XML what Word's "Accept all" and
"Reject all" do, so these tests hold the renderer to what a reviewer will see.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.helpers import (
    FIXTURES,
    agreement_of,
    assert_schema_order,
    copy_agreement,
    edit,
    normalise,
    pdf_pages,
    run,
    soffice_accept_and_reject,
    soffice_convert,
    soffice_convert_many,
    uno_python,
)
from tests.test_diff import SENTENCE, revise
from tests.test_governance import kela_to_one
from tests.test_redline_align import BOUNDS, bounded
from tymdocs.changes import Report, compare
from tymdocs.document import Document, Part, Stamp, compose, plain_text
from tymdocs.model import (
    Agreement,
    Block,
    Heading,
    Inline,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Paragraph,
    Row,
    Span,
    Table,
    plain,
)
from tymdocs.redline import merge_spans, redline_document
from tymdocs.render.docx import SUMMARY_TAG, render_docx, render_redline_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STAMP = Stamp("0123456789abcdef", False, "f" * 64, 1757930000, "Muutokset versio 1 → versio 2")
AUTHOR = 'Johtoryhmä & "Kela" <x>'
DATE = dt.date(2025, 9, 15)

# -- Word's "Accept all" and "Reject all", in the XML -----------------------------------------


MOVES = {"ins": "moveTo", "del": "moveFrom"}
"""The end of a move that resolves as each mark: moved here as inserted, moved away as
deleted."""
RANGES = tuple(f"{W}{side}Range{edge}" for side in MOVES.values() for edge in ("Start", "End"))


def resolve(body: etree._Element, keep: Literal["ins", "del"]) -> etree._Element:
    """A copy of ``body`` with every tracked change resolved: ``keep="ins"`` accepts all
    (insertions stay, deletions go), ``keep="del"`` rejects all; a move's new place
    (``w:moveTo``) resolves as an insertion, its old (``w:moveFrom``) as a deletion, and the
    ranges that name moves go. A paragraph whose paragraph mark goes is joined to the next
    paragraph (:func:`_join_next`); it must be empty by then unless a paragraph follows it,
    and it must not be the body's last."""
    body = copy.deepcopy(body)
    for marker in list(body.iter(*RANGES)):
        marker.getparent().remove(marker)
    drop = "del" if keep == "ins" else "ins"
    renamed = {f"{W}{move}": f"{W}{mark}" for mark, move in MOVES.items()}
    for element in list(body.iter(*renamed)):
        element.tag = renamed[element.tag]
    for row in list(body.iter(f"{W}tr")):
        properties = row.find(f"{W}trPr")
        if properties is None:
            continue
        if properties.find(f"{W}{drop}") is not None:
            row.getparent().remove(row)
            continue
        for element in properties.findall(f"{W}{keep}"):
            properties.remove(element)
        if len(properties) == 0:
            row.remove(properties)
    for table in list(body.iter(f"{W}tbl")):
        if table.find(f"{W}tr") is None:
            table.getparent().remove(table)
    for wrapper in list(body.iter(f"{W}{drop}")):  # run level: w:ins/w:del around runs
        if wrapper.getparent().tag == f"{W}p":
            wrapper.getparent().remove(wrapper)
    for wrapper in list(body.iter(f"{W}{keep}")):
        parent = wrapper.getparent()
        if parent.tag == f"{W}p":
            index = parent.index(wrapper)
            for offset, child in enumerate(list(wrapper)):
                parent.insert(index + offset, child)
            parent.remove(wrapper)
    for text in body.iter(f"{W}delText"):
        assert keep == "del", "a deleted text outside w:del"
        text.tag = f"{W}t"
    for paragraph in list(body.iter(f"{W}p")):
        properties = paragraph.find(f"{W}pPr")
        marks = properties.find(f"{W}rPr") if properties is not None else None
        if marks is None:
            continue
        if marks.find(f"{W}{drop}") is not None:
            _join_next(paragraph)
            continue
        for element in marks.findall(f"{W}{keep}"):
            marks.remove(element)
        if len(marks) == 0:
            properties.remove(marks)
        if len(properties) == 0:
            paragraph.remove(properties)
    return body


def _join_next(paragraph: etree._Element) -> None:
    """Remove ``paragraph``'s mark: its content moves to the start of the next paragraph,
    whose mark ends the joined one. The joined paragraph has ``paragraph``'s properties, as
    LibreOffice and Word (since Word 97) give it the first one's, unless ``paragraph`` was
    emptied (no text left): then it keeps the next one's."""
    following = paragraph.getnext()
    assert following is not None and following.tag != f"{W}sectPr", "the body's last mark"
    content = [child for child in paragraph if child.tag != f"{W}pPr"]
    if content:
        assert following.tag == f"{W}p", "content joined to a table"
        if _has_text(paragraph):
            _take_properties(following, paragraph)
        start = 1 if following.find(f"{W}pPr") is not None else 0
        for offset, child in enumerate(content):
            following.insert(start + offset, child)
    paragraph.getparent().remove(paragraph)


def _take_properties(target: etree._Element, source: etree._Element) -> None:
    """``target``'s paragraph properties replaced by ``source``'s, but for its paragraph
    mark (``w:rPr``), which stays ``target``'s."""
    found = source.find(f"{W}pPr")
    properties = copy.deepcopy(found) if found is not None else etree.Element(f"{W}pPr")
    for mark in properties.findall(f"{W}rPr"):
        properties.remove(mark)
    own = target.find(f"{W}pPr")
    if own is not None:
        properties.extend(own.findall(f"{W}rPr"))  # last in CT_PPr, as in ``source``
        target.remove(own)
    if len(properties):
        target.insert(0, properties)


def _has_text(paragraph: etree._Element) -> bool:
    """Whether a paragraph's runs hold any text, tab or line break."""
    return any(
        child.tag in (f"{W}tab", f"{W}br") or (child.tag == f"{W}t" and bool(child.text))
        for run in paragraph.iter(f"{W}r")
        for child in run
    )


def canonical(body: etree._Element) -> list[str]:
    """The body's children as XML, comparable across renderings: neighbouring runs with the
    same properties joined, table widths (fitted to the text shown) left out."""
    body = copy.deepcopy(body)
    for name in ("sectPr", "tblGrid", "tcW", "tblW"):
        for element in list(body.iter(f"{W}{name}")):
            element.getparent().remove(element)
    for paragraph in body.iter(f"{W}p"):
        previous = None
        for element in list(paragraph.findall(f"{W}r")):
            if [c.tag for c in element if c.tag != f"{W}rPr"] != [f"{W}t"]:
                previous = None
            elif previous is not None and _properties(element) == _properties(previous):
                previous.find(f"{W}t").text += element.find(f"{W}t").text or ""
                paragraph.remove(element)
            else:
                previous = element
    return [etree.tostring(child, encoding="unicode") for child in body]


def _properties(run: etree._Element) -> bytes:
    properties = run.find(f"{W}rPr")
    return b"" if properties is None else etree.tostring(properties)


def _all_text(element: etree._Element) -> str:
    """Every text in ``element``, deleted or not."""
    return "".join(t.text or "" for t in element.iter(f"{W}t", f"{W}delText"))


def _body(data: bytes) -> etree._Element:
    return docx.Document(io.BytesIO(data)).element.body


def agreement_body(data: bytes) -> etree._Element:
    """A redline's body without the summary it opens with: one content control of its own,
    with no tracked change, before the title."""
    body = _body(data)
    (summary,) = [element for element in body if element.tag == f"{W}sdt"]
    assert body.index(summary) == 0
    assert summary.find(f"{W}sdtPr/{W}tag").get(f"{W}val") == SUMMARY_TAG
    assert summary.find(f".//{W}ins") is None and summary.find(f".//{W}del") is None
    body.remove(summary)
    return body


def lines(body: etree._Element) -> list[str]:
    """Paragraph texts and table rows, read by python-docx from ``body``."""
    document = docx.Document(io.BytesIO(_empty_docx()))
    document.element.replace(document.element.body, body)
    found: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, docx.text.paragraph.Paragraph):
            found.append(item.text)
        else:
            found.extend(" | ".join(c.text for c in row.cells) for row in item.rows)
    return found


@functools.cache
def _empty_docx() -> bytes:
    return render_docx(_document(()), STAMP)


# -- building documents and redlines ----------------------------------------------------------


def _document(parts: tuple[Part, ...]) -> Document:
    return Document("Yhteistoimintasopimus", "fi", parts)


def _report(a: Document, b: Document, pairs: list[tuple[Part | None, Part | None]]) -> Report:
    redline = redline_document(b, pairs, a_title=a.title)
    return Report("Muutokset", "Versio 1", "Versio 2", (), redline, AUTHOR, DATE)


def _pairs(a: Document, b: Document) -> list[tuple[Part | None, Part | None]]:
    """Parts matched by kind and number, in B's order, A's removed ones where they stood."""
    old = {(p.kind, p.number): p for p in a.parts}
    new = {(p.kind, p.number): p for p in b.parts}
    keys = list(dict.fromkeys([*(k for k in new), *(k for k in old)]))
    order = sorted(keys, key=lambda k: (k[0] != "section", k[1]))
    return [(old.get(k), new.get(k)) for k in order]


def check_redline(a: Document, b: Document, pairs: list[tuple[Part | None, Part | None]]) -> bytes:
    """Render the redline of ``a`` and ``b`` and :func:`check_docx` it. Returns the DOCX."""
    data = render_redline_docx(_report(a, b, pairs), STAMP)
    check_docx(data, a, b, AUTHOR, DATE)
    return data


def check_docx(data: bytes, a: Document, b: Document, author: str, date: dt.date) -> None:
    """Accepting every change in the redline DOCX ``data`` must give B's DOCX, rejecting
    every change A's, after the summary it opens with; and every change (an end of a move
    and the start of its range too) carries its own id, ``author`` and ``date``."""
    body = agreement_body(data)
    for keep, version in (("ins", b), ("del", a)):
        resolved = resolve(body, keep)  # type: ignore[arg-type]
        want = _body(render_docx(version, STAMP))
        assert _trim(lines(resolved), lines(want)) == lines(want)
        assert _trim(canonical(resolved), canonical(want)) == canonical(want)
    ids = []
    marks = ("ins", "del", *MOVES.values(), *(f"{move}RangeStart" for move in MOVES.values()))
    for change in body.iter(*(f"{W}{mark}" for mark in marks)):
        assert change.get(f"{W}author") == author
        assert change.get(f"{W}date") == f"{date.isoformat()}T00:00:00Z"
        ids.append(change.get(f"{W}id"))
    assert len(ids) == len(set(ids)), "tracked change ids are unique"
    assert all(re.fullmatch(r"\d+", i) for i in ids)
    last = body.findall(f"{W}p")[-1]  # the document's last paragraph mark: never tracked
    assert last.getnext().tag == f"{W}sectPr" and last.find(f"{W}pPr/{W}rPr") is None


def _trim(got: list[str], want: list[str]) -> list[str]:
    """The redline may close its body with one empty paragraph (the document's last paragraph
    mark cannot be tracked), after a marked last paragraph; only that one is left out."""
    if len(got) == len(want) + 1 and (got[-1] == "" or _EMPTY_P.fullmatch(got[-1])):
        return got[:-1]
    return got


_EMPTY_P = re.compile(r'<w:p(?: xmlns:\w+="[^"]*")*/>')


def _text(words: list[tuple[str | None, bool, bool]]) -> Inlines:
    """Words (None: a line break) with their flags, a space between words, as merged spans."""
    parts: list[Inline] = []
    for index, (word, strong, emphasis) in enumerate(words):
        if word is None:
            parts.append(LineBreak())
        else:
            space = " " if index and words[index - 1][0] is not None else ""
            parts.append(Span(space + word, strong, emphasis))
    return merge_spans(parts)


def _section(number: int, title: str, *blocks: Block) -> Part:
    return Part("section", number, f"{number} {title}", blocks)


def _annex(number: int, title: str, *blocks: Block) -> Part:
    return Part("annex", number, f"Liite {number} {title}", blocks)


def _p(text: str) -> Paragraph:
    return Paragraph(plain(text))


def _h(text: str) -> Heading:
    return Heading(2, plain(text))


def _table(*rows: tuple[str, str], strong_last: bool = True) -> Table:
    body = tuple(
        Row((plain(x), plain(y)), strong=strong_last and i == len(rows) - 1)
        for i, (x, y) in enumerate(rows)
    )
    return Table((plain("Tehtävä"), plain("htv")), body, align=(None, "right"))


# -- the property: random word edits of a paragraph ------------------------------------------

_WORDS = st.sampled_from(
    [
        "Kela",
        "osoittaa",
        "0,75",
        "1,0",
        "htv",
        "1.5.2025",
        "381/2023",
        "§",
        ",",
        ".",
        "(",
        ")",
        "–",
        "työllisyysalue",
        "<b>",
        "&amp;",
        "ja",
        "ja",
        "ja",
    ]
)
_WORD = st.tuples(st.one_of(_WORDS, st.none()), st.booleans(), st.booleans()).filter(
    lambda w: w[0] is not None or not (w[1] or w[2])
)


@st.composite
def _edited(draw: st.DrawFn) -> tuple[list[tuple[str | None, bool, bool]], ...]:
    """Words of a paragraph, and the same words after random inserts, deletes, replacements
    and a changed emphasis."""
    old = draw(st.lists(_WORD, min_size=1, max_size=12))
    new = list(old)
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "flags"]))
        at = draw(st.integers(0, max(len(new) - 1, 0)))
        if kind == "insert" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(_WORD))
        elif kind == "delete":
            del new[at]
        elif kind == "replace":
            new[at] = draw(_WORD)
        elif new[at][0] is not None:
            new[at] = (new[at][0], not new[at][1], new[at][2])
    return old, new


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _edited(),
    st.sampled_from(["paragraph", "heading", "item", "cell"]),
    st.sampled_from(BOUNDS),
)
def test_accepting_all_gives_b_and_rejecting_all_gives_a(
    edit: tuple[list[tuple[str | None, bool, bool]], ...], where: str, bound: int
) -> None:
    """Random word edits, aligned exactly (the bound as shipped) and, with smaller bounds, cut
    at the words both sides share or replaced whole (see tests/test_redline_align.py)."""
    old, new = edit

    def document(words: list[tuple[str | None, bool, bool]]) -> Document:
        content = _text(words)
        block: Block
        if where == "paragraph":
            block = Paragraph(content)
        elif where == "heading":
            block = Heading(2, content)
        elif where == "item":
            block = ListBlock((ListItem("1)", content), ListItem("2)", plain("toinen"))))
        else:
            cell = tuple(p for p in content if isinstance(p, Span))  # cells hold no breaks
            block = Table((plain("A"), plain("B")), (Row((plain("Kela"), cell or plain("-"))),))
        part = _section(8, "Henkilöstö", _p("Ennen."), block, _p("Jälkeen."))
        return _document((part,))

    a, b = document(old), document(new)
    with bounded(bound):
        check_redline(a, b, _pairs(a, b))


def test_a_change_of_emphasis_alone_is_marked() -> None:
    a = _document((_section(8, "Henkilöstö", Paragraph((Span("Kela"),))),))
    b = _document((_section(8, "Henkilöstö", Paragraph((Span("Kela", strong=True),))),))
    check_redline(a, b, _pairs(a, b))


# -- the property: random edits of blocks, items and rows -------------------------------------

_BLOCKS: list[Block] = [
    _p("Sopijaosapuolet sitoutuvat yhteistyöhön."),
    _p("Kela osoittaa 0,75 htv."),
    Heading(2, plain("Voimassaolo")),
    ListBlock((ListItem(None, plain("ensimmäinen")), ListItem(None, plain("toinen")))),
    ListBlock(
        (
            ListItem("1.", plain("yksi"), (_p("selitys"),)),
            ListItem("2.", plain("kaksi"), (ListBlock((ListItem(None, plain("sisempi")),)),)),
        )
    ),
    _table(("työkykyneuvoja", "0,8"), ("Yhteensä", "4,555")),
    _table(("sosiaaliohjaaja", "1,0"), ("sosiaalityöntekijä", "0,5"), ("Yhteensä", "1,5")),
    Paragraph((Span("Osoite: "), LineBreak(), Span("Tampere", strong=True))),
]


@st.composite
def _mutated(draw: st.DrawFn, blocks: list[Block]) -> list[Block]:
    """``blocks`` with blocks, list items and table rows inserted, deleted and changed."""
    result = list(blocks)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "item", "row", "word"]))
        at = draw(st.integers(0, max(len(result) - 1, 0)))
        if kind == "insert" or not result:
            result.insert(draw(st.integers(0, len(result))), draw(st.sampled_from(_BLOCKS)))
            continue
        block = result[at]
        if kind == "delete":
            del result[at]
        elif kind == "item" and isinstance(block, ListBlock):
            items = list(block.items)
            if len(items) > 1 and draw(st.booleans()):
                del items[draw(st.integers(0, len(items) - 1))]
            else:
                marker = None if items[0].marker is None else "3."
                items.insert(draw(st.integers(0, len(items))), ListItem(marker, plain("uusi")))
            result[at] = ListBlock(tuple(items))
        elif kind == "row" and isinstance(block, Table):
            rows = list(block.rows)
            if len(rows) > 1 and draw(st.booleans()):
                del rows[draw(st.integers(0, len(rows) - 1))]
            else:
                new = Row((plain("ohjaaja"), plain(draw(st.sampled_from(["0,2", "1,0"])))))
                rows.insert(draw(st.integers(0, len(rows))), new)
            result[at] = Table(block.header, tuple(rows), block.align)
        elif kind == "word" and isinstance(block, Paragraph):
            result[at] = Paragraph((*block.content, Span(" lisäys")))
    return result


@st.composite
def _versions(draw: st.DrawFn) -> tuple[Document, Document]:
    """Two versions: sections and annexes, some added, removed or retitled."""
    a_parts: list[Part] = []
    b_parts: list[Part] = []
    for kind, number in (("section", 1), ("section", 2), ("annex", 1), ("annex", 2)):
        blocks = draw(st.lists(st.sampled_from(_BLOCKS), min_size=0, max_size=4))
        title = "Henkilöstö" if kind == "annex" else "Yhteistyö"
        heading = f"Liite {number} {title}" if kind == "annex" else f"{number} {title}"
        fate = draw(st.sampled_from(["same", "same", "added", "removed", "retitled"]))
        new_heading = heading + " ja resurssit" if fate == "retitled" else heading
        if fate != "added":
            a_parts.append(Part(kind, number, heading, tuple(blocks)))  # type: ignore[arg-type]
        if fate != "removed":
            changed = tuple(draw(_mutated(blocks)))
            b_parts.append(Part(kind, number, new_heading, changed))  # type: ignore[arg-type]
    return _document(tuple(a_parts)), _document(tuple(b_parts))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_versions(), st.sampled_from(BOUNDS))
def test_any_two_versions_accept_to_b_and_reject_to_a(
    versions: tuple[Document, Document], bound: int
) -> None:
    a, b = versions
    with bounded(bound):
        check_redline(a, b, _pairs(a, b))


# -- the cases a reviewer meets ---------------------------------------------------------------

BASE = _document(
    (
        _section(
            3,
            "Toimialue",
            _p("Toimialueeseen kuuluvat Sastamala ja Punkalaidun."),
            ListBlock((ListItem(None, plain("Sastamala")), ListItem(None, plain("Punkalaidun")))),
        ),
        _section(
            8,
            "Henkilöstöresurssit",
            _p("Kela osoittaa 0,75 htv."),
            _table(("työkykyneuvoja", "0,8"), ("Yhteensä", "4,555")),
        ),
        _annex(4, "Palvelut", _p("Palvelut kuvataan tässä.")),
    )
)


def _replace_part(document: Document, index: int, part: Part | None) -> Document:
    parts = list(document.parts)
    if part is None:
        del parts[index]
    else:
        parts[index] = part
    return _document(tuple(parts))


def _with_blocks(part: Part, *blocks: Block) -> Part:
    return Part(part.kind, part.number, part.heading, blocks)


S3, S8, L4 = BASE.parts
CASES = {
    "paragraph added": _replace_part(
        BASE, 0, _with_blocks(S3, S3.blocks[0], _p("Uusi kappale."), S3.blocks[1])
    ),
    "list item added": _replace_part(
        BASE,
        0,
        _with_blocks(
            S3,
            S3.blocks[0],
            ListBlock((*S3.blocks[1].items, ListItem(None, plain("Huittinen")))),  # type: ignore[union-attr]
        ),
    ),
    "table row added": _replace_part(
        BASE,
        1,
        _with_blocks(
            S8,
            S8.blocks[0],
            _table(("työkykyneuvoja", "0,8"), ("ohjaaja", "0,2"), ("Yhteensä", "4,755")),
        ),
    ),
    "annex added": _document(
        (*BASE.parts, _annex(5, "Henkilöstöresurssi", _p("Uusi liite."), _table(("a", "1"))))
    ),
    "section renumbered": _replace_part(
        BASE, 1, Part("section", 9, "9 Henkilöstöresurssit", S8.blocks)
    ),
    "figure changed": _replace_part(
        BASE, 1, _with_blocks(S8, _p("Kela osoittaa 1,0 htv."), S8.blocks[1])
    ),
    "title changed": Document("Yhteistoimintasopimus 2026–2030", "fi", BASE.parts),
}


def _case_pairs(a: Document, b: Document, case: str) -> list[tuple[Part | None, Part | None]]:
    if case == "section renumbered":  # matched by title: § 8 became § 9
        return list(zip(a.parts, b.parts, strict=True))  # type: ignore[arg-type]
    return _pairs(a, b)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("direction", ["forward", "back"])
def test_each_kind_of_change_accepts_to_b_and_rejects_to_a(case: str, direction: str) -> None:
    """Every change both ways: a paragraph, list item, table row or annex added (forward)
    and removed (back), a section renumbered and back, a figure changed and back."""
    a, b = (BASE, CASES[case]) if direction == "forward" else (CASES[case], BASE)
    data = check_redline(a, b, _case_pairs(a, b, case))
    body = _body(data)
    assert body.find(f".//{W}ins") is not None or body.find(f".//{W}del") is not None


def test_marks_sit_where_word_expects_them() -> None:
    """A whole paragraph, list item and part mark their paragraph marks, table rows their
    row properties, a renumbered heading shows both numbers; the schema's element order."""
    a = BASE
    b = _document(
        (
            _with_blocks(S3, *S3.blocks),
            Part(
                "section",
                9,
                "9 Henkilöstöresurssit",
                (
                    _p("Kela osoittaa 1,0 htv."),
                    _table(("työkykyneuvoja", "0,8"), ("ohjaaja", "0,2"), ("Yhteensä", "4,755")),
                ),
            ),
            _annex(5, "Henkilöstöresurssi", _p("Uusi liite.")),
        )
    )
    pairs: list[tuple[Part | None, Part | None]] = [
        (S3, b.parts[0]),
        (S8, b.parts[1]),
        (L4, None),
        (None, b.parts[2]),
    ]
    data = check_redline(a, b, pairs)
    body = _body(data)
    paragraphs = body.findall(f"{W}p")
    texts = [_all_text(p) for p in paragraphs]
    renumbered = paragraphs[texts.index("8 Henkilöstöresurssit9 Henkilöstöresurssit")]
    assert [c.tag for c in renumbered if c.tag != f"{W}pPr"] == [f"{W}del", f"{W}ins"]
    assert renumbered.find(f"{W}del/{W}r/{W}delText").text == "8 Henkilöstöresurssit"
    # the removed annex: heading and paragraph deleted with their paragraph marks
    removed = paragraphs[texts.index("Liite 4 Palvelut")]
    assert removed.find(f"{W}pPr/{W}rPr/{W}del") is not None
    assert removed.find(f"{W}pPr/{W}pageBreakBefore") is not None
    added = paragraphs[texts.index("Liite 5 Henkilöstöresurssi")]
    assert added.find(f"{W}pPr/{W}rPr/{W}ins") is not None
    assert added.find(f"{W}ins/{W}r/{W}t").text == "Liite 5 Henkilöstöresurssi"
    (row,) = [r for r in body.iter(f"{W}tr") if r.find(f"{W}trPr/{W}ins") is not None]
    assert _all_text(row) == "ohjaaja0,2"
    for properties in body.iter(f"{W}pPr"):  # rPr is the last of CT_PPr's children here
        tags = [c.tag for c in properties]
        assert f"{W}rPr" not in tags[:-1]
        marks = properties.find(f"{W}rPr")
        if marks is not None:  # CT_ParaRPr: w:ins/w:del before any formatting
            assert marks[0].tag in (f"{W}ins", f"{W}del")
    for properties in body.iter(f"{W}trPr"):  # CT_TrPr: w:ins/w:del after CT_TrPrBase
        tags = [c.tag.removeprefix(W) for c in properties]
        assert tags in (["tblHeader"], ["ins"], ["del"], ["tblHeader", "ins"], ["tblHeader", "del"])
    for wrapper in (*body.iter(f"{W}ins"), *body.iter(f"{W}del")):
        if wrapper.getparent().tag == f"{W}p":
            assert [c.tag for c in wrapper] == [f"{W}r"]
    for element in body.iter(f"{W}r"):
        deleted = element.getparent().tag == f"{W}del"
        assert (element.find(f"{W}t") is None) or not deleted, "deleted text is w:delText"
        assert (element.find(f"{W}delText") is None) or deleted


def test_an_agreement_without_marks_is_unchanged_and_ids_count_from_one() -> None:
    """The redline of a version against itself has no tracked change and reads as B; ids of
    a redline are numbered in document order, the same on every render."""
    same = check_redline(BASE, BASE, _pairs(BASE, BASE))
    body = _body(same)
    assert body.find(f".//{W}ins") is None and body.find(f".//{W}del") is None
    b = CASES["figure changed"]
    report = _report(BASE, b, _pairs(BASE, b))
    first, second = render_redline_docx(report, STAMP), render_redline_docx(report, STAMP)
    assert first == second
    ids = [e.get(f"{W}id") for e in _body(first).iter(f"{W}ins", f"{W}del")]
    assert ids == [str(n) for n in range(1, len(ids) + 1)]


def test_a_changed_title_is_tracked_in_the_body_and_the_header() -> None:
    """A's title deleted, then B's inserted, in the title paragraph (the body's first marks)
    and in the header (numbered after the body's); the properties name the report."""
    b = Document("Yhteistoimintasopimus 2026–2030", "fi", CASES["figure changed"].parts)
    data = check_redline(BASE, b, _pairs(BASE, b))
    title = _body(data).find(f"{W}p")
    assert [c.tag for c in title if c.tag != f"{W}pPr"] == [f"{W}del", f"{W}ins"]
    assert title.find(f"{W}del").get(f"{W}id") == "1"
    assert _all_text(title.find(f"{W}del")) == "Yhteistoimintasopimus"
    assert _all_text(title.find(f"{W}ins")) == "Yhteistoimintasopimus 2026–2030"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        header = etree.fromstring(package.read("word/header1.xml"))
    (deleted,) = header.iter(f"{W}del")
    (inserted,) = header.iter(f"{W}ins")
    assert _all_text(deleted) == "Yhteistoimintasopimus"
    assert _all_text(inserted) == "Yhteistoimintasopimus 2026–2030"
    body_ids = [int(e.get(f"{W}id")) for e in _body(data).iter(f"{W}ins", f"{W}del")]
    assert [int(deleted.get(f"{W}id")), int(inserted.get(f"{W}id"))] == [
        max(body_ids) + 1,
        max(body_ids) + 2,
    ]
    assert docx.Document(io.BytesIO(data)).core_properties.title == "Muutokset"
    unchanged = render_redline_docx(_report(BASE, BASE, _pairs(BASE, BASE)), STAMP)
    with zipfile.ZipFile(io.BytesIO(unchanged)) as package:
        assert b"w:del" not in package.read("word/header1.xml")


def test_properties_name_the_report() -> None:
    b = CASES["annex added"]
    data = render_redline_docx(_report(BASE, b, _pairs(BASE, b)), STAMP)
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.title == "Muutokset"
    assert properties.author == AUTHOR
    assert properties.subject == "Versio 1 → Versio 2"
    assert lines(_body(data))[0] == "Yhteistoimintasopimus"


def test_marks_without_an_author_are_refused_by_the_agreement_renderer() -> None:
    report = _report(BASE, CASES["figure changed"], _pairs(BASE, CASES["figure changed"]))
    with pytest.raises(ValueError, match="render_redline_docx"):
        render_docx(report.redline, STAMP)


# -- real agreements, through compare() and the command ---------------------------------------


@pytest.mark.parametrize("source", ["seed", "kuvitteellinen"])
def test_a_real_revision_accepts_to_b_and_rejects_to_a(tmp_path: Path, source: str) -> None:
    """The seed with the issue's fixture revision (a sentence of § 8, Kela's htv and the
    total in Liite 5, a member of Liite 2), an annex removed and one added; the made-up
    agreement with a section added and one renumbered."""
    a = copy_agreement(tmp_path / "a", FIXTURES / source)
    b = copy_agreement(tmp_path / "b", FIXTURES / source)
    if source == "seed":
        revise(b)
        (b / "annexes" / "liite-6-tietosuojaseloste.md").unlink()
        edit(b, "docs_src/11-asiakastietoaineisto.md", "Liitteenä 6 on", "Erillisenä on")
        (b / "annexes" / "liite-7-viestinta.md").write_text("# Liite 7 VIESTINTÄ\n\nTeksti.\n")
    else:
        text = (b / "docs_src" / "sopimus.md").read_text(encoding="utf-8")
        text = text.replace("# 3 Voimassaolo", "# 4 Voimassaolo").replace(
            "# 2 Henkilöstö", "# 2 Henkilöstö\n\nUusi kappale.\n\n# 3 Yhteistyö\n\nYhteistyöstä."
        )
        (b / "docs_src" / "sopimus.md").write_text(text, encoding="utf-8")
    x, y = agreement_of(a), agreement_of(b)
    report = compare(x, y, a_label="Versio 1", b_label="Versio 2", author="Johtoryhmä", date=DATE)
    assert report.changes
    data = render_redline_docx(report, STAMP)
    check_docx(data, compose(x), compose(y), "Johtoryhmä", DATE)
    assert_schema_order(data)
    deleted = " ".join(t.text or "" for t in _body(data).iter(f"{W}delText"))
    inserted = " ".join(t.text or "" for t in _body(data).iter(f"{W}t") if _inserted(t))
    if source == "seed":
        assert "0,8" in deleted and "Elina Anttila" in deleted and "LIITE 6" in deleted
        assert "1,0" in inserted and "Eeva Esimerkki" in inserted and "VIESTINTÄ" in inserted
    else:
        assert "3 Voimassaolo" in deleted
        assert "4 Voimassaolo" in inserted and "Uusi kappale" in inserted


def _two_agreements(tmp_path: Path, case: str) -> tuple[Agreement, Agreement]:
    """The seed, and the seed with another title (and § 8's sentence); or the seed and the
    made-up agreement, which have nothing in common but some section titles, crossing."""
    a = copy_agreement(tmp_path / "a", FIXTURES / "seed")
    if case == "unrelated agreements":
        return agreement_of(a), agreement_of(FIXTURES / "kuvitteellinen")
    b = copy_agreement(tmp_path / "b", FIXTURES / "seed")
    edit(b, "tymdocs.yaml", "title: SOPIMUS", "title: UUSI SOPIMUS")
    revise(b)
    return agreement_of(a), agreement_of(b)


TITLED = ["title changed", "unrelated agreements"]


@pytest.mark.parametrize("case", TITLED)
def test_two_versions_with_other_titles_accept_to_b_and_reject_to_a(
    tmp_path: Path, case: str
) -> None:
    """Through compare(): the title tracked, and parts matched across the two agreements in
    an order both share, so that rejecting gives A's order too."""
    x, y = _two_agreements(tmp_path, case)
    assert x.meta.title != y.meta.title
    report = compare(x, y, a_label="A", b_label="B", author="Johtoryhmä", date=DATE)
    data = render_redline_docx(report, STAMP)
    check_docx(data, compose(x), compose(y), "Johtoryhmä", DATE)
    assert_schema_order(data)


def _inserted(text: etree._Element) -> bool:
    """Whether a ``w:t`` is inserted text: its run sits in ``w:ins``."""
    return text.getparent().getparent().tag == f"{W}ins"


def test_tymdocs_diff_writes_the_docx(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    """``tymdocs diff --format docx`` of the working tree against version 1: tracked changes
    by "Kirjaamaton muutos" (no record made them yet), on the day of the working tree."""
    revise(repo)
    out = repo / "build" / "muutokset"
    result = run(capsys, "-C", str(repo), "diff", "--format", "docx", "-o", str(out))
    assert result.code == 0, result.err
    (path,) = out.glob("*.docx")
    assert path.name.startswith("muutokset-")
    body = _body(path.read_bytes())
    changes = [*body.iter(f"{W}ins"), *body.iter(f"{W}del")]
    assert changes and {c.get(f"{W}author") for c in changes} == {"Kirjaamaton muutos"}
    assert len({c.get(f"{W}date") for c in changes}) == 1
    accepted = normalise(" ".join(lines(resolve(body, "ins"))))
    rejected = normalise(" ".join(lines(resolve(body, "del"))))
    assert SENTENCE[1] in accepted and SENTENCE[1] not in rejected
    assert SENTENCE[0] in rejected and SENTENCE[0] not in accepted


# -- the summary it opens with: the HTML's (issue 18) ----------------------------------------


class _SummaryTexts(HTMLParser):
    """The texts of an HTML redline's title and summary, block by block in document order:
    the header's title, the summary's section and the table of changed parts; the legend of
    the HTML's colours left out (Word shows its own marks)."""

    BLOCKS = frozenset({"h1", "h2", "h3", "p", "dt", "dd", "li", "th", "td"})
    SECTIONS = frozenset({"yhteenveto", "muuttuneet-osat"})

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[list[str]] = []
        self.open: list[list[str]] = []
        self.section = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self.section = found.get("id") in self.SECTIONS
        if tag in self.BLOCKS and (self.section or tag == "h1"):
            block: list[str] = []
            if found.get("class") != "legend":
                self.blocks.append(block)
            self.open.append(block)

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.section = False
        if tag in self.BLOCKS and self.open and (self.section or tag == "h1"):
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].append(data)

    @classmethod
    def read(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        return [text for block in parser.blocks if (text := normalise("".join(block)))]


def _docx_summary(data: bytes) -> list[str]:
    """The texts of a DOCX redline's summary, read with python-docx: its content control's
    paragraphs, and its tables cell by cell, each cell paragraph by paragraph."""
    document = docx.Document(io.BytesIO(data))
    (control,) = document.element.body.findall(f"{W}sdt")
    texts: list[str] = []
    for element in control.find(f"{W}sdtContent"):
        if element.tag == f"{W}p":
            texts.append(docx.text.paragraph.Paragraph(element, document).text)
        elif element.tag == f"{W}tbl":
            for row in docx.table.Table(element, document).rows:
                texts.extend(p.text for cell in row.cells for p in cell.paragraphs)
    return [text for text in map(normalise, texts) if text]


def test_the_docx_opens_with_the_html_s_summary(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """``tymdocs diff`` of version 1 against a working tree with a recorded decision (Liite
    5, with its effective date), and unrecorded changes of § 8 and Liite 2: the DOCX's summary
    says what the HTML's does, text for text and in its order (the versions, the counts, the
    records the changes need with the parts, and each changed part with its status, sentences,
    need and record), above the agreement's title."""
    kela_to_one(repo)
    args = ("--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4")
    result = run(
        capsys, "-C", str(repo), "approve", *args, "--effective", "1.10.2025", "-m", "Kela"
    )
    assert result.code == 0, result.err
    edit(repo, "docs_src/08-henkilosto.md", *SENTENCE)
    edit(repo, "annexes/liite-2-kokoonpano.yaml", "  - name: Elina Anttila", "  - name: Eeva E")
    out = repo / "build" / "muutokset"
    result = run(capsys, "-C", str(repo), "diff", "1", "--format", "html,docx", "-o", str(out))
    assert result.code == 0, result.err
    (html,) = out.glob("*.html")
    (docx_path,) = out.glob("*.docx")
    expected = _SummaryTexts.read(html.read_text(encoding="utf-8"))
    assert _docx_summary(docx_path.read_bytes()) == expected
    assert "Kirjattu: Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025 alkaen" in expected
    assert len(expected) > 25  # the whole summary: versions, needs, three changed parts
    assert lines(_body(docx_path.read_bytes()))[0].startswith("SOPIMUS TYÖLLISTYMISTÄ")  # title


# -- LibreOffice opens it and reads the changes as changes ------------------------------------

ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
LOEXT = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_tracked_changes(tmp_path: Path) -> None:
    """One conversion to ODT: LibreOffice keeps every insertion in the text and moves every
    deletion into its list of tracked changes, so the text it shows once changes are
    accepted is B's, word for word, and the deleted words are A's."""
    b = _document(
        (
            _with_blocks(S3, S3.blocks[0], _p("Uusi kappale."), S3.blocks[1]),
            Part(
                "section",
                9,
                "9 Henkilöstöresurssit",
                (
                    _p("Kela osoittaa 1,0 htv."),
                    _table(("työkykyneuvoja", "0,8"), ("ohjaaja", "0,2"), ("Yhteensä", "4,755")),
                ),
            ),
            _annex(5, "Henkilöstöresurssi", _p("Uusi liite.")),
        )
    )
    pairs: list[tuple[Part | None, Part | None]] = [
        (S3, b.parts[0]),
        (S8, b.parts[1]),
        (L4, None),
        (None, b.parts[2]),
    ]
    source = tmp_path / "muutokset.docx"
    source.write_bytes(check_redline(BASE, b, pairs))
    with zipfile.ZipFile(soffice_convert(source, "odt", tmp_path)) as odt:
        content = etree.fromstring(odt.read("content.xml"))
    text = f"{{{ODF_TEXT}}}"
    changes = content.find(f".//{text}tracked-changes")
    assert changes is not None
    regions = changes.findall(f"{text}changed-region")
    kinds = [region[0].tag.removeprefix(text) for region in regions]
    assert "insertion" in kinds and "deletion" in kinds
    deleted = normalise(" ".join(" ".join(r.itertext()) for r in regions))
    for words in ("8 Henkilöstöresurssit", "0,75", "Liite 4 Palvelut", "Palvelut kuvataan"):
        assert words in deleted
    # A tracked row: LibreOffice inserts or deletes the row itself on accepting or rejecting.
    row_styles = {
        style.get(f"{{{ODF_STYLE}}}name"): style.find(f"{{{ODF_STYLE}}}table-row-properties")
        for style in content.iter(f"{{{ODF_STYLE}}}style")
    }
    whole_row = {
        name
        for name, properties in row_styles.items()
        if properties is not None and properties.get(f"{{{LOEXT}}}text-changes-only") == "false"
    }
    rows = {
        normalise(" ".join(row.itertext())): row.get(
            "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}style-name"
        )
        for row in content.iter("{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-row")
    }
    assert [text for text, style in rows.items() if style in whole_row] == ["ohjaaja 0,2"]
    changes.getparent().remove(changes)
    office_text = content.find(".//{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text")
    shown = ["".join(block.itertext()) for block in office_text.iter(f"{text}p", f"{text}h")]
    shown = shown[shown.index(b.title) :]  # the summary stands above the title
    expected = plain_text(b).split("\n")
    assert normalise(" ".join(shown)) == normalise(" ".join(expected))


def _shown(data: bytes) -> list[str]:
    """The text of a DOCX's paragraphs and table rows from its title on (a redline's summary
    stands above it), without empty ones (LibreOffice saves the paragraph between two tables
    and the body's last its own way)."""
    found: list[str] = []
    for item in docx.Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(item, docx.text.paragraph.Paragraph):
            if found or item.style.name == "Title":
                found.append(item.text)
        elif found:
            found.extend(" ".join(cell.text for cell in row.cells) for row in item.rows)
    return [normalise(line) for line in found if line.strip()]


@pytest.mark.skipif(
    shutil.which("soffice") is None or uno_python() is None,
    reason="LibreOffice, with a Python that has its uno module, is not installed",
)
@pytest.mark.parametrize("case", TITLED)
def test_libreoffice_accepts_all_to_b_and_rejects_all_to_a(tmp_path: Path, case: str) -> None:
    """LibreOffice's own "Accept All" gives B's text and "Reject All" A's, title and header
    included: of a version whose title changed, and of two unrelated agreements."""
    x, y = _two_agreements(tmp_path, case)
    report = compare(x, y, a_label="A", b_label="B", author="Johtoryhmä", date=DATE)
    source = tmp_path / "muutokset.docx"
    source.write_bytes(render_redline_docx(report, STAMP))
    accepted, rejected = soffice_accept_and_reject(source, tmp_path)
    for resolved, agreement in ((accepted, y), (rejected, x)):
        assert _shown(resolved.read_bytes()) == _shown(render_docx(compose(agreement), STAMP))
        header = docx.Document(str(resolved)).sections[0].header
        assert header.tables[0].rows[0].cells[0].text == agreement.meta.title


# -- paragraph marks for LibreOffice (issue 18) and each part's own author --------------------
# tests/test_redline_libreoffice.py has LibreOffice itself resolve real amendments; these hold
# the XML that makes it do so, where LibreOffice is not installed too.


def _paragraphs(data: bytes) -> dict[str, etree._Element]:
    """The body's paragraphs by their text, deleted or not."""
    return {_all_text(p): p for p in _body(data).iter(f"{W}p")}


def _mark(paragraph: etree._Element) -> str | None:
    """How a paragraph's paragraph mark is tracked: ``ins``, ``del``, ``moveFrom``,
    ``moveTo`` or None."""
    marks = paragraph.find(f"{W}pPr/{W}rPr")
    return None if marks is None else etree.QName(marks[0]).localname


def _changes(paragraph: etree._Element) -> list[tuple[str, str]]:
    """A paragraph's tracked runs in order: kind and text."""
    kinds = [f"{W}{kind}" for kind in ("ins", "del", *MOVES.values())]
    return [(etree.QName(c).localname, _all_text(c)) for c in paragraph if c.tag in kinds]


def _items(*texts: str) -> ListBlock:
    return ListBlock(tuple(ListItem(f"{n})", plain(t)) for n, t in enumerate(texts, start=1)))


def test_an_item_added_after_an_amended_last_item_tracks_that_item_s_paragraph_mark() -> None:
    """The last item's "." becomes ";" and an item is added: the paragraph mark inserted is
    the amended item's, as Word writes an Enter typed at its end. With the new item's own
    mark tracked instead, LibreOffice makes one change of ";" and the new item and rejecting
    joins the amended item to the paragraph after the list."""
    a = _document((_section(11, "Tietoaineisto", _items("eka;", "toka."), _p("Lopuksi.")),))
    b = _document(
        (_section(11, "Tietoaineisto", _items("eka;", "toka;", "kolmas."), _p("Lopuksi.")),)
    )
    data = check_redline(a, b, _pairs(a, b))
    found = _paragraphs(data)
    assert _changes(found["2)toka.;"]) == [("del", "."), ("ins", ";")]
    assert _mark(found["2)toka.;"]) == "ins"
    assert _mark(found["3)kolmas."]) is None
    assert _mark(found["Lopuksi."]) is None


def test_a_paragraph_before_inserted_ones_tracks_their_paragraph_mark_whatever_its_style() -> None:
    """Paragraphs inserted whole after a paragraph of another style (a renumbered heading, a
    list item, a paragraph that ends with an added sentence): the paragraph mark inserted is
    that paragraph's, as Word writes an Enter typed at its end, and rejecting keeps its style
    (LibreOffice and Word give a joined paragraph the first one's). After a table, whose
    empty paragraph would be emptied, an inserted heading tracks its own."""
    a = _document(
        (
            _section(1, "Eka", _items("eka;", "toka."), _table(("a", "1"))),
            _section(2, "Toka", _p("Palvelut liitteen 4 mukaisesti."), _p("Kaksi.")),
        )
    )
    b = _document(
        (
            _section(
                1, "Eka", _items("eka;", "toka."), _p("Siirretty."), _table(("a", "1")), _h("Uusi")
            ),
            _section(
                3,
                "Toka",
                _p("Lisätty."),
                _p("Palvelut liitteen 4 mukaisesti. Palveluja ovat"),
                ListBlock((ListItem(None, plain("valmennus;")), ListItem(None, plain("arvio.")))),
                _p("Kaksi."),
            ),
        )
    )
    data = check_redline(a, b, list(zip(a.parts, b.parts, strict=True)))  # type: ignore[arg-type]
    found = _paragraphs(data)
    assert _mark(found["2)toka."]) == "ins" and _mark(found["Siirretty."]) is None
    assert _changes(found["2 Toka3 Toka"]) == [("del", "2 Toka"), ("ins", "3 Toka")]
    assert _mark(found["2 Toka3 Toka"]) == "ins" and _mark(found["Lisätty."]) is None
    sentence = found["Palvelut liitteen 4 mukaisesti. Palveluja ovat"]
    assert _changes(sentence) == [("ins", " Palveluja ovat")]
    assert _mark(sentence) == "ins"
    assert [_mark(found[t]) for t in ("valmennus;", "arvio.", "Kaksi.")] == ["ins", None, None]
    assert _mark(found["Uusi"]) == "ins"


def test_a_changed_heading_before_an_inserted_paragraph_reads_inserted_first() -> None:
    """A renumbered heading (former deleted, new inserted) before a paragraph inserted whole
    whose insertion meets the next paragraph's: the heading cannot take the paragraph's
    paragraph mark (LibreOffice would make one change of the three), so its insertion
    stands before its deletion, and LibreOffice does not join the heading to what follows."""
    a = _document((_section(1, "Eka", _p("Yksi.")), _section(2, "Toka", _p("Kaksi on tässä."))))
    b = _document(
        (
            _section(1, "Eka", _p("Yksi.")),
            _section(3, "Toka", _p("Siirretty."), _p("Uusi Kaksi on tässä.")),
        )
    )
    data = check_redline(a, b, list(zip(a.parts, b.parts, strict=True)))  # type: ignore[arg-type]
    found = _paragraphs(data)
    assert _changes(found["3 Toka2 Toka"]) == [("ins", "3 Toka"), ("del", "2 Toka")]
    assert _mark(found["3 Toka2 Toka"]) is None
    assert _mark(found["Siirretty."]) == "ins"


def test_a_sentence_added_before_a_new_first_word_shows_the_last_word_replaced() -> None:
    """A paragraph that ends with an insertion, before one that begins with an insertion: its
    last unchanged word is shown replaced (inserted with the sentence, then deleted), so that
    the paragraph ends with a deletion and LibreOffice keeps the two apart."""
    a = _document((_section(7, "Palvelut", _p("Palvelut liitteen 4 mukaisesti."), _p("Muu.")),))
    b = _document(
        (
            _section(
                7,
                "Palvelut",
                _p("Palvelut liitteen 4 mukaisesti. Palveluja ovat"),
                _p("Lisäksi Muu."),
            ),
        )
    )
    data = check_redline(a, b, _pairs(a, b))
    (paragraph,) = [p for text, p in _paragraphs(data).items() if text.startswith("Palvelut ")]
    assert _changes(paragraph) == [
        ("ins", "mukaisesti."),
        ("ins", " Palveluja ovat"),
        ("del", "mukaisesti."),
    ]
    assert _mark(paragraph) is None


def test_each_part_s_changes_carry_its_own_author_and_date() -> None:
    """A part's ``author`` and ``date`` (the record that made its changes) on its every
    ``w:ins`` and ``w:del``: runs, paragraph marks, table rows; a part without them, and the
    title, the report's. A paragraph mark tracked for the part inserted after it (see
    test_an_item_added_after_an_amended_last_item_tracks_that_item_s_paragraph_mark) is that
    part's change, by its author."""
    from dataclasses import replace

    b_parts = (
        _with_blocks(S3, _p("Toimialueeseen kuuluvat Sastamala ja Huittinen."), S3.blocks[1]),
        _with_blocks(
            S8,
            _p("Kela osoittaa 1,0 htv."),
            _table(("työkykyneuvoja", "0,8"), ("ohjaaja", "0,2"), ("Yhteensä", "4,755")),
        ),
        _with_blocks(L4, _p("Palvelut kuvataan tässä tarkemmin.")),
        _annex(5, "Henkilöstöresurssi", _p("Uusi liite.")),
    )
    b = Document("Yhteistoimintasopimus 2026", "fi", b_parts)
    report = _report(BASE, b, _pairs(BASE, b))
    who = {
        "section-3": ("Sopijaosapuolet", dt.date(2025, 11, 20)),
        "section-8": ("Johtoryhmä", dt.date(2025, 9, 15)),
        "annex-5": ("Kela", None),  # its date: the report's
    }
    parts = tuple(
        replace(part, author=who[part.key][0], date=who[part.key][1]) if part.key in who else part
        for part in report.redline.parts
    )
    data = render_redline_docx(replace(report, redline=replace(report.redline, parts=parts)), STAMP)
    for keep, version in (("ins", b), ("del", BASE)):  # the versions, whoever made the changes
        resolved = resolve(agreement_body(data), keep)  # type: ignore[arg-type]
        want = _body(render_docx(version, STAMP))
        assert _trim(canonical(resolved), canonical(want)) == canonical(want)
    expected = {
        "Yhteistoimintasopimus": (AUTHOR, DATE),  # the title
        "3 Toimialue": ("Sopijaosapuolet", dt.date(2025, 11, 20)),
        "8 Henkilöstöresurssit": ("Johtoryhmä", dt.date(2025, 9, 15)),
        "Liite 4 Palvelut": (AUTHOR, DATE),
        "Liite 5 Henkilöstöresurssi": ("Kela", DATE),
    }
    seen: dict[str, set[tuple[str, str]]] = {}
    part = "Yhteistoimintasopimus"  # the body's first paragraph
    for element in _body(data):
        part = next((name for name in expected if _all_text(element).endswith(name)), part)
        for change in element.iter(f"{W}ins", f"{W}del"):
            owner = part
            if change.getparent().tag == f"{W}rPr" and _all_text(element).startswith("Palvelut"):
                owner = "Liite 5 Henkilöstöresurssi"  # the paragraph mark before Liite 5
            seen.setdefault(owner, set()).add((change.get(f"{W}author"), change.get(f"{W}date")))
    assert seen == {
        name: {(author, f"{day.isoformat()}T00:00:00Z")} for name, (author, day) in expected.items()
    }
    with zipfile.ZipFile(io.BytesIO(data)) as package:  # the header's title: the report's
        header = etree.fromstring(package.read("word/header1.xml"))
    assert {c.get(f"{W}author") for c in header.iter(f"{W}ins", f"{W}del")} == {AUTHOR}


# -- "§" and its number never part at a line end (issue 18) -----------------------------------

NBSP = "\u00a0"
SECTIONS_A = (
    "Päätös § 8 ja 8 § sekä johtoryhmän 15.9.2025 § 4 mukaan, kohta 8 § ennallaan.",
    "Kumottu § 5 ja 6 §.",
)
SECTIONS_B = (
    "Päätös § 9 ja 9 § sekä johtoryhmän 15.9.2025 § 4 mukaan, kohta lisäys § ennallaan.",
    "Lisätty § 7 ja 7 §.",
)


def _sections_redline(a_texts: tuple[str, ...], b_texts: tuple[str, ...]) -> bytes:
    a = _document((_section(8, "Henkilöstö", *map(_p, a_texts)),))
    b = _document((_section(8, "Henkilöstö", *map(_p, b_texts)),))
    return check_redline(a, b, _pairs(a, b))


def test_a_section_sign_and_its_number_are_joined_by_a_non_breaking_space() -> None:
    """ "§ 8", "8 §" and "§ " or " §" beside a changed number hold U+00A0, in kept, deleted
    and inserted text; in "15.9.2025 § 4" the "§" is the 4's. A space that binds in one
    version only ("8 §" became "lisäys §") is shown replaced, so accepting and rejecting
    still give each version's own text (check_redline)."""
    body = _body(_sections_redline(SECTIONS_A, SECTIONS_B))
    kept = "".join(t.text or "" for t in body.iter(f"{W}t") if not _inserted(t))
    deleted = "".join(t.text or "" for t in body.iter(f"{W}delText"))
    inserted = "".join(t.text or "" for t in body.iter(f"{W}t") if _inserted(t))
    assert f"Päätös §{NBSP}" in kept and f"{NBSP}§ sekä" in kept
    assert f"2025 §{NBSP}4" in kept and "15.9.2025 §" in kept  # a line may end after the date
    assert f"Kumottu §{NBSP}5 ja 6{NBSP}§." in deleted
    assert f"Lisätty §{NBSP}7 ja 7{NBSP}§." in inserted
    assert NBSP in deleted.removeprefix(f"Kumottu §{NBSP}5 ja 6{NBSP}§.")  # before "§ ennallaan"
    own = {  # each version's own DOCX, by the same rule
        version: "".join(t.text or "" for t in _body(render_docx(document, STAMP)).iter(f"{W}t"))
        for version, document in (
            ("A", _document((_section(8, "Henkilöstö", *map(_p, SECTIONS_A)),))),
            ("B", _document((_section(8, "Henkilöstö", *map(_p, SECTIONS_B)),))),
        )
    }
    assert f"Päätös §{NBSP}8 ja 8{NBSP}§" in own["A"] and f"kohta 8{NBSP}§" in own["A"]
    assert f"Päätös §{NBSP}9 ja 9{NBSP}§" in own["B"] and "kohta lisäys § " in own["B"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_never_breaks_a_line_between_a_section_sign_and_its_number(
    tmp_path: Path,
) -> None:
    """The redline converted to PDF by LibreOffice: no line ends at a "§" whose number
    begins the next line, nor at a number whose "§" does. The same DOCX with plain spaces
    breaks there, so the paragraphs put "§" at line ends: each sentence shifted by its own
    run of "x", 30 ways, for the breaks to fall in other places whatever font LibreOffice
    finds for Calibri (DejaVu Sans parts "§" from its number 9 times, Carlito twice)."""

    def shifted(sections: tuple[str, ...], way: int) -> str:
        return " ".join(
            f"{'x' * ((way * 5 + k * 3) % 11)} {text}" for k, text in enumerate(sections * 3)
        )

    texts = tuple(shifted(SECTIONS_A, way) for way in range(30))
    changed = tuple(shifted(SECTIONS_B, way) for way in range(30))
    data = _sections_redline(texts, changed)
    source, plain_spaces = tmp_path / "pykala.docx", tmp_path / "tavallinen.docx"
    source.write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as package, zipfile.ZipFile(plain_spaces, "w") as out:
        for name in package.namelist():
            entry = package.read(name)
            out.writestr(
                name, entry.replace(NBSP.encode(), b" ") if name.endswith(".xml") else entry
            )
    folder = tmp_path / "pdf"
    pdfs = soffice_convert_many([source, plain_spaces], "pdf", folder)
    parted = re.compile(r"§[ \u00a0]*\n[ \u00a0]*\d|\d[ \u00a0]*\n[ \u00a0]*§(?![ \u00a0]\d)")
    kept, broken = ("\n".join(pdf_pages(pdf.read_bytes())) for pdf in pdfs)
    assert "Päätös" in kept and parted.search(kept) is None
    assert len(parted.findall(broken)) >= 1


def test_a_paragraph_deleted_before_a_retitled_heading_leaves_its_mark_to_the_one_before() -> None:
    """A paragraph moved up, deleted whole before a heading whose former text is deleted:
    the paragraph before it tracks the moved paragraph mark, and the heading reads inserted
    first, so that the moved paragraph and the heading's former text are two changes, not
    one that LibreOffice resolves across the heading's paragraph mark (taking the paragraph
    for moved text, it made the heading body text)."""
    moved = _p("Kela osoittaa 0,75 htv.")
    a = _document(
        (
            _section(1, "Eka", _p("Yksi.")),
            _section(2, "Toka", _p("Kaksi."), moved),
            _section(3, "Kolme", _p("Kolme.")),
        )
    )
    b = _document(
        (
            _section(1, "Eka", _p("Yksi."), moved),
            _section(2, "Toka", _p("Kaksi.")),
            _section(3, "Kolme ja neljä", _p("Kolme.")),
        )
    )
    data = check_redline(a, b, _pairs(a, b))
    found = _paragraphs(data)
    assert _mark(found["Kaksi."]) == "moveFrom"
    assert _changes(found["3 Kolme ja neljä3 Kolme"]) == [
        ("ins", "3 Kolme ja neljä"),
        ("del", "3 Kolme"),
    ]
    moves = [p for p in _body(data).iter(f"{W}p") if _all_text(p) == "Kela osoittaa 0,75 htv."]
    assert [(_changes(p)[0][0], _mark(p)) for p in moves] == [("moveTo", None), ("moveFrom", None)]
    assert _mark(found["Yksi."]) == "moveTo"
