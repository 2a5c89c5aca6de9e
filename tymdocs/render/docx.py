"""Document -> DOCX: the shipped docxtpl template, filled with a body built by python-docx.

OOXML stays inside this module. Zip entries are rewritten with the commit's time so the same
commit gives the same bytes on any machine.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from importlib import resources
from typing import Any

from tymdocs.document import Document, Stamp
from tymdocs.locale import label
from tymdocs.model import Block, Heading, Inlines, LineBreak, ListBlock, Paragraph, Table

_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
_PAGE_MARK = "\x00"


def render_docx(document: Document, stamp: Stamp, authors: tuple[str, ...] = ()) -> bytes:
    """The agreement as a DOCX, byte-identical for the same document and stamp."""
    from docxtpl import DocxTemplate

    template = resources.files("tymdocs") / "templates" / "agreement.docx"
    with template.open("rb") as handle:
        tpl = DocxTemplate(io.BytesIO(handle.read()))
    body = tpl.new_subdoc()
    for part in document.parts:
        heading = body.add_paragraph(style="Heading 1")
        heading.add_run(part.heading)
        heading.paragraph_format.page_break_before = part.kind == "annex"
        for block in part.blocks:
            _add_block(body, block)

    page = label("page", page=_PAGE_MARK, total=_PAGE_MARK).split(_PAGE_MARK)
    context = {
        "title": document.title,
        "version": stamp.version_label,
        "draft": label("draft") if stamp.draft else "",
        "footer": stamp.footer,
        "page_before": page[0],
        "page_between": page[1],
        "page_after": page[2],
        "body": body,
    }
    tpl.render(context, autoescape=True)
    when = dt.datetime.fromtimestamp(stamp.timestamp, dt.UTC).replace(tzinfo=None)
    properties = tpl.docx.core_properties
    properties.title = document.title
    properties.author = "; ".join(authors)
    properties.keywords = f"{stamp.version_label}; sha256:{stamp.fingerprint}"
    properties.language = document.language
    properties.created = properties.modified = when
    properties.last_modified_by = "tymdocs"
    properties.revision = 1
    buffer = io.BytesIO()
    tpl.save(buffer)
    return _fixed_zip(buffer.getvalue(), stamp.timestamp)


def _add_block(body: Any, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    if isinstance(block, Heading):
        _add_runs(body.add_paragraph(style=f"Heading {min(block.level, 9)}"), block.content)
    elif isinstance(block, Paragraph):
        _add_runs(body.add_paragraph(), block.content)
    elif isinstance(block, ListBlock):
        for item in block.items:
            if item.marker is None:
                paragraph = body.add_paragraph(style="List Bullet")
            else:
                # The parties' own numbers are text, not Word numbering that could renumber.
                paragraph = body.add_paragraph(style="List Paragraph")
                paragraph.paragraph_format.left_indent = Cm(0.8)
                paragraph.paragraph_format.first_line_indent = Cm(-0.8)
                paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(0.8))
                paragraph.add_run(f"{item.marker}\t")
            _add_runs(paragraph, item.content)
    elif isinstance(block, Table):
        table = body.add_table(rows=1, cols=len(block.header))
        table.style = "Table Grid"
        _repeat_header(table.rows[0])
        numeric = block.numeric or (False,) * len(block.header)
        for cell, text in zip(table.rows[0].cells, block.header, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        for row in block.rows:
            cells = table.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, row.cells, strict=True)):
                paragraph = cell.paragraphs[0]
                paragraph.add_run(text).bold = row.strong
                if numeric[index]:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if index == 0 and row.level:
                    paragraph.paragraph_format.left_indent = Cm(0.5 * row.level)
        body.add_paragraph()  # Word joins adjacent tables; a paragraph keeps them apart


def _add_runs(paragraph: Any, content: Inlines) -> None:
    for part in content:
        if isinstance(part, LineBreak):
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(part.text)
        run.bold = part.strong or None
        run.italic = part.emphasis or None


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _fixed_zip(data: bytes, timestamp: int) -> bytes:
    """Rewrite a zip with every entry at one fixed time, in the original order."""
    when = max(dt.datetime.fromtimestamp(timestamp, dt.UTC), _ZIP_EPOCH)
    date_time = when.timetuple()[:6]
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return output.getvalue()
