"""Alignment by content (issue 18): the blocks, list items and table rows of a changed stretch
are paired by their words, not by their places, so every edit is marked where it happened; a
rewritten paragraph is replaced whole; a data-annex row is marked only in the cells that
changed; and for any edits, accepting every mark gives B and rejecting every mark gives A,
with no mark on a block left as it was.

The regressions are real amendments of the seed, compared as ``tymdocs diff`` compares them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import agreement_of, compare_roots, copy_agreement, edit, redline_bounds, run
from tymdocs import redline
from tymdocs.changes import Report
from tymdocs.document import Part, compose
from tymdocs.markup import parse_blocks
from tymdocs.model import (
    Block,
    Blocks,
    Heading,
    Inlines,
    ListBlock,
    ListItem,
    Paragraph,
    Row,
    Span,
    Table,
    inline_text,
)
from tymdocs.redline import (
    REWRITTEN,
    SIMILAR,
    accept,
    accept_blocks,
    mark_block,
    redline_blocks,
    redline_inlines,
    redline_parts,
    reject,
    reject_blocks,
)
from tymdocs.render.html import render_html
from tymdocs.render.markdown import render_markdown

SECTION_8 = "docs_src/08-henkilosto.md"
SECTION_10 = "docs_src/10-kustannukset.md"
SECTION_11 = "docs_src/11-asiakastietoaineisto.md"
LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
LIITE_6 = "annexes/liite-6-tietosuojaseloste.md"
DELETED_PARAGRAPH = (
    "Henkilöstöresurssi alueittain ja tehtävärakenteineen 1.5.2025 alkaen on kuvattu "
    "liitteessä 5.\n\n"
)


def _versions(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the seed: A as it is, B to be amended."""
    return copy_agreement(tmp_path / "a"), copy_agreement(tmp_path / "b")


def _part(report: Report, key: str) -> Part:
    return next(part for part in report.redline.parts if part.key == key)


def _marked(content: Inlines) -> list[tuple[str, str | None]]:
    """The marked runs of content: their text and mark."""
    return [(inline_text((part,)), part.mark) for part in content if part.mark]


def _carries_marks(block: Block) -> bool:
    return redline._block_changed(block)


def _whole(block: Block) -> str | None:
    """How a block is marked as a whole (a list: by every item's mark), or None."""
    if isinstance(block, ListBlock):
        marks = {item.mark for item in block.items}
        return marks.pop() if len(marks) == 1 else None
    return block.mark


def _resolves_to_both(a: Blocks, b: Blocks, marked: Blocks) -> None:
    assert accept_blocks(marked) == b
    assert reject_blocks(marked) == a


# -- blocks paired by their words ---------------------------------------------------------------


def test_a_negation_after_a_deleted_paragraph_is_marked_word_by_word(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """§ 8's second paragraph deleted and the next edited, "voivat" → "eivät saa": the
    deleted paragraph is struck whole and the negation marked in its own sentence, not the
    deleted paragraph "rewritten" into the next and the next struck whole."""
    edit(repo, SECTION_8, DELETED_PARAGRAPH, "")
    edit(repo, SECTION_8, "määrä voivat sopimuskauden", "määrä eivät saa sopimuskauden")
    out = repo / "raportti"
    result = run(capsys, "-C", str(repo), "diff", "--format", "md", "-o", str(out))
    assert result.code == 0, result.err
    markdown = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert f"[-{DELETED_PARAGRAPH.strip()}-]\n" in markdown
    assert "Henkilöstön osaaminen ja määrä [-voivat-]{+eivät saa+} sopimuskauden aikana" in markdown

    a = copy_agreement(repo.parent / "a")
    b = copy_agreement(repo.parent / "b", repo)
    blocks = _part(compare_roots(a, b), "section-8").blocks
    assert [block.mark for block in blocks] == [None, "del", None, None]
    edited = blocks[2]
    assert isinstance(edited, Paragraph)
    assert _marked(edited.content) == [("voivat", "del"), ("eivät saa", "ins")]
    assert not _carries_marks(blocks[0]) and not _carries_marks(blocks[3])


def test_an_item_inserted_into_a_bullet_list_marks_only_that_item(tmp_path: Path) -> None:
    """Liite 6's list of sources: "Kansaneläkelaitos" inserted after "työnantaja", and the
    next item edited by the same amendment. The new item is inserted whole, the edited one
    marked word by word, and no other item is touched: the edited item is not taken for the
    new one because it stands in its place."""
    a, b = _versions(tmp_path)
    edit(b, LIITE_6, "- työnantaja\n", "- työnantaja\n- Kansaneläkelaitos\n")
    edit(b, LIITE_6, "- kuntouttavan työtoiminnan järjestäjät", "- kuntouttavan työtoiminnan "
         "ja työkokeilun järjestäjät")  # fmt: skip
    blocks = _part(compare_roots(a, b), "annex-6").blocks
    (sources,) = [
        block
        for block in blocks
        if isinstance(block, ListBlock) and inline_text(block.items[0].content).startswith("asia")
    ]
    marked = [(inline_text(item.content), item.mark) for item in sources.items if item.mark]
    assert marked == [("Kansaneläkelaitos", "ins")]
    edited = [item for item in sources.items if item.mark is None and _marked(item.content)]
    assert [_marked(item.content) for item in edited] == [[("ja työkokeilun ", "ins")]]
    assert sum(_carries_marks(block) for block in blocks) == 1


def test_a_bullet_inserted_mid_list_with_a_deleted_paragraph_before_it() -> None:
    """The list's neighbour deleted as well: the list is still the same list, paired by its
    words, not struck and reprinted whole as the block that stood in the deleted one's place."""
    a = parse_blocks("Poistettava kappale.\n\n- yksi\n- kaksi\n- kolme\n")
    b = parse_blocks("- yksi\n- uusi\n- kaksi\n- kolme\n")
    deleted, listed = marked = redline_blocks(a, b)
    assert isinstance(deleted, Paragraph) and deleted.mark == "del"
    assert isinstance(listed, ListBlock)
    assert [(inline_text(i.content), i.mark) for i in listed.items] == [
        ("yksi", None),
        ("uusi", "ins"),
        ("kaksi", None),
        ("kolme", None),
    ]
    _resolves_to_both(a, b, marked)


def test_renumbered_items_keep_their_text_and_mark_only_their_number(
    tmp_path: Path,
) -> None:
    """§ 11's numbered list with an item inserted as 2), the later items renumbered: each
    renumbered item is one item, its text unmarked, its old number beside its new one (the
    way a reviewer reads "3) → 4)"), never struck and reprinted nor rewritten into a
    neighbour."""
    a, b = _versions(tmp_path)
    text = (b / SECTION_11).read_text(encoding="utf-8")
    for number in (5, 4, 3, 2):
        text = text.replace(f"\n{number}) ", f"\n{number + 1}) ")
    text = text.replace(
        "\n3) 32 artiklassa", "\n2) 30 artiklassa tarkoitetusta selosteesta;\n3) 32 artiklassa"
    )
    (b / SECTION_11).write_text(text, encoding="utf-8")
    report = compare_roots(a, b)
    blocks = _part(report, "section-11").blocks
    (numbered,) = [block for block in blocks if isinstance(block, ListBlock)]
    shown = [
        (item.former_marker, item.marker, inline_text(item.content)[:12], item.mark)
        for item in numbered.items
    ]
    assert shown == [
        (None, "1)", "25 artiklass", None),
        (None, "2)", "30 artiklass", "ins"),
        ("2)", "3)", "32 artiklass", None),
        ("3)", "4)", "35 artiklass", None),
        ("4)", "5)", "36 artiklass", None),
        ("5)", "6)", "12 artiklan ", None),
    ]
    assert not any(_marked(item.content) for item in numbered.items if item.mark is None)
    assert '<span class="marker"><del>3)</del><ins>4)</ins></span> 35 artiklassa' in (
        render_html(report).decode()
    )
    assert "- [-3\\)-]{+4\\)+} 35 artiklassa" in render_markdown(report)
    a_blocks = compose(agreement_of(a)).parts[10].blocks
    b_blocks = compose(agreement_of(b)).parts[10].blocks
    _resolves_to_both(a_blocks, b_blocks, blocks)


def test_a_changed_stretch_of_many_paragraphs_pairs_each_with_its_own() -> None:
    """1,200 paragraphs alike but for their numbers, every one edited by a word but every
    tenth, which is moved 35 places on: past :data:`redline.PAIRED`, each edited paragraph
    is still paired with its own and marked word by word, each moved one deleted whole and
    inserted whole, never shown as another paragraph edited."""
    count = 1200

    def paragraph(n: int, edited: bool) -> Paragraph:
        word = "yhdessä" if edited else "erikseen"
        return Paragraph((Span(f"Kohta {n}: osapuolet sopivat asiasta {n} {word}."),))

    a = tuple(paragraph(n, False) for n in range(count))
    order = sorted(range(count), key=lambda n: n + 35.5 if n % 10 == 0 else n)
    b = tuple(a[n] if n % 10 == 0 else paragraph(n, True) for n in order)
    assert len(a) * len(b) > redline.PAIRED
    marked = redline_blocks(a, b)
    assert sum(block.mark == "del" for block in marked) == count // 10
    assert sum(block.mark == "ins" for block in marked) == count // 10
    words = [_marked(block.content) for block in marked if isinstance(block, Paragraph)]
    assert words.count([("erikseen", "del"), ("yhdessä", "ins")]) == count - count // 10
    _resolves_to_both(a, b, marked)


# -- rewritten text replaced whole ------------------------------------------------------------

REWRITE = (
    "Kaikki mukana olevat osapuolet vastaavat yhdessä yhteisten kehittämispäivien "
    "kustannuksista, ja ne\njaetaan sopimusosapuolten kesken kehittämispäiville "
    "ilmoittautuneiden henkilöiden määrän\nmukaisessa suhteessa. Kehittämispäivien määrä, "
    "budjetti ja kulujen jakautuminen eri osapuolten välillä\nsovitaan erikseen. Kukin "
    "organisaatio varaa omassa talousarviossaan toimintaan tarvittavat riittävät\n"
    "määrärahat.",
    "Johtoryhmä päättää vuosittain yhteisistä koulutuksista ja niiden budjetista. Koulutusten\n"
    "kulut jakautuvat tasan niiden organisaatioiden kesken, joiden henkilöstöä osallistuu, ja\n"
    "laskutuksesta huolehtii työllisyysalue.",
)
"""§ 10's second paragraph, on the development days, and a rewrite of it from scratch that
keeps a few ordinary words ("ja", "kesken")."""


def test_a_rewritten_paragraph_is_replaced_whole(tmp_path: Path) -> None:
    """§ 10's paragraph on the development days rewritten from scratch: A's paragraph
    deleted whole, then B's inserted whole, in its place, not word fragments alternating
    around the few words the two share; the paragraphs around it unmarked."""
    a, b = _versions(tmp_path)
    edit(b, SECTION_10, *REWRITE)
    blocks = _part(compare_roots(a, b), "section-10").blocks
    deleted, inserted = (block for block in blocks if _carries_marks(block))
    assert isinstance(deleted, Paragraph) and isinstance(inserted, Paragraph)
    assert (deleted.mark, inserted.mark) == ("del", "ins")
    assert {part.mark for part in deleted.content} == {"del"}
    assert {part.mark for part in inserted.content} == {"ins"}
    assert inline_text(reject(deleted.content)).startswith("Kaikki mukana olevat osapuolet")
    assert inline_text(accept(inserted.content)).startswith("Johtoryhmä päättää vuosittain")
    assert blocks.index(inserted) == blocks.index(deleted) + 1 == 2


def _paragraph(text: str) -> Paragraph:
    (block,) = parse_blocks(text)
    assert isinstance(block, Paragraph)
    return block


@pytest.mark.parametrize(
    ("old", "new", "whole"),
    [
        # More than half of both sides' words changed, in several places: replaced whole.
        (
            "Kela osoittaa yhden työkykyneuvojan ja yhden asiantuntijan palvelutarpeen mukaan.",
            "Hyvinvointialue nimeää kaksi sosiaaliohjaajaa ja yhden psykologin vuosittain.",
            True,
        ),
        # A sentence appended: every word of A kept, however long the addition.
        (
            "Johtoryhmä kokoontuu vähintään neljä kertaa vuodessa.",
            "Johtoryhmä kokoontuu vähintään neljä kertaa vuodessa. Kokouksista laaditaan "
            "pöytäkirja, joka toimitetaan kaikille osapuolille kahden viikon kuluessa.",
            False,
        ),
        # Most of a paragraph struck out: every word of B is A's.
        (
            "Johtoryhmä kokoontuu vähintään neljä kertaa vuodessa ja aina, kun jokin osapuoli "
            "sitä pyytää.",
            "Johtoryhmä kokoontuu vuodessa.",
            False,
        ),
        # One word replaced in one place, the sign after it kept.
        ("asiakastilat;", "asiakas- ja ryhmätilat;", False),
        # Half of the words changed: not more than half, marked word by word.
        ("Kela osoittaa kaksi henkilöä.", "Kela osoittaa yhden työntekijän.", False),
    ],
)
def test_the_share_of_words_past_which_a_paragraph_is_replaced_whole(
    old: str, new: str, whole: bool
) -> None:
    a, b = _paragraph(old), _paragraph(new)
    marked = redline_blocks((a,), (b,))
    if whole:
        assert marked == (mark_block(a, "del"), mark_block(b, "ins"))
    else:
        (paragraph,) = marked
        assert paragraph.mark is None and _carries_marks(paragraph)
    _resolves_to_both((a,), (b,), marked)
    assert REWRITTEN == 0.5 and SIMILAR == 0.5


def test_a_rewritten_cell_is_replaced_within_its_cell() -> None:
    """A cell cannot split: rewritten, its old text is deleted whole, then the new inserted."""
    a = ((Span("vuosittain johtoryhmän päätöksellä erikseen"),),)
    b = ((Span("neljännesvuosittain osapuolten sopimalla tavalla"),),)
    (row,) = redline._redline_row(Row(a[0:1] + a[0:1]), Row(a[0:1] + b[0:1]))
    assert row.mark is None and row.cells[0] == a[0]
    assert [part.mark for part in row.cells[1]] == ["del", "ins"]
    assert redline_inlines(a[0], b[0]) == row.cells[1]


# -- data annexes: only the cells that changed -------------------------------------------------


def test_a_replaced_member_marks_only_the_members_cell(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Liite 2: the vice chair replaced by a party's notice, role and deputy unchanged. The
    row stands once, its member's name deleted and the new one inserted in the same cell."""
    edit(repo, LIITE_2, "  - name: Elina Anttila", "  - name: Eeva Esimerkki")
    out = repo / "raportti"
    result = run(capsys, "-C", str(repo), "diff", "--format", "md", "-o", str(out))
    assert result.code == 0, result.err
    markdown = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "| [-Elina Anttila-]{+Eeva Esimerkki+} | varapuheenjohtaja | Maria Päivänen |" in (
        markdown
    )

    a = copy_agreement(repo.parent / "a")
    b = copy_agreement(repo.parent / "b", repo)
    (members, *_) = (
        b for b in _part(compare_roots(a, b), "annex-2").blocks if isinstance(b, Table)
    )
    (row,) = [row for row in members.rows if any(p.mark for cell in row.cells for p in cell)]
    assert row.mark is None
    assert [_marked(cell) for cell in row.cells] == [
        [("Elina Anttila", "del"), ("Eeva Esimerkki", "ins")],
        [],
        [],
    ]
    assert len(members.rows) == 9


def test_a_staffing_row_and_a_text_table_row_are_paired_by_their_words() -> None:
    """A text table with a row deleted and the next one's figure changed: the deleted row is
    struck whole, the changed one marked in its figure only, never one row taken for the
    other because it stands where the other stood."""
    a = parse_blocks(
        "| Osapuoli | htv |\n|---|--:|\n| TE-palvelut | 1,5 |\n| Kela | 0,8 |\n| Hva | 2 |\n"
    )
    b = parse_blocks("| Osapuoli | htv |\n|---|--:|\n| Kela | 1,0 |\n| Hva | 2 |\n")
    (table,) = marked = redline_blocks(a, b)
    assert isinstance(table, Table)
    assert [row.mark for row in table.rows] == ["del", None, None]
    assert [_marked(cell) for cell in table.rows[1].cells] == [[], [("0,8", "del"), ("1,0", "ins")]]
    _resolves_to_both(a, b, marked)


def test_every_part_of_the_fixture_revision_accepts_to_b_and_rejects_to_a(tmp_path: Path) -> None:
    """The whole document, part by part, through the paths above at once."""
    a, b = _versions(tmp_path)
    edit(b, SECTION_8, DELETED_PARAGRAPH, "")
    edit(b, SECTION_8, "määrä voivat sopimuskauden", "määrä eivät saa sopimuskauden")
    edit(b, SECTION_10, *REWRITE)
    edit(b, LIITE_2, "  - name: Elina Anttila", "  - name: Eeva Esimerkki")
    edit(b, LIITE_6, "- työnantaja\n", "- työnantaja\n- Kansaneläkelaitos\n")
    old, new = compose(agreement_of(a)), compose(agreement_of(b))
    for x, y in zip(old.parts, new.parts, strict=True):
        part = redline_parts(x, y)
        _resolves_to_both(x.blocks, y.blocks, part.blocks)


# -- any edits: accept gives B, reject gives A, unchanged blocks unmarked ----------------------


@dataclass(frozen=True)
class _Spec:
    """A generated block: its kind and its texts (a paragraph's or heading's one, a list's
    items, a table's header and cells two to a row), each a tuple of words no other block
    has."""

    kind: str
    texts: tuple[tuple[str, ...], ...]

    def block(self) -> Block:
        spans = [(Span(" ".join(words)),) for words in self.texts]
        match self.kind:
            case "paragraph":
                return Paragraph(spans[0])
            case "heading":
                return Heading(2, spans[0])
            case "list":
                return ListBlock(tuple(ListItem(None, content) for content in spans))
            case _:
                rows = tuple(Row((spans[k], spans[k + 1])) for k in range(2, len(spans), 2))
                return Table((spans[0], spans[1]), rows)


@st.composite
def _spec(draw: st.DrawFn, number: int) -> _Spec:
    kind = draw(st.sampled_from(["paragraph", "paragraph", "heading", "list", "table"]))
    texts = {"paragraph": 1, "heading": 1, "list": draw(st.integers(1, 3))}.get(kind)
    if texts is None:
        texts = 2 + 2 * draw(st.integers(1, 3))  # the header, then the rows
    return _Spec(
        kind,
        tuple(
            tuple(f"b{number}t{t}w{w}" for w in range(draw(st.integers(1, 6))))
            for t in range(texts)
        ),
    )


@st.composite
def _edited(draw: st.DrawFn, spec: _Spec, number: int) -> _Spec:
    """The block with one to three words replaced, inserted or deleted, and in a list or
    table an item or row added or removed; each new word new to the whole document."""
    texts = [list(words) for words in spec.texts]
    for edit_number in range(draw(st.integers(1, 3))):
        fresh = f"e{number}x{edit_number}"
        at = draw(st.integers(0, len(texts) - 1))
        words = texts[at]
        match draw(st.sampled_from(["replace", "insert", "delete", "structure"])):
            case "replace":
                words[draw(st.integers(0, len(words) - 1))] = fresh
            case "insert":
                words.insert(draw(st.integers(0, len(words))), fresh)
            case "delete" if len(words) > 1:
                del words[draw(st.integers(0, len(words) - 1))]
            case "structure" if spec.kind == "list":
                texts.insert(at, [fresh])
            case "structure" if spec.kind == "table":
                row = max(2, at // 2 * 2)
                texts[row:row] = [[fresh], [f"{fresh}y"]]
            case _:
                words.append(fresh)
    return _Spec(spec.kind, tuple(tuple(words) for words in texts))


@dataclass(frozen=True)
class _Case:
    a: Blocks
    b: Blocks
    unchanged: tuple[Block, ...]
    """Blocks present identically in A and B, and not moved."""
    moved: tuple[Block, ...]
    """Blocks present identically in A and B, removed in one place and inserted elsewhere."""


@st.composite
def _cases(draw: st.DrawFn) -> _Case:
    """A random A; B from it by deleting, editing and moving some blocks and inserting new."""
    count = draw(st.integers(0, 10))
    specs = [draw(_spec(number)) for number in range(count)]
    a = [spec.block() for spec in specs]
    fates = [draw(st.sampled_from(["keep", "keep", "delete", "edit", "move"])) for _ in a]
    b = [
        draw(_edited(spec, number)).block() if fate == "edit" else block
        for number, (spec, block, fate) in enumerate(zip(specs, a, fates, strict=True))
        if fate in ("keep", "edit")
    ]
    moved = [block for block, fate in zip(a, fates, strict=True) if fate == "move"]
    for block in moved:
        b.insert(draw(st.integers(0, len(b))), block)
    for number in range(count, count + draw(st.integers(0, 3))):
        b.insert(draw(st.integers(0, len(b))), draw(_spec(number)).block())
    unchanged = tuple(block for block, fate in zip(a, fates, strict=True) if fate == "keep")
    return _Case(tuple(a), tuple(b), unchanged, tuple(moved))


def _words(blocks: Iterable[Block]) -> int:
    return sum(redline._block_words(block).total() for block in blocks)


def _crosses(case: _Case, block: Block, other: Block) -> bool:
    """Whether two blocks stand in one order in A and in the other in B."""
    return (case.a.index(block) < case.a.index(other)) != (
        case.b.index(block) < case.b.index(other)
    )


@settings(max_examples=400, deadline=None)
@given(_cases(), st.sampled_from([(redline.PAIRED, redline.EXACT), (0, 4)]))
def test_any_deletions_insertions_moves_and_edits_accept_to_b_and_reject_to_a(
    case: _Case, bounds: tuple[int, int]
) -> None:
    """Random blocks (paragraphs, headings, bullet lists, tables), some deleted, some edited
    word by word or by an item or row, some moved, new ones inserted; with every pair
    weighed and with only the likely ones. Accepting every mark gives B and rejecting every
    mark A. An unchanged block that no moved block crosses is never marked; unchanged blocks
    of as many words at most as were moved are shown moved (deleted whole in one place,
    inserted whole in the other): which of two blocks that cross moved is a matter of
    choice, and the redline leaves the most words unmarked; and an unchanged block is never
    marked word by word."""
    with redline_bounds(*bounds):
        marked = redline_blocks(case.a, case.b)
    _resolves_to_both(case.a, case.b, marked)
    for block in case.unchanged:
        if not any(_crosses(case, block, other) for other in case.moved):
            assert block in marked, block
    shown_moved = [block for block in (*case.unchanged, *case.moved) if block not in marked]
    assert _words(shown_moved) <= _words(case.moved)
    for block in shown_moved:
        assert mark_block(block, "del") in marked and mark_block(block, "ins") in marked
    for block in marked:
        if _carries_marks(block) and _whole(block) is None:
            assert reject_blocks((block,))[0] not in (*case.unchanged, *case.moved)


def test_a_block_edited_and_one_moved_past_it_are_told_apart() -> None:
    """The smallest case of the property: one paragraph moved past one edited in place."""
    a = parse_blocks("Siirrettävä kappale.\n\nOsapuolet voivat sopia asiasta.\n\nLoppu.\n")
    b = parse_blocks("Osapuolet eivät saa sopia asiasta.\n\nSiirrettävä kappale.\n\nLoppu.\n")
    marked = redline_blocks(a, b)
    assert [_whole(block) for block in marked] == ["del", None, "ins", None]
    edited = marked[1]
    assert isinstance(edited, Paragraph)
    assert _marked(edited.content) == [("voivat", "del"), ("eivät saa", "ins")]
    _resolves_to_both(a, b, marked)
