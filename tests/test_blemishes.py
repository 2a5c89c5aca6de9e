"""Documents without blemishes, each read back from the file: spaces kept in every DOCX text
run, the manifest naming the Typst compiler each PDF names, a table's last row never alone at
the top of a PDF page, and DOCX table columns wide enough for their longest word (measured
in LibreOffice too, where it is installed).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import shutil
import subprocess
import zipfile
from importlib.metadata import version
from pathlib import Path

import docx
import pypdf
import pytest
import yaml
from lxml import etree

from tests.helpers import (
    FIXTURES,
    SEED,
    copy_agreement,
    edit,
    init_repo,
    make_repo,
    render_pdf,
    soffice_convert_many,
)
from tests.test_redline_pdf import CHANGES, STAMP, _document, _pairs
from tymdocs.build import build
from tymdocs.changes import Report
from tymdocs.document import Document, Part
from tymdocs.model import Paragraph, Row, Span, Table, plain
from tymdocs.redline import redline_document
from tymdocs.render.docx import _width, column_widths, render_docx, render_redline_docx
from tymdocs.render.typst import compiler_version, creator_version
from tymdocs.revision import open_source

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
LIBREOFFICE = shutil.which("soffice") is not None


def _outputs(built: Path, kind: str) -> list[Path]:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    return [built / entry["path"] for entry in manifest["outputs"] if entry["kind"] == kind]


@pytest.fixture(scope="module")
def redline_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A redline of the seed and a revision of § 8, Liite 2 and Liite 5, as a DOCX."""
    root = copy_agreement(tmp_path_factory.mktemp("blemishes") / "b")
    edit(root, "docs_src/08-henkilosto.md", "riittävän määrän", "riittävästi")
    edit(root, "annexes/liite-2-kokoonpano.yaml", "Kaija Rönni", "Kalle Uusitalo")
    a, b = _document(SEED), _document(root)
    redline = redline_document(b, _pairs(a, b), a_title=a.title)
    report = Report("Muutokset", "Versio 1", "Versio 2", CHANGES, redline, "x", dt.date(2026, 1, 1))
    return render_redline_docx(report, STAMP)


# -- spaces in DOCX text -----------------------------------------------------------------------


def unpreserved(data: bytes) -> list[tuple[str, str]]:
    """Every text element (``w:t``, ``w:delText``) of every part of a DOCX whose text begins or
    ends with white space but that lacks ``xml:space="preserve"``: Word and LibreOffice drop
    that space. With the part's name."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not name.endswith(".xml"):
                continue
            root = etree.fromstring(package.read(name))
            for element in root.iter(f"{W}t", f"{W}delText"):
                text = element.text or ""
                if text != text.strip() and element.get(XML_SPACE) != "preserve":
                    found.append((name, text))
    return found


def test_every_docx_text_with_a_space_at_its_edge_keeps_it(
    built_seed: Path, redline_docx: bytes
) -> None:
    """The agreement, every package and a redline: the footer's "Sivu " first among them."""
    built = built_seed / "build"
    files = [*_outputs(built, "agreement-docx"), *_outputs(built, "signature-package-docx")]
    assert len(files) == 4
    for data in [*(path.read_bytes() for path in files), redline_docx]:
        assert unpreserved(data) == []
        footer = docx.Document(io.BytesIO(data)).sections[0].footer.paragraphs[0].text
        assert footer.endswith("\tSivu /"), footer  # python-docx leaves the fields out


# -- the Typst compiler in the manifest ----------------------------------------------------------


def test_the_manifest_names_the_typst_package_and_the_compiler_every_pdf_names(
    built_seed: Path,
) -> None:
    built = built_seed / "build"
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    typst = manifest["renderer"]["typst"]
    assert typst["package"] == manifest["tool"]["typst"] == version("typst")
    pdfs = [*_outputs(built, "agreement-pdf"), *_outputs(built, "signature-package")]
    assert len(pdfs) == 4
    for path in pdfs:
        metadata = pypdf.PdfReader(path).metadata
        assert metadata is not None
        assert metadata["/Creator"] == f"Typst {typst['compiler']}", path.name
    assert re.fullmatch(r"\d+\.\d+\.\d+", typst["compiler"])


def test_the_creator_a_pdf_names_is_the_compiler_typst_names(
    built_seed: Path, tmp_path: Path
) -> None:
    """The manifest takes the compiler's version from the PDF it has at hand: what Typst
    itself says; asked of Typst where a PDF names none; never what a title says."""
    pdf = (built_seed / "build" / "lansi-pirkanmaa-tym.pdf").read_bytes()
    assert creator_version(pdf) == compiler_version()
    unnamed = pdf.replace(b"<xmp:CreatorTool>Typst ", b"<xmp:CreatorTool>Other ")
    assert unnamed != pdf and creator_version(unnamed) == compiler_version()
    repo = make_repo(tmp_path / "agreement")
    forged = "/Creator(Typst 9.9.9) <xmp:CreatorTool>Typst 9.9.9</xmp:CreatorTool>"
    edit(repo, "tymdocs.yaml", "title: SOPIMUS", f'title: "{forged}" # SOPIMUS')
    manifest = build(open_source(repo), tmp_path / "out", selection="agreement").manifest
    assert manifest["renderer"]["typst"]["compiler"] == compiler_version() != "9.9.9"
    packages = build(open_source(repo), tmp_path / "packages", selection="packages").manifest
    assert packages["renderer"] == manifest["renderer"]


# -- a PDF table's last row ----------------------------------------------------------------------

TOTAL = "Yhteensä 100 %"
STAFF = tuple(Row((plain(f"Osapuoli {n}"), plain("1,0"))) for n in range(12))
TOTALS = Table(
    (plain("Osapuoli"), plain("htv")),
    (*STAFF, Row((plain("Yhteensä"), plain("100 %")), strong=True)),
    ("left", "right"),
)


def test_a_tables_last_row_never_stands_alone_at_the_top_of_a_page() -> None:
    """The table pushed down a line at a time through the page: on a page the table runs
    onto, its header is never followed by the total alone; where it would have been, the
    row before the total comes along (that position is reached)."""
    along = 0
    for lines in range(50):
        filler = tuple(Paragraph((Span(f"Täyte {n}"),)) for n in range(lines))
        document = Document("Otsikko", "fi", (Part("section", 1, "1 Osio", (*filler, TOTALS)),))
        pages = pypdf.PdfReader(io.BytesIO(render_pdf(document, STAMP))).pages
        for page in pages[1:]:
            texts = [line for line in page.extract_text().split("\n") if line.strip()]
            if "Osapuoli htv" in texts:  # the header, repeated where the table runs on
                after = texts[texts.index("Osapuoli htv") + 1]
                assert not after.startswith("Yhteensä"), (lines, texts)
                along += after.startswith("Osapuoli 11")
    assert along >= 1


# -- a long email address in a table -----------------------------------------------------------

TIINA = "tiina.leppaniemi@sastamala.fi"
LONG = "elina.anttila.hyvinvointipalvelut@pirhahyvinvointialue.fi"
CONTACTS = [
    ["Osapuoli", "Yhteyshenkilö", "Sähköposti", "Puhelin"],
    ["Läntisen Pirkanmaan työllisyysalue", "Tiina Leppäniemi", TIINA, "040 123 4567"],
    ["Pirkanmaan hyvinvointialue", "Elina Anttila", LONG, "+358 40 123 4567"],
]
"""Liite 2's contact table with email addresses: one as long as a real one, one longer than
any column the page has room for."""


def _text_extents(page: pypdf.PageObject) -> list[tuple[float, float, float]]:
    """(x where it starts, x where it ends, y) of every text a page shows (TJ, Tj), its width
    summed from the glyph widths its font gives (/W, the CIDs of an Identity-H font), as a
    viewer draws it."""
    fonts = page["/Resources"]["/Font"]
    extents: list[tuple[float, float, float]] = []
    state: dict[str, object] = {}

    def widths(name: str) -> tuple[dict[int, float], float]:
        descendant = fonts[name].get_object()["/DescendantFonts"][0].get_object()
        found: dict[int, float] = {}
        spec = list(descendant.get("/W", []))
        while spec:
            first, second = spec.pop(0), spec.pop(0)
            if isinstance(second, list):
                found.update({int(first) + n: float(w) for n, w in enumerate(second)})
            else:
                found.update(dict.fromkeys(range(int(first), int(second) + 1), float(spec.pop(0))))
        return found, float(descendant.get("/DW", 1000))

    def visit(operator: bytes, operands: list, cm: list[float], tm: list[float]) -> None:
        if operator == b"Tf":
            state["font"], state["size"] = widths(operands[0]), float(operands[1])
        if operator not in (b"TJ", b"Tj"):
            return
        (glyphs, default), size = state["font"], state["size"]  # type: ignore[misc]
        advance = 0.0
        for item in operands[0] if operator == b"TJ" else operands:
            if isinstance(item, (int, float)):
                advance -= float(item) / 1000 * size
                continue
            raw = item.get_original_bytes() if hasattr(item, "get_original_bytes") else bytes(item)
            cids = [int.from_bytes(raw[n : n + 2], "big") for n in range(0, len(raw), 2)]
            advance += sum(glyphs.get(cid, default) for cid in cids) / 1000 * size
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        extents.append((x, x + advance * tm[0] * cm[0], y))

    page.extract_text(visitor_operand_before=visit)
    return extents


def test_a_long_email_address_wraps_inside_its_table_cell_in_the_pdf() -> None:
    """The contact table with addresses wider than their column: no text runs over the text
    beside it on its line (the address over the phone number) or past the right margin; and
    the PDF's text has each address whole, nothing added to it (no zero-width space)."""
    table = Table(
        tuple(map(plain, CONTACTS[0])), tuple(Row(tuple(map(plain, r))) for r in CONTACTS[1:])
    )
    document = Document("Otsikko", "fi", (Part("section", 1, "1 Osio", (table,)),))
    (page,) = pypdf.PdfReader(io.BytesIO(render_pdf(document, STAMP))).pages
    extents = sorted(_text_extents(page), key=lambda e: (round(e[2], 1), e[0]))
    right = float(page.mediabox.width) - 25 / 25.4 * 72  # margin-x in common.typ
    assert len(extents) > 12
    for (start, end, y), (next_start, _, next_y) in itertools.pairwise(extents):
        if round(y, 1) == round(next_y, 1):
            assert end <= next_start + 0.1, (start, end, next_start, y)
    assert max(end for _, end, _ in extents) <= right + 0.1
    text = "".join(page.extract_text().split())
    for address in (CONTACTS[1][2], CONTACTS[2][2]):
        assert address in text


# -- DOCX column widths ------------------------------------------------------------------------

ROLE = "varapuheenjohtaja"
SQUEEZED = [
    ["Jäsen", "Tehtävä", "Varajäsen"],
    ["Annukka (Martikainen) Eloranta, sosiaali- ja terveyspalveluiden johtaja", ROLE, "sana " * 60],
]
"""Three columns whose text needs more than the page: the role's column gets little more
than its longest word."""


def test_every_column_is_at_least_as_wide_as_its_longest_word_with_room() -> None:
    for rows in (SQUEEZED, [["a", ROLE]], [[ROLE, "x " * 200]]):
        widths = column_widths(rows)
        assert sum(widths) == pytest.approx(16.0, abs=0.05)
        for column, width in enumerate(widths):
            longest = max(_width(word) for row in rows for word in row[column].split())
            assert width - 0.4 >= 1.15 * longest, (rows[0], widths)


def test_a_long_email_address_leaves_the_other_columns_their_longest_word() -> None:
    """The contact table's addresses take the room of their longest piece between the places
    the PDF breaks them (after "@" and "."), not the whole address: every other column keeps
    room for its longest word (before, "Puhelin" was squeezed to "Puh elin")."""
    widths = column_widths(CONTACTS)
    assert sum(widths) == pytest.approx(16.0, abs=0.05)
    for column, width in enumerate(widths):
        words = [word for row in CONTACTS for word in row[column].split()]
        if column == 2:
            words = [piece for word in words for piece in re.findall(r"[^@.]*[@.]|[^@.]+", word)]
            assert "pirhahyvinvointialue." in words
        assert width - 0.4 >= 1.15 * max(map(_width, words)), (CONTACTS[0][column], widths)


def _words(table: list[list[str]]) -> set[str]:
    return {word.strip(".,()") for row in table for cell in row for word in cell.split()}


# -- in LibreOffice: words in tables, the DOCX package's cover and its "(jatkuu)" --------------

PARTY = "Kansaneläkelaitos"
MANY = 24
"""Kela's signatories in the made-up agreement below: more than a page of lines to sign in
the DOCX, and of boxes in the PDF."""


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The made-up agreement with 24 signatories for Kela, its packages built."""
    root = copy_agreement(
        tmp_path_factory.mktemp("many") / "agreement", FIXTURES / "kuvitteellinen"
    )
    config = root / "tymdocs.yaml"
    meta = yaml.safe_load(config.read_text(encoding="utf-8"))
    kela = next(party for party in meta["parties"] if party["id"] == "kela")
    kela["signatories"] = [
        {"name": f"Allekirjoittaja {n}", "title": "johtaja"} for n in range(1, MANY + 1)
    ]
    config.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    init_repo(root)
    build(open_source(root), root / "build", selection="packages")
    return root / "build"


def _kela(built: Path, kind: str) -> Path:
    (path,) = [p for p in _outputs(built, kind) if p.stem.endswith("-kela")]
    return path


@pytest.fixture(scope="module")
def libreoffice(
    built_seed: Path, many: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, Path]]:
    """Each DOCX the tests below read, converted to PDF by one LibreOffice: by name, the DOCX
    and the PDF."""
    if not LIBREOFFICE:
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    squeezed = Table(tuple(map(plain, SQUEEZED[0])), (Row(tuple(map(plain, SQUEEZED[1]))),))
    document = Document("Otsikko", "fi", (Part("section", 1, "1 Osio", (squeezed,)),))
    (folder / "squeezed.docx").write_bytes(render_docx(document, STAMP))
    seed = built_seed / "build"
    made_up = _made_up_build(tmp_path_factory)
    for name, path in (
        ("agreement", _outputs(seed, "agreement-docx")[0]),
        ("seed", _kela(seed, "signature-package-docx")),
        ("made-up", _kela(made_up, "signature-package-docx")),
        ("many", _kela(many, "signature-package-docx")),
    ):
        shutil.copy(path, folder / f"{name}.docx")
    names = ["squeezed", "agreement", "seed", "made-up", "many"]
    sources = [folder / f"{name}.docx" for name in names]
    pdfs = soffice_convert_many(sources, "pdf", folder)
    return {name: (source, pdf) for name, source, pdf in zip(names, sources, pdfs, strict=True)}


def _made_up_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_agreement(
        tmp_path_factory.mktemp("made-up") / "agreement", FIXTURES / "kuvitteellinen"
    )
    init_repo(root)
    build(open_source(root), root / "build", selection="packages")
    return root / "build"


def test_libreoffice_breaks_no_word_in_a_table(libreoffice: dict[str, tuple[Path, Path]]) -> None:
    """The agreement's tables and the squeezed one, as LibreOffice lays them out: every word of
    a cell is whole in the text it prints (pdftotext), none split across two lines."""
    for name in ("squeezed", "agreement"):
        source, pdf = libreoffice[name]
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        printed = {word.strip(".,()") for word in text.split()}
        tables = [
            [[cell.text for cell in row.cells] for row in table.rows]
            for table in docx.Document(str(source)).tables
        ]
        cells = set().union(*(_words(table) for table in tables))
        assert cells - printed == set(), name
        assert ROLE in printed


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's lines, without the running header and footer."""
    pages = []
    for page in pypdf.PdfReader(pdf).pages:
        lines = [" ".join(line.split()) for line in page.extract_text().split("\n")]
        pages.append([line for line in lines if line][1:-1])
    return pages


def _begins_a_line(lines: list[str], heading: str) -> bool:
    """Whether ``heading`` is one of ``lines``, or two (a long one goes on on the next, maybe
    after a hyphen), spaces aside."""
    squeezed = heading.replace(" ", "")
    shown = [line.replace(" ", "") for line in lines]
    return any(squeezed in (shown[n], "".join(shown[n : n + 2])) for n in range(len(shown)))


CONTENTS_LINE = re.compile(r"^(.*?)\s*\.{3,}\s*(\d+)$")


def _carlito() -> bool:
    """Whether LibreOffice lays Calibri out in Carlito, which has Calibri's metrics, as Word
    would: only then are the cover's own numbers (Word's until it updates them) LibreOffice's."""
    found = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    return "Carlito" in found


@pytest.mark.parametrize("name", ["seed", "made-up"])
def test_the_docx_cover_keeps_to_one_page_and_lists_where_each_part_starts(
    libreoffice: dict[str, tuple[Path, Path]], name: str
) -> None:
    """The cover's contents are on its one page, and each part is on the page the contents
    give, as LibreOffice lays out the DOCX; the numbers are Word fields (PAGEREF, dirty:
    updated on opening) to a bookmark on each part's heading, their results in place."""
    source, pdf = libreoffice[name]
    pages = _pages(pdf)
    headings = [
        p.text for p in docx.Document(str(source)).paragraphs if p.style.name == "Heading 1"
    ]
    listed = [CONTENTS_LINE.match(line) for line in pages[0]]
    contents = [(m.group(1), int(m.group(2))) for m in listed if m]
    assert [heading for heading, _ in contents] == headings  # every one, on the cover
    assert pages[1][0] == headings[0]  # the agreement starts on page 2
    at = 1  # each part found from the page the one before it starts on
    for heading, page in contents:
        at = next(n for n in range(at, len(pages)) if _begins_a_line(pages[n], heading))
        assert at + 1 == page, (heading, page)
    xml = zipfile.ZipFile(source).read("word/document.xml").decode()
    fields = re.findall(
        r'<w:fldSimple w:instr=" PAGEREF (_tymdocs\d+) \\h " w:dirty="true">'
        r".*?<w:t>(\d+)</w:t>",
        xml,
    )
    assert [int(number) for _, number in fields] == [page for _, page in contents] or not _carlito()
    body = etree.fromstring(xml.encode())
    for bookmark, _ in fields:
        (start,) = body.iterfind(f".//{W}bookmarkStart[@{W}name='{bookmark}']")
        style = start.getparent().find(f"{W}pPr/{W}pStyle")
        assert style is not None and style.get(f"{W}val") == "Heading1"


def test_a_partys_lines_over_a_page_go_on_under_its_heading_jatkuu(
    libreoffice: dict[str, tuple[Path, Path]], many: Path
) -> None:
    """Kela's 24 signatories: on every page after the first that holds some of them, in the
    DOCX as LibreOffice lays it out and in the PDF package, the first line is "Kela
    (jatkuu)"; every signatory is on some page, once."""
    for pdf in (libreoffice["many"][1], _kela(many, "signature-package")):
        pages = _pages(pdf)
        first = next(
            n for n, lines in enumerate(pages) if "Osapuolet hyväksyvät" in " ".join(lines)
        )
        on = []
        for lines in pages[first:]:
            signatories = [
                line for line in lines if re.match(r"Allekirjoittaja \d+, johtaja", line)
            ]
            if not signatories:
                continue
            on.append(signatories)
            if len(on) > 1:
                assert lines[0] == f"{PARTY} (jatkuu)", (pdf.name, lines[:3])
        assert len(on) >= 2, pdf.name
        assert sorted(line for page in on for line in page) == sorted(
            f"Allekirjoittaja {n}, johtaja" for n in range(1, MANY + 1)
        )
