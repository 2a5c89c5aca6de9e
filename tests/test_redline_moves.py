"""Moves (issue 18): a block deleted in one place and inserted, the same or edited, in another
is one block moved, named as moved from where to where in the summary, the HTML, the Markdown
and the PDF, with the edits inside the moved text marked word by word at its new place.

The marks stay a deletion and an insertion, so accepting every mark gives B and rejecting
every mark gives A; the DOCX tracks a move as Word does (tests/test_redline_docx_moves.py).
The regressions are amendments of the seed, compared as ``tymdocs diff`` compares them.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdf
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import agreement_of, copy_agreement, edit, redline_bounds
from tymdocs import redline
from tymdocs.changes import Report, compare
from tymdocs.document import Document, Part, Stamp, compose
from tymdocs.markup import parse_blocks
from tymdocs.model import (
    Block,
    Blocks,
    Heading,
    Inlines,
    ListBlock,
    ListItem,
    Moved,
    Paragraph,
    Span,
    Table,
    inline_text,
)
from tymdocs.redline import (
    MOVED_WORDS,
    Unit,
    accept_blocks,
    as_shown,
    moves,
    redline_document,
    reject_blocks,
)
from tymdocs.render.html import render_html
from tymdocs.render.markdown import render_markdown
from tymdocs.render.typst import render_redline_pdf

SECTION_8 = "docs_src/08-henkilosto.md"
SECTION_9 = "docs_src/09-johtava-henkilo.md"
LIITE_6 = "annexes/liite-6-tietosuojaseloste.md"
MOVED = (
    "Henkilöstöresurssi alueittain ja tehtävärakenteineen 1.5.2025 alkaen on kuvattu liitteessä 5."
)
"""§ 8's second paragraph, the one the regressions move."""
WITHIN = "Johtoryhmän on hyväksyttävä johtavat henkilöt ennen heidän nimeämistään. (TYM-laki 9 §)"
"""§ 9's second paragraph."""
STAMP = Stamp(None, False, "0" * 64, 0, "Versio 2")


def _compare(a: Path, b: Path) -> tuple[Report, Document, Document]:
    """The report, and the two versions' documents."""
    x, y = agreement_of(a), agreement_of(b)
    report = compare(x, y, a_label="A", b_label="B", author="t", date=dt.date(2025, 9, 15))
    return report, compose(x), compose(y)


def _versions(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the seed: A as it is, B to be amended."""
    return copy_agreement(tmp_path / "a"), copy_agreement(tmp_path / "b")


def _move(root: Path, source: str, text: str, target: str, new: str | None = None) -> None:
    """The paragraph ``text`` taken out of ``source`` and put at the end of ``target``, as
    ``new`` where given (edited)."""
    edit(root, source, f"{text}\n\n", "")
    file = root / target
    file.write_text(file.read_text(encoding="utf-8") + f"\n{new or text}\n", encoding="utf-8")


def _part(report: Report, key: str) -> Part:
    return next(part for part in report.redline.parts if part.key == key)


def _resolves_to_both(report: Report, a: Document, b: Document) -> None:
    """Every part: accepting every mark gives B's blocks, rejecting every mark A's, and the
    ends of moves are gone from both."""
    assert len(report.redline.parts) == len(a.parts) == len(b.parts)
    for part, old, new in zip(report.redline.parts, a.parts, b.parts, strict=True):
        accepted, rejected = accept_blocks(part.blocks), reject_blocks(part.blocks)
        assert accepted == new.blocks
        assert rejected == old.blocks
        assert not [end for kept in (accepted, rejected) for end in _ends(kept)]


def _ends(blocks: Blocks) -> Iterator[Moved[Any]]:
    return (end for _, end in moves(Part("section", 0, "", blocks)))


def _marked(content: Inlines) -> list[tuple[str, str | None]]:
    return [(inline_text((part,)), part.mark) for part in content if part.mark]


def _units(blocks: Blocks) -> Iterator[Unit]:
    """Every heading, paragraph, table and list item, into the items' children."""
    for block in blocks:
        if isinstance(block, ListBlock):
            for item in block.items:
                yield item
                yield from _units(item.children)
        else:
            yield block


def _moved_units(part: Part) -> list[Unit]:
    return [unit for unit in _units(part.blocks) if unit.moved is not None]


def _text(unit: Unit) -> str:
    match unit:
        case Heading() | Paragraph() | ListItem():
            return inline_text(unit.content)
        case Table():
            return " ".join(inline_text(cell) for cell in unit.header)


# -- the regressions ---------------------------------------------------------------------------


def test_a_paragraph_moved_within_a_section(tmp_path: Path) -> None:
    """§ 9's second paragraph moved to the end of § 9: deleted whole where it stood, inserted
    whole at the end, the two ends one move within the part; said once in the summary."""
    a, b = _versions(tmp_path)
    _move(b, SECTION_9, WITHIN, SECTION_9)
    report, old, new = _compare(a, b)
    section = _part(report, "section-9")
    gone, came = _moved_units(section)
    assert isinstance(gone, Paragraph) and isinstance(came, Paragraph)
    assert (gone.mark, came.mark) == ("del", "ins")
    assert gone.moved is not None and came.moved is not None
    assert gone.moved == Moved("from", 1, "section", 9, True, False, False)
    assert came.moved.side == "to" and came.moved.within and came.moved.earlier
    assert not came.moved.edited
    assert as_shown(came).content == (Span(WITHIN),)  # nothing of it marked: only moved
    (change,) = report.changes
    assert change.sentences == ("kappale siirretty 9 §:n sisällä",)
    _resolves_to_both(report, old, new)

    html = render_html(report).decode()
    assert '<p class="moved-from" id="moved-1-from"><a class="badge moved" href="#moved-1-to">' in (
        html
    )
    assert "siirretty alemmas</a>" in html and "siirretty tänne ylempää</a>" in html
    assert f'<ins class="moved">{WITHIN}</ins></p>' in html
    markdown = render_markdown(report)
    assert f"*(siirretty alemmas)* [-{WITHIN}-]\n" in markdown
    assert f"*(siirretty tänne ylempää)* {WITHIN}\n" in markdown


def test_a_paragraph_moved_to_another_section_unchanged(tmp_path: Path) -> None:
    """§ 8's second paragraph moved, word for word, to the end of § 9: one move, named in the
    summary of both parts and beside both ends, each end linked to the other in the HTML."""
    a, b = _versions(tmp_path)
    _move(b, SECTION_8, MOVED, SECTION_9)
    report, old, new = _compare(a, b)
    (gone,) = _moved_units(_part(report, "section-8"))
    (came,) = _moved_units(_part(report, "section-9"))
    assert gone.moved == Moved("from", 1, "section", 9, False, False, False)
    assert came.moved is not None
    assert (came.moved.side, came.moved.kind, came.moved.part) == ("to", "section", 8)
    assert not came.moved.within and came.moved.earlier and not came.moved.edited
    sentences = {change.key: change.sentences for change in report.changes}
    assert sentences == {
        "section-8": ("kappale siirretty: 8 § → 9 §",),
        "section-9": ("kappale siirretty: 8 § → 9 §",),
    }
    _resolves_to_both(report, old, new)

    html = render_html(report).decode()
    assert re.search(r'href="#moved-1-to">siirretty 9 §:ään</a> <del class="moved">', html)
    assert re.search(r'href="#moved-1-from">siirretty tänne 8 §:stä</a> <ins class="moved">', html)
    assert html.count('id="moved-1-from"') == html.count('id="moved-1-to"') == 1
    assert '<ins class="moved">siirretty</ins></p>' in html  # the legend
    markdown = render_markdown(report)
    assert f"*(siirretty 9 §:ään)* [-{MOVED}-]\n" in markdown
    assert f"*(siirretty tänne 8 §:stä)* {MOVED}\n" in markdown
    assert "  - kappale siirretty: 8 § → 9 §\n" in markdown


def test_a_paragraph_moved_and_edited_shows_the_edit_word_by_word(tmp_path: Path) -> None:
    """§ 8's paragraph moved to § 9 and edited there ("on kuvattu" → "kuvataan"): at its new
    place the moved words are shown moved and the edit deleted and inserted in its sentence,
    in every format that shows moves; the marks stay a deletion and an insertion."""
    a, b = _versions(tmp_path)
    _move(b, SECTION_8, MOVED, SECTION_9, MOVED.replace("on kuvattu", "kuvataan"))
    report, old, new = _compare(a, b)
    (came,) = _moved_units(_part(report, "section-9"))
    assert isinstance(came, Paragraph) and came.moved is not None and came.moved.edited
    assert {part.mark for part in came.content} == {"ins"}  # what accept and reject read
    shown = as_shown(came)
    assert _marked(shown.content) == [("on kuvattu", "del"), ("kuvataan", "ins")]
    assert reject_blocks((shown,)) == (Paragraph((Span(MOVED),)),)
    sentences = {change.key: change.sentences for change in report.changes}
    assert sentences["section-9"] == ("kappale siirretty ja muutettu: 8 § → 9 §",)
    _resolves_to_both(report, old, new)

    html = render_html(report).decode()
    assert (
        '<ins class="moved">Henkilöstöresurssi alueittain ja tehtävärakenteineen 1.5.2025 '
        'alkaen </ins><del>on kuvattu</del><ins>kuvataan</ins><ins class="moved"> liitteessä '
        "5.</ins></p>"
    ) in html
    markdown = render_markdown(report)
    assert (
        "*(siirretty tänne 8 §:stä)* Henkilöstöresurssi alueittain ja tehtävärakenteineen "
        "1.5.2025 alkaen [-on kuvattu-]{+kuvataan+} liitteessä 5.\n"
    ) in markdown
    reader = pypdf.PdfReader(io.BytesIO(render_redline_pdf(report, STAMP)))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    assert "siirretty 9 §:ään Henkilöstöresurssi" in text
    assert "siirretty tänne 8 §:stä Henkilöstöresurssi" in text
    assert "alkaen on kuvattu kuvataan liitteessä 5." in text
    assert "kappale siirretty ja muutettu: 8 § → 9 §" in text
    # Each badge links to the other end: the page of one to the page of the other.
    gone = next(n for n, page in enumerate(pages) if "siirretty 9 §:ään" in page)
    came = next(n for n, page in enumerate(pages) if "siirretty tänne 8 §:stä" in page)
    numbers = {page.indirect_reference: n for n, page in enumerate(reader.pages)}
    destinations = [
        (n, annotation.get_object()["/Dest"].get_object())
        for n, page in enumerate(reader.pages)
        for annotation in page.get("/Annots") or []
    ]
    links = sorted(
        (n, numbers[target[0]]) for n, target in destinations if isinstance(target, list)
    )  # the summary's links to the parts are named destinations
    assert links == sorted([(gone, came), (came, gone)])


def test_a_list_item_moved(tmp_path: Path) -> None:
    """An item of Liite 6's list of sources moved to the end of the list: the list is marked
    only there, deleted where the item stood and inserted at the end, one move."""
    a, b = _versions(tmp_path)
    item = "- työllistymistä edistävien palvelujen järjestäjät\n"
    edit(b, LIITE_6, item, "")
    edit(b, LIITE_6, "- ostopalveluiden tuottajat\n", f"- ostopalveluiden tuottajat\n{item}")
    report, old, new = _compare(a, b)
    annex = _part(report, "annex-6")
    gone, came = _moved_units(annex)
    assert isinstance(gone, ListItem) and isinstance(came, ListItem)
    assert (gone.mark, came.mark) == ("del", "ins")
    assert gone.moved is not None and came.moved is not None
    assert (gone.moved.side, came.moved.side) == ("from", "to")
    assert gone.moved.within and came.moved.within and not came.moved.edited
    (change,) = report.changes
    assert change.sentences == ("kohta siirretty liitteen 6 sisällä",)
    _resolves_to_both(report, old, new)
    html = render_html(report).decode()
    assert re.search(r'<li class="moved-to" id="moved-1-to"><a [^>]*>siirretty tänne ylempää', html)
    markdown = render_markdown(report)
    assert "- *(siirretty tänne ylempää)* työllistymistä edistävien palvelujen järjestäjät\n" in (
        markdown
    )


def test_a_numbered_item_moved_keeps_its_edit_and_its_new_number() -> None:
    """An item of a numbered list moved two places down and edited: its number is new where
    it stands (no edit of its own), its text marked word by word against the old."""
    a = parse_blocks(
        "1) ensimmäinen kohta pysyy\n2) siirtyvä kohta voivat osapuolet\n3) kolmas kohta pysyy\n"
        "4) neljäs kohta pysyy\n"
    )
    b = parse_blocks(
        "1) ensimmäinen kohta pysyy\n2) kolmas kohta pysyy\n3) neljäs kohta pysyy\n"
        "4) siirtyvä kohta eivät saa osapuolet\n"
    )
    document = _document([a], [b])
    (listed,) = document.parts[0].blocks
    assert isinstance(listed, ListBlock)
    moved = [item for item in listed.items if item.moved is not None]
    assert [(item.marker, item.mark) for item in moved] == [("2)", "del"), ("4)", "ins")]
    shown = as_shown(moved[1])
    assert shown.marker == "4)"
    assert _marked(shown.content) == [("voivat", "del"), ("eivät saa", "ins")]


def test_short_and_unlike_blocks_are_not_moves() -> None:
    """A text shorter than :data:`MOVED_WORDS` words deleted here and inserted there, and one
    too unlike the deleted one (under :data:`redline.SIMILAR`), stay a deletion and an
    insertion; so do a paragraph and a heading of the same words."""
    a = [
        parse_blocks("Ei muutoksia.\n\nKela osoittaa yhden työkykyneuvojan.\n\nPysyvä kappale.\n"),
        parse_blocks("Toinen osa alkaa tästä.\n\n## Otsikko joka jää pois\n"),
    ]
    b = [
        parse_blocks("Pysyvä kappale.\n"),
        parse_blocks(
            "Toinen osa alkaa tästä.\n\nEi muutoksia.\n\nHyvinvointialue nimeää kaksi "
            "sosiaaliohjaajaa yhdessä.\n\nOtsikko joka jää pois\n"
        ),
    ]
    document = _document(a, b)
    assert not [end for part in document.parts for end in _ends(part.blocks)]
    assert MOVED_WORDS == 3


def _document(a: list[Blocks], b: list[Blocks]) -> Document:
    """The redline of two documents of the same parts, § 1, § 2 and so on."""
    olds = [Part("section", n, f"{n} Osa", blocks) for n, blocks in enumerate(a, start=1)]
    news = [Part("section", n, f"{n} Osa", blocks) for n, blocks in enumerate(b, start=1)]
    return redline_document(Document("T", "fi", tuple(news)), list(zip(olds, news, strict=True)))


# -- many moves --------------------------------------------------------------------------------


def _numbered(n: int) -> Paragraph:
    """A paragraph of words no other has: none is taken for another edited."""
    return Paragraph((Span(f"Kohta {n}: " + " ".join(f"sana{n}x{w}" for w in range(6)) + "."),))


def test_a_thousand_paragraphs_shuffled_across_ten_parts() -> None:
    """1,000 paragraphs in ten parts, shuffled across all of them: the redline finishes, each
    paragraph not left where it stood is one move between its own two parts, and accepting
    and rejecting give B and A."""
    shuffled = random.Random(18).sample(range(1000), 1000)
    a = [tuple(_numbered(n) for n in range(p * 100, p * 100 + 100)) for p in range(10)]
    b = [tuple(_numbered(n) for n in shuffled[p * 100 : p * 100 + 100]) for p in range(10)]
    document = _document(a, b)
    where_a = {n: p + 1 for p in range(10) for n in range(p * 100, p * 100 + 100)}
    where_b = {n: p // 100 + 1 for p, n in enumerate(shuffled)}
    ends: dict[int, dict[str, tuple[int, Unit]]] = {}
    for part in document.parts:
        for unit in _moved_units(part):
            assert unit.moved is not None
            ends.setdefault(unit.moved.number, {})[unit.moved.side] = (part.number, unit)
    assert len(ends) > 800  # most of them moved: few keep their order and their part
    for number, pair in ends.items():
        (from_part, gone), (to_part, came) = pair["from"], pair["to"]
        n = int(_text(gone).split(":")[0].removeprefix("Kohta "))
        assert _text(came) == _text(gone)
        assert (from_part, to_part) == (where_a[n], where_b[n]), number
        assert gone.moved is not None and gone.moved.part == to_part
    for part, old, new in zip(document.parts, a, b, strict=True):
        assert accept_blocks(part.blocks) == new
        assert reject_blocks(part.blocks) == old
    unpaired = [
        unit
        for part in document.parts
        for unit in _units(part.blocks)
        if unit.mark is not None and unit.moved is None
    ]
    assert not unpaired  # every paragraph is in both versions: none deleted or inserted


# -- any moves ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A generated paragraph or list item: its name (its first word, no other unit's) and
    its other words, each its own."""

    name: str
    words: tuple[str, ...]
    item: bool

    def content(self) -> Inlines:
        return (Span(" ".join((self.name, *self.words))),)


def _blocks(units: list[_Unit]) -> Blocks:
    """Paragraphs as they are; list items, one after another, one list."""
    blocks: list[Block] = []
    for unit in units:
        if not unit.item:
            blocks.append(Paragraph(unit.content()))
        elif blocks and isinstance(blocks[-1], ListBlock):
            last = blocks[-1]
            blocks[-1] = replace(last, items=(*last.items, ListItem(None, unit.content())))
        else:
            blocks.append(ListBlock((ListItem(None, unit.content()),)))
    return tuple(blocks)


@dataclass(frozen=True)
class _Case:
    a: list[list[_Unit]]
    b: list[list[_Unit]]
    moved: dict[str, tuple[int, int, bool]]
    """The units moved, by name: the part they left, the part they went to, and edited."""


@st.composite
def _cases(draw: st.DrawFn) -> _Case:
    """Two to four parts of paragraphs and list items; B from A by moving some units within
    their part or to another, some of them edited by a word, deleting some and inserting
    new ones. Every word is new to the document, so no two units are alike by chance."""
    count = 0

    def unit(item: bool | None = None) -> _Unit:
        nonlocal count
        count += 1
        size = draw(st.integers(MOVED_WORDS, 7)) - 1
        is_item = draw(st.booleans()) if item is None else item
        return _Unit(f"u{count}", tuple(f"u{count}w{w}" for w in range(size)), is_item)

    parts = draw(st.integers(2, 4))
    a = [[unit() for _ in range(draw(st.integers(0, 6)))] for _ in range(parts)]
    b = [list(units) for units in a]
    moved: dict[str, tuple[int, int, bool]] = {}
    for source, units in enumerate(a):
        for each in units:
            fate = draw(st.sampled_from(["keep", "keep", "move", "move", "delete"]))
            if fate == "keep":
                continue
            b[source].remove(each)
            if fate == "delete":
                continue
            target = draw(st.integers(0, parts - 1))
            edited = draw(st.booleans())
            if edited:  # a word of it replaced, or one added: still alike
                words = list(each.words)
                at = draw(st.integers(0, len(words)))
                fresh = f"{each.name}e"
                words[at : at + draw(st.integers(0, 1))] = [fresh]
                each = replace(each, words=tuple(words))
            b[target].insert(draw(st.integers(0, len(b[target]))), each)
            moved[each.name] = (source, target, edited)
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.integers(0, parts - 1))
        b[target].insert(draw(st.integers(0, len(b[target]))), unit())
    return _Case(a, b, moved)


def _name(unit: Unit) -> str:
    return _text(unit).split(" ")[0]


@settings(max_examples=300, deadline=None)
@given(_cases(), st.sampled_from([(redline.PAIRED, redline.EXACT), (0, 4)]))
def test_random_moves_are_each_one_move_between_the_right_parts(
    case: _Case, bounds: tuple[int, int]
) -> None:
    """Random units moved, some edited, among deletions and insertions; with every pair
    weighed and with only the likely ones. A unit moved to another part is one move, from
    its old part to its new, edited or not as it was; a move within a part pairs a unit with
    its own text (of a unit and those it moved past, either may be shown moved); deleted
    and inserted units are never moves; and accepting every mark gives B, rejecting every
    mark A."""
    a = [_blocks(units) for units in case.a]
    b = [_blocks(units) for units in case.b]
    with redline_bounds(*bounds):
        document = _document(a, b)
    for part, old, new in zip(document.parts, a, b, strict=True):
        assert accept_blocks(part.blocks) == new
        assert reject_blocks(part.blocks) == old
    ends: dict[int, dict[str, tuple[int, Unit]]] = {}
    marked: set[str] = set()
    for index, part in enumerate(document.parts):
        for unit in _units(part.blocks):
            if unit.moved is not None:
                ends.setdefault(unit.moved.number, {})[unit.moved.side] = (index, unit)
            elif unit.mark is not None:
                marked.add(_name(unit))
    seen = set()
    for pair in ends.values():
        (source, gone), (target, came) = pair["from"], pair["to"]
        name = _name(gone)
        assert _name(came) == name and name not in seen
        seen.add(name)
        assert gone.moved is not None and came.moved is not None
        assert (gone.moved.part, came.moved.part) == (target + 1, source + 1)
        assert gone.moved.within == came.moved.within == (source == target)
        if source != target:
            assert case.moved[name] == (source, target, gone.moved.edited)
        shown = as_shown(came)  # the move's edit, word by word: its words B's and A's
        assert _resolved(shown, accepted=True) == _resolved(came, accepted=True)
        assert _text(_resolved(shown, accepted=False)) == _text(gone)
    both = {each.name for units in case.a for each in units} & {
        each.name for units in case.b for each in units
    }
    across = {name for name, (source, target, _) in case.moved.items() if source != target}
    assert across <= seen and not across & marked
    assert seen <= both


def _resolved(unit: Unit, accepted: bool) -> Unit:
    """A unit with every mark accepted, or every mark rejected."""
    blocks = (ListBlock((unit,)),) if isinstance(unit, ListItem) else (unit,)
    (block,) = accept_blocks(blocks) if accepted else reject_blocks(blocks)
    return block.items[0] if isinstance(block, ListBlock) else block
