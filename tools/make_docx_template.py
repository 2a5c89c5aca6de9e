"""Regenerate ``tymdocs/templates/agreement.docx``, the template of the agreement DOCX.

Run ``make template`` after changing this script; the template is committed so that a build
needs nothing but the installed package. Its ``{{ name }}`` tags sit in runs of their own so
Word keeps them whole; the body is one ``{{p body }}`` paragraph that ``render/docx.py``
replaces with the agreement's text.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TARGET = Path(__file__).resolve().parent.parent / "tymdocs" / "templates" / "agreement.docx"


def _field(paragraph, instruction: str) -> None:  # type: ignore[no-untyped-def]
    """A simple field (PAGE, NUMPAGES) that Word updates as it lays out pages."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def main() -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(28), Mm(25)
    section.header_distance = section.footer_distance = Mm(12)
    usable = section.page_width - section.left_margin - section.right_margin

    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(11)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 11.5), ("Heading 3", 11)):
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = RGBColor(0, 0, 0)
    for name in ("Heading 4", "Heading 5", "Heading 6"):
        styles[name].font.color.rgb = RGBColor(0, 0, 0)
    for name in ("Header", "Footer"):
        styles[name].font.size = Pt(8)
        styles[name].paragraph_format.tab_stops.clear_all()  # Letter-size stops from the default

    # Title and version in cells of their own: a long title wraps in its cell and never
    # pushes the version onto a line of its own.
    header_table = section.header.add_table(rows=1, cols=2, width=usable)
    header_table.autofit = False
    title_width = usable * 62 // 100
    widths = (title_width, usable - title_width)
    for column, width in zip(header_table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    title_cell, version_cell = header_table.rows[0].cells
    title_cell.paragraphs[0].style = styles["Header"]
    title_cell.paragraphs[0].add_run("{{ title }}")
    version_cell.paragraphs[0].style = styles["Header"]
    version_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    version_cell.paragraphs[0].add_run("{{ version }}")
    header = section.header.paragraphs[0]
    header._p.getparent().remove(header._p)
    draft = section.header.add_paragraph()
    draft_run = draft.add_run("{{ draft }}")
    draft_run.bold = True
    draft_run.font.size = Pt(14)

    footer = section.footer.paragraphs[0]
    footer.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run("{{ footer }}")
    footer.add_run("\t")
    footer.add_run("{{ page_before }}")
    _field(footer, "PAGE")
    footer.add_run("{{ page_between }}")
    _field(footer, "NUMPAGES")
    footer.add_run("{{ page_after }}")

    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{p body }}")
    document.core_properties.author = "tymdocs"
    document.save(sys.argv[1] if len(sys.argv) > 1 else TARGET)


if __name__ == "__main__":
    main()
