"""Documents without blemishes, each read back from the file: spaces kept in every DOCX text
run, the manifest naming the Typst compiler each PDF names, a table's last row never alone at
the top of a PDF page, and DOCX table columns wide enough for their longest word (measured
in LibreOffice too, where it is installed).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import docx
import pypdf
import pytest
from lxml import etree

from tests.helpers import SEED, copy_agreement, edit, soffice_convert_many
from tests.test_redline_pdf import CHANGES, STAMP, _document, _pairs
from tymdocs.changes import Report
from tymdocs.document import Document, Part
from tymdocs.model import Paragraph, Row, Span, Table, plain
from tymdocs.redline import redline_document
from tymdocs.render.docx import _width, column_widths, render_docx, render_redline_docx
from tymdocs.render.typst import render_pdf

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


def _words(table: list[list[str]]) -> set[str]:
    return {word.strip(".,()") for row in table for cell in row for word in cell.split()}


@pytest.mark.skipif(not LIBREOFFICE, reason="LibreOffice is not installed")
def test_libreoffice_breaks_no_word_in_a_table(built_seed: Path, tmp_path: Path) -> None:
    """The agreement's tables and the squeezed one, as LibreOffice lays them out: every word of
    a cell is whole in the text it prints (pdftotext), none split across two lines."""
    squeezed = Table(
        tuple(plain(t) for t in SQUEEZED[0]), (Row(tuple(plain(t) for t in SQUEEZED[1])),)
    )
    document = Document("Otsikko", "fi", (Part("section", 1, "1 Osio", (squeezed,)),))
    (tmp_path / "squeezed.docx").write_bytes(render_docx(document, replace(STAMP)))
    (agreement,) = _outputs(built_seed / "build", "agreement-docx")
    shutil.copy(agreement, tmp_path / "agreement.docx")
    sources = [tmp_path / "squeezed.docx", tmp_path / "agreement.docx"]
    for source, pdf in zip(sources, soffice_convert_many(sources, "pdf", tmp_path), strict=True):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        printed = {word.strip(".,()") for word in text.split()}
        tables = [
            [[cell.text for cell in row.cells] for row in table.rows]
            for table in docx.Document(str(source)).tables
        ]
        cells = set().union(*(_words(table) for table in tables))
        assert cells - printed == set(), source.name
        assert ROLE in printed
