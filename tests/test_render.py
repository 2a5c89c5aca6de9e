"""The agreement DOCX and PDF, read back with python-docx and pypdf."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import (
    docx_body_text,
    docx_headings,
    normalise,
    pdf_body_text,
    pdf_pages,
    render_pdf,
)
from tests.test_seed import ANNEX_TITLES, SECTION_TITLES
from tymdocs.checks import validate
from tymdocs.document import Document, Part, Stamp, compose, plain_text
from tymdocs.model import Paragraph, Span
from tymdocs.render.docx import render_docx
from tymdocs.sources import WorkTree

HEADINGS = [f"{n} {title}" for n, title in enumerate(SECTION_TITLES, start=1)] + [
    f"LIITE {n} {title}" for n, title in enumerate(ANNEX_TITLES, start=1)
]
TITLE = "SOPIMUS TYÖLLISTYMISTÄ EDISTÄVÄN MONIALAISEN TUEN YHTEISTOIMINTAMALLISTA"


def _outputs(repo: Path) -> tuple[dict[str, Any], bytes, bytes]:
    manifest = json.loads((repo / "build" / "manifest.json").read_text())
    files = {o["kind"]: (repo / "build" / o["path"]).read_bytes() for o in manifest["outputs"]}
    return manifest, files["agreement-docx"], files["agreement-pdf"]


def _footer(manifest: dict[str, Any]) -> str:
    return f"{manifest['version']} · Tunniste {manifest['source']['fingerprint'][:16]}"


def _expected_text(repo: Path) -> str:
    agreement = validate(WorkTree(repo)).agreement
    assert agreement is not None
    return normalise(plain_text(compose(agreement)))


def test_docx_has_every_heading_in_order(built_seed: Path) -> None:
    _, docx_data, _ = _outputs(built_seed)
    assert docx_headings(docx_data) == HEADINGS


def test_pdf_has_every_heading_in_order(built_seed: Path) -> None:
    _, _, pdf = _outputs(built_seed)
    text = normalise(" ".join(pdf_pages(pdf)))
    positions = [text.find(heading) for heading in HEADINGS]
    assert -1 not in positions, [h for h, p in zip(HEADINGS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_liite_5_figures_in_finnish_format(built_seed: Path) -> None:
    _, docx_data, pdf = _outputs(built_seed)
    pdf_text = normalise(" ".join(pdf_pages(pdf)))
    docx_text = normalise(" ".join(docx_body_text(docx_data)))
    for figure in ("0,665", "2,255", "4,555", "0,755", "0,09"):
        assert figure in pdf_text
        assert figure in docx_text
    assert "Yhteensä 4,555" in docx_text
    assert "Yhteensä 4,555" in pdf_text


def test_liite_2_and_liite_5_are_real_docx_tables(built_seed: Path) -> None:
    _, docx_data, _ = _outputs(built_seed)
    tables = docx.Document(io.BytesIO(docx_data)).tables
    cells = [[[c.text for c in row.cells] for row in t.rows] for t in tables]
    members, contacts, staffing = cells
    assert members[0] == ["Jäsen", "Tehtävä", "Varajäsen"]
    assert members[1] == ["Tiina Leppäniemi", "puheenjohtaja", "Jari Kaijankoski"]
    assert len(members) == 10
    assert contacts[3] == ["Kansaneläkelaitos", "Annukka Eloranta"]
    assert staffing[0] == ["Osapuoli, alue tai tehtävä", "htv"]
    assert ["terveydenhoitaja", "0,665"] in staffing
    assert staffing[-1] == ["Yhteensä", "4,555"]


def test_docx_text_equals_the_source_text(built_seed: Path) -> None:
    _, docx_data, _ = _outputs(built_seed)
    assert normalise(" ".join(docx_body_text(docx_data))) == _expected_text(built_seed)


def test_pdf_text_equals_the_source_text(built_seed: Path) -> None:
    manifest, _, pdf = _outputs(built_seed)
    header = f"{TITLE} {manifest['version']}"
    assert pdf_body_text(pdf, header, _footer(manifest)) == _expected_text(built_seed)


def test_pdf_claims_pdf_a_2a_and_ua_1(built_seed: Path) -> None:
    _, _, pdf = _outputs(built_seed)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", raw)
    assert re.search(r"<pdfaid:conformance>A</pdfaid:conformance>", raw)
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", raw)
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    assert reader.metadata is not None and reader.metadata.title == TITLE


def test_pdf_embeds_every_font(built_seed: Path) -> None:
    _, _, pdf = _outputs(built_seed)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            fonts[str(font["/BaseFont"])] = target["/FontDescriptor"].get_object()
    assert fonts
    for name, descriptor in fonts.items():
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_pdf_has_one_bookmark_per_section_and_annex(built_seed: Path) -> None:
    _, _, pdf = _outputs(built_seed)
    outline = pypdf.PdfReader(io.BytesIO(pdf)).outline
    assert all(not isinstance(item, list) for item in outline)
    assert [item.title for item in outline] == HEADINGS


def test_docx_header_and_footer_carry_version_and_page_numbers(built_seed: Path) -> None:
    manifest, docx_data, _ = _outputs(built_seed)
    section = docx.Document(io.BytesIO(docx_data)).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    # Title and version in cells of their own, so a long title never pushes the version down.
    (row,) = section.header.tables[0].rows
    assert [cell.text for cell in row.cells] == [TITLE, manifest["version"]]
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith(_footer(manifest) + "\tSivu ")
    instructions = [
        f.get(docx.oxml.ns.qn("w:instr")) for f in footer._p.iter(docx.oxml.ns.qn("w:fldSimple"))
    ]
    assert instructions == ["PAGE", "NUMPAGES"]


# -- everything from a source is text -------------------------------------------------------

HOSTILE = [
    '#read("/etc/passwd")',
    '#import "@preview/x:0.1.0"',
    "$ x^2 $",
    "@label",
    "<label>",
    "\\",
    "*strong* _emph_ `raw`",
    "= Heading",
    "#set page(width: 1cm)",
    "<script>alert(1)</script>",
    "<b>&amp; &lt;",
    "]]> <!-- -->",
    "{{ title }} {% if x %} {%p body %}",
    "</w:t></w:r><w:r><w:t>x",
    "\"lainaus\" ja 'heittomerkki' -- ---",
]

_LETTERS = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\u00ad\u2028\u2029\u2022\u25e6\u25aa",  # the bullets are not text
).filter(lambda c: ord(c) < 0x180 or 0x391 <= ord(c) <= 0x44F or 0x2010 <= ord(c) <= 0x20AC)
# Latin Extended-B is left out: Libertinus has no bold italic "Ǿ", Typst composes it from two
# glyphs that each map back to it, and the PDF's text reads "ǾǾ" (a Typst matter, noted).
_TEXT = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(_LETTERS, min_size=1, max_size=30)),
    min_size=1,
    max_size=6,
).map(lambda parts: " ".join(" ".join(parts).split()))


def _document(paragraphs: list[tuple[str, bool, bool]]) -> Document:
    blocks = tuple(Paragraph((Span(text, strong=b, emphasis=i),)) for text, b, i in paragraphs)
    return Document("Otsikko", "fi", (Part("section", 1, "1 Osio", blocks),))


STAMP = Stamp(
    "0123456789abcdef", False, "f" * 64, 1746000000, "Versio 2 · Johtoryhmä 15.9.2025 § 4"
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(_TEXT.filter(str.strip), st.booleans(), st.booleans()), min_size=1, max_size=4
    )
)
def test_any_text_renders_as_itself_in_docx_and_pdf(
    paragraphs: list[tuple[str, bool, bool]],
) -> None:
    document = _document(paragraphs)
    expected = normalise(plain_text(document))
    assert normalise(" ".join(docx_body_text(render_docx(document, STAMP)))) == expected
    pdf = render_pdf(document, STAMP)
    text = pdf_body_text(pdf, f"Otsikko {STAMP.version_label}", STAMP.footer)
    # A PDF keeps no spaces, only positions: where Typst wraps a line inside a word (after a
    # '/', say) the extracted text gains a space. Compare without any whitespace here; the
    # seed's full text is compared with its spaces in test_pdf_text_equals_the_source_text.
    assert "".join(text.split()) == "".join(expected.split())


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_reads_no_file_and_injects_nothing(hostile: str) -> None:
    document = _document([(f"alku {hostile} loppu", False, False)])
    pdf = render_pdf(document, STAMP)
    text = normalise(" ".join(pdf_pages(pdf)))
    assert normalise(f"alku {hostile} loppu") in text
    assert "root:" not in text
    assert len(pdf_pages(pdf)) == 1
    docx_lines = docx_body_text(render_docx(document, STAMP))
    assert docx_lines == ["Otsikko", "1 Osio", f"alku {hostile} loppu"]


def test_template_tags_in_any_text_are_text(tmp_path: Path) -> None:
    """The DOCX template is filled in one pass: a title or paragraph that looks like one of
    its tags is printed, never filled in."""
    tags = "{{p body }} {{ version }} {{ title }}"
    document = Document(tags, "fi", (Part("section", 1, "1 {{ footer }}", ()),))
    data = render_docx(document, STAMP)
    assert docx_body_text(data) == [tags, "1 {{ footer }}"]
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert section.header.tables[0].rows[0].cells[0].text == tags
