"""Tables and nested lists, from the parties' Markdown through the model to DOCX and PDF."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import (
    FIXTURES,
    docx_body_text,
    make_repo,
    normalise,
    pdf_body_text,
    render_pdf,
    run,
)
from tymdocs.checks import validate
from tymdocs.document import Document, Part, Stamp, compose, plain_text
from tymdocs.markup import parse_blocks
from tymdocs.model import ListBlock, Table, inline_text
from tymdocs.render.docx import render_docx
from tymdocs.sources import WorkTree

FIXTURE = FIXTURES / "rakenteet"
STAMP = Stamp("a" * 40, False, "f" * 64, 1_750_000_000, "Versio 1")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, str]:
    """The structure fixture built once: DOCX, PDF and the text both must show."""
    from tymdocs.build import build
    from tymdocs.revision import open_source

    repo = make_repo(tmp_path_factory.mktemp("rakenteet") / "agreement", FIXTURE)
    build(open_source(repo), repo / "build", selection="agreement")
    manifest = json.loads((repo / "build" / "manifest.json").read_text())
    agreement = validate(WorkTree(repo)).agreement
    assert agreement is not None
    footer = f"{manifest['version']} · Tunniste {manifest['source']['fingerprint'][:16]}"
    docx_data = (repo / "build" / "rakenteet-tym-2026.docx").read_bytes()
    pdf = (repo / "build" / "rakenteet-tym-2026.pdf").read_bytes()
    body = pdf_body_text(pdf, f"{agreement.meta.title} {manifest['version']}", footer)
    assert body == normalise(plain_text(compose(agreement)))
    return docx_data, pdf, body


# -- the fixture: every construct of the README, in both outputs ----------------------------


def test_a_table_is_a_word_table_with_its_header_repeated_and_no_pipes(
    built: tuple[bytes, bytes, str],
) -> None:
    docx_data, _, body = built
    tables = docx.Document(io.BytesIO(docx_data)).tables
    costs = next(t for t in tables if t.rows[0].cells[0].text == "Osapuoli")
    assert [[c.text for c in row.cells] for row in costs.rows] == [
        ["Osapuoli", "Osuus", "Peruste"],
        ["Järvilän työllisyysalue", "60 %", "asukasluku"],
        ["Kallion kaupunki", "25 %", "asukasluku"],
        ["Järviseudun hyvinvointialue", "15 %", "erillinen sopimus"],
    ]
    header_row = costs.rows[0]._tr
    assert header_row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    alignments = [row.cells[1].paragraphs[0].alignment for row in costs.rows]
    assert all(a is not None and a.name == "RIGHT" for a in alignments)
    assert costs.rows[1].cells[2].paragraphs[0].alignment.name == "CENTER"
    assert costs.rows[1].cells[2].paragraphs[0].runs[0].italic
    assert "| Osapuoli |" not in body and "|:---|" not in body  # no table syntax on the page
    assert "Järvilän työllisyysalue 60 % asukasluku" in body
    # An escaped pipe is a character of its cell.
    points = next(t for t in tables if t.rows[0].cells[0].text == "Toimipiste")
    assert points.rows[2].cells[1].text == "Kalliokatu 5 | 2. krs, 00002 Kallio"


def test_docx_columns_are_as_wide_as_their_words_need(built: tuple[bytes, bytes, str]) -> None:
    """Equal fixed widths broke "Kansaneläkelaitos" mid-word; widths now follow the content."""
    tables = docx.Document(io.BytesIO(built[0])).tables
    for table in tables:
        widths = [column.width for column in table.columns]
        assert abs(sum(widths) - Cm(16)) < Cm(0.1)
        for index, width in enumerate(widths):
            words = [w for row in table.rows for w in row.cells[index].text.split()]
            longest = max((len(w) for w in words), default=0)
            # 0.19 cm is less than any letter of 11 pt Calibri takes, plus the cell padding.
            assert width >= Cm(0.19 * longest + 0.2), (table.rows[0].cells[index].text, longest)
    costs = next(t for t in tables if t.rows[0].cells[0].text == "Osapuoli")
    assert costs.columns[0].width > costs.columns[1].width


def _levels(document: docx.document.Document) -> Iterator[tuple[int, str]]:
    """(list level, text) of the DOCX's list paragraphs: bullets by ``w:ilvl``, the parties'
    own numbers by indentation."""
    for paragraph in document.paragraphs:
        if paragraph.style.name != "List Paragraph":
            continue
        properties = paragraph._p.pPr
        if properties is not None and properties.numPr is not None:
            yield properties.numPr.ilvl.val, paragraph.text
        else:
            indent = paragraph.paragraph_format.left_indent
            yield round(indent / Cm(0.75)) - 1, paragraph.text


def test_nested_lists_keep_their_levels_and_numbers_in_docx(
    built: tuple[bytes, bytes, str],
) -> None:
    levels = list(_levels(docx.Document(io.BytesIO(built[0]))))
    start = levels.index((0, "1)\ttilat, joista"))
    assert levels[start : start + 9] == [
        (0, "1)\ttilat, joista"),
        (1, "toimistot ja"),
        (1, "asiakastilat;"),
        (0, "2)\ttietojärjestelmät, joista"),
        (1, "1.\tasiakastietojärjestelmä,"),
        (1, "2.\traportointi"),
        (2, "kuukausittain ja"),
        (2, "vuosittain;"),
        (0, "3)\tkoulutus."),
    ]


def test_nested_lists_are_indented_by_level_in_the_pdf(built: tuple[bytes, bytes, str]) -> None:
    positions = dict(_pdf_lines(built[1]))
    depth = [
        positions["1) tilat, joista"],
        positions["1. asiakastietojärjestelmä,"],
        positions["kuukausittain ja"],
    ]
    assert depth[0] < depth[1] < depth[2]
    assert positions["asiakastilat;"] == positions["toimistot ja"]


def test_escapes_and_line_breaks_print_as_the_readme_says(built: tuple[bytes, bytes, str]) -> None:
    body = built[2]
    assert "Kerroin on 2*3*4, hakemisto C:\\temp\\[x], tunnus a_b" in body
    assert "ja [linkki](https://example.org)." in body
    lines = docx_body_text(built[0])
    assert "Laskutus tehdään neljännesvuosittain.\nPL 1, 00001 Järvilä" in lines


def test_a_table_of_an_annex_and_a_list_item_with_a_second_paragraph(
    built: tuple[bytes, bytes, str],
) -> None:
    body = built[2]
    assert "Ilman ajanvarausta Kävijöitä palvellaan saapumisjärjestyksessä." in body
    levels = list(_levels(docx.Document(io.BytesIO(built[0]))))
    assert (2, "tunnistautuneena") in levels


# -- any table, any nesting: a property over generated structure ----------------------------

# Small enough that a row of four cells fits the PDF's line, so rows can be read back as lines.
WORD = st.text(alphabet="abcdefghijklmnoprstuvyäöÅ0123456789,.%–", min_size=1, max_size=6)
CELL = st.lists(WORD, min_size=1, max_size=2).map(" ".join)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    columns = draw(st.integers(1, 4))
    rows = draw(st.integers(1, 5))
    return [[draw(CELL) for _ in range(columns)] for _ in range(rows + 1)]


def _table_source(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines) + "\n"


Tree = list[tuple[str, "Tree"]]
ITEM = CELL.map(lambda text: "k" + text)  # "- 1." would rightly be a list in a list
TREES: st.SearchStrategy[Tree] = st.recursive(
    st.lists(st.tuples(ITEM, st.just([])), min_size=1, max_size=3),
    lambda children: st.lists(st.tuples(ITEM, children), min_size=1, max_size=3),
    max_leaves=8,
)


def _list_source(tree: Tree, depth: int = 0) -> Iterator[str]:
    for text, children in tree:
        yield "  " * depth + f"- {text}"
        yield from _list_source(children, depth + 1)


def _flatten(tree: Tree, depth: int = 0) -> Iterator[tuple[int, str]]:
    for text, children in tree:
        yield depth, text
        yield from _flatten(children, depth + 1)


def _pdf_lines(pdf: bytes) -> Iterator[tuple[str, float]]:
    """(text, x of its first character) of each line of every page; bullets are left out."""
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        pieces: list[tuple[float, float, str]] = []

        def visit(
            text: str, cm: list[float], tm: list[float], *_: object, pieces: list = pieces
        ) -> None:
            if text.strip() and text.strip() not in "•◦▪":
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((-round(y, 1), x, text))

        page.extract_text(visitor_text=visit)
        for _, line in groupby(sorted(pieces), key=lambda piece: piece[0]):
            parts = list(line)
            yield normalise("".join(text for _, _, text in parts)), parts[0][1]


def _document(source: str) -> Document:
    return Document("Testi", "fi", (Part("section", 1, "1 Rakenne", parse_blocks(source)),))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_any_table_round_trips_to_the_same_cells(rows: list[list[str]]) -> None:
    document = _document(_table_source(rows))
    (table,) = document.parts[0].blocks
    assert isinstance(table, Table)
    model = [[inline_text(c) for c in table.header]]
    model += [[inline_text(c) for c in row.cells] for row in table.rows]
    assert model == [[normalise(cell) for cell in row] for row in rows]

    (word_table,) = docx.Document(io.BytesIO(render_docx(document, STAMP))).tables
    assert [[c.text for c in row.cells] for row in word_table.rows] == model
    lines = [text for text, _ in _pdf_lines(render_pdf(document, STAMP))]
    start = lines.index("1 Rakenne") + 1
    assert lines[start : start + len(model)] == [" ".join(row) for row in model]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_any_nested_list_round_trips_to_the_same_levels(tree: Tree) -> None:
    expected = [(depth, normalise(text)) for depth, text in _flatten(tree)]
    document = _document("\n".join(_list_source(tree)) + "\n")
    (block,) = document.parts[0].blocks
    assert isinstance(block, ListBlock)

    def model(items: ListBlock, depth: int = 0) -> Iterator[tuple[int, str]]:
        for item in items.items:
            yield depth, inline_text(item.content)
            for child in item.children:
                assert isinstance(child, ListBlock)
                yield from model(child, depth + 1)

    assert list(model(block)) == expected
    word = docx.Document(io.BytesIO(render_docx(document, STAMP)))
    assert list(_levels(word)) == expected

    lines = list(_pdf_lines(render_pdf(document, STAMP)))
    start = [text for text, _ in lines].index("1 Rakenne") + 1
    shown = lines[start : start + len(expected)]
    assert [text for text, _ in shown] == [text for _, text in expected]
    indent: dict[int, float] = {}
    for (depth, _), (_, x) in zip(expected, shown, strict=True):
        assert abs(indent.setdefault(depth, x) - x) < 0.5  # one indentation per level
    assert all(indent[d] < indent[d + 1] for d in indent if d + 1 in indent)


# -- what the text should not use is printed as typed or warned, with its line ---------------

LITERAL = [
    "<b>lihava</b> ja <!-- kommentti -->",
    "[linkki](https://example.org) ja <https://example.org>",
    "![kuva](kuva.png)",
    "`koodi` ja ``kaksi``",
    "&amp; &#35; &copy;",
    "[1]: https://finlex.fi",
    '#read("/etc/passwd") $x$ @viite',
]


@pytest.mark.parametrize("source", LITERAL)
def test_unsupported_inline_constructs_print_as_typed(source: str) -> None:
    warnings: list[tuple[int, str]] = []
    (block,) = parse_blocks(source, 1, lambda line, message: warnings.append((line, message)))
    assert inline_text(block.content) == source  # type: ignore[union-attr]
    assert warnings == []


WARNED = [
    ("    sisennetty koodi", "code block", "sisennetty koodi"),
    ("```\naidattu koodi\n```", "code block", "aidattu koodi"),
    ("> lainaus", "block quote", "lainaus"),
    ("Otsikko\n=======", "underlined heading", "Otsikko"),
    ("---", "thematic break", ""),
    ("kerroin 2*3*4", "inside a word", "kerroin 234"),
]


@pytest.mark.parametrize(("source", "warning", "printed"), WARNED)
def test_constructs_that_print_otherwise_are_warned_with_their_line(
    source: str, warning: str, printed: str
) -> None:
    warnings: list[tuple[int, str]] = []
    blocks = parse_blocks(
        "Alku.\n\n" + source, 5, lambda line, message: warnings.append((line, message))
    )
    assert [line for line, _ in warnings][:1] == [7]
    assert warning in warnings[0][1]
    assert normalise(" ".join(plain_text(_doc(blocks)).split("\n")[2:])) == normalise(
        f"Alku. {printed}"
    )


def _doc(blocks: tuple[object, ...]) -> Document:
    return Document("T", "fi", (Part("section", 1, "1 X", blocks),))  # type: ignore[arg-type]


def test_check_names_the_file_and_line_of_a_warned_construct(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "agreement", FIXTURE)
    text = repo / "docs_src" / "sopimus.md"
    lines = text.read_text().splitlines()
    lines[2:2] = ["> Lainattu kappale."]
    text.write_text("\n".join(lines) + "\n")
    result = run(capsys, "-C", str(repo), "check", "--strict")
    assert result.code == 1
    assert "docs_src/sopimus.md:3: warning: a block quote ('>')" in result.out + result.err


def test_a_whole_htv_prints_as_the_parties_write_it(tmp_path: Path) -> None:
    """Tables printed "1" and "2" where the parties write "1,0 htv" and "2,0 htv"."""
    from tests.helpers import copy_agreement
    from tests.test_governance import kela_to_one

    root = copy_agreement(tmp_path / "agreement")
    kela_to_one(root)
    agreement = validate(WorkTree(root)).agreement
    assert agreement is not None
    text = plain_text(compose(agreement))
    assert "Kansaneläkelaitos 1,0" in text and "työkykyneuvoja 1,0" in text
    assert "Yhteensä 4,755" in text
