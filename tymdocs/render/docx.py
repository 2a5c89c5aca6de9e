"""Document -> DOCX: the shipped docxtpl template, filled with a body built by python-docx.

OOXML stays inside this module. Zip entries are rewritten with the commit's time so the same
commit gives the same bytes on any machine.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from importlib import resources
from typing import Any, assert_never

from tymdocs.document import Document, Stamp
from tymdocs.locale import label
from tymdocs.model import (
    Block,
    Heading,
    Inlines,
    LineBreak,
    ListBlock,
    Paragraph,
    Table,
    inline_text,
)

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


def _add_block(body: Any, block: Block, level: int = 0) -> None:
    """Add one block; ``level`` is the depth of the list it sits in (0: not in a list)."""
    match block:
        case Heading():
            _add_runs(body.add_paragraph(style=f"Heading {min(block.level, 9)}"), block.content)
        case Paragraph():
            paragraph = body.add_paragraph()
            if level:
                paragraph.paragraph_format.left_indent = _list_indent(level)
            _add_runs(paragraph, block.content)
        case ListBlock():
            for item in block.items:
                _add_runs(_list_paragraph(body, item.marker, level), item.content)
                for child in item.children:
                    _add_block(body, child, level + 1)
        case Table():
            _add_table(body, block)
        case _:
            assert_never(block)


_INDENT_CM = 0.75
_BULLETS = ("\u2022", "\u25e6", "\u25aa")


def _list_indent(level: int) -> Any:
    from docx.shared import Cm

    return Cm(_INDENT_CM * level)


def _list_paragraph(body: Any, marker: str | None, level: int) -> Any:
    """A list item's paragraph at ``level`` (0 for a top-level item).

    Bullets are Word list paragraphs on a numbering level of their own (``w:ilvl``); ordered
    items print the parties' own numbers as text, since Word numbering could renumber them.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    paragraph = body.add_paragraph(style="List Paragraph")
    layout = paragraph.paragraph_format
    layout.left_indent = _list_indent(level + 1)
    layout.first_line_indent = Cm(-_INDENT_CM)
    layout.tab_stops.add_tab_stop(_list_indent(level + 1))
    if marker is not None:
        paragraph.add_run(f"{marker}\t")
        return paragraph
    numbering = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", level), ("w:numId", _bullet_numbering(body))):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(value))
        numbering.append(element)
    paragraph._p.get_or_add_pPr().insert_element_before(
        numbering, "w:spacing", "w:ind", "w:jc", "w:rPr"
    )
    return paragraph


def _bullet_numbering(body: Any) -> int:
    """The id of a nine-level bullet list definition, added to the document once."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = body.part.numbering_part.element
    cached = getattr(numbering, "_tymdocs_bullets", None)
    if cached is not None:
        return int(cached)
    abstract_id = 1 + max(
        (int(a) for a in numbering.xpath("w:abstractNum/@w:abstractNumId")), default=0
    )
    num_id = 1 + max((int(n) for n in numbering.xpath("w:num/@w:numId")), default=0)
    levels = "".join(
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        f'<w:lvlText w:val="{_BULLETS[level % len(_BULLETS)]}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{_twips(level + 1)}" w:hanging="{_twips(1)}"/></w:pPr></w:lvl>'
        for level in range(9)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/>{levels}</w:abstractNum>'
    )
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    )
    first_num = numbering.find(num.tag)
    if first_num is not None:
        first_num.addprevious(abstract)  # every abstractNum comes before the first num
    else:
        numbering.append(abstract)
    numbering.append(num)
    numbering._tymdocs_bullets = num_id
    return num_id


def _twips(levels: int) -> int:
    return round(_INDENT_CM * levels * 567)


def _add_table(body: Any, block: Table) -> None:
    """A Word table: a repeated header row, columns as wide as their content needs."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    alignments = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
    columns = len(block.header)
    table = body.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    _repeat_header(table.rows[0])
    rows = [(block.header, True, 0), *((row.cells, row.strong, row.level) for row in block.rows)]
    for index, (cells, strong, level) in enumerate(rows):
        targets = table.rows[0].cells if index == 0 else table.add_row().cells
        for column, (cell, content) in enumerate(zip(targets, cells, strict=True)):
            paragraph = cell.paragraphs[0]
            _add_runs(paragraph, content, strong=strong)
            alignment = alignments.get(block.alignment(column) or "")
            if alignment is not None:
                paragraph.alignment = alignment
            if column == 0 and level:
                paragraph.paragraph_format.left_indent = Cm(0.5 * level)
    widths = column_widths([[inline_text(cell) for cell in cells] for cells, _, _ in rows])
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice reads
        for cell in column.cells:
            cell.width = Cm(width)  # each cell's own, which Word reads
    body.add_paragraph()  # Word joins adjacent tables; a paragraph keeps them apart


_TEXT_WIDTH_CM = 16.0
_CHAR_CM = 0.21  # an average character of 11 pt Calibri
_PADDING_CM = 0.4


def column_widths(rows: list[list[str]], total: float = _TEXT_WIDTH_CM) -> list[float]:
    """Column widths in cm that fill ``total``: each column at least as wide as its longest
    word (so no word breaks where the page allows), the rest shared by how much text each
    column holds."""
    columns = max((len(row) for row in rows), default=0)
    if columns == 0:
        return []

    def need(text: str, part: str) -> float:
        return len(text if part == "all" else max(text.split() or [""], key=len)) * _CHAR_CM

    longest = [max(need(row[c], "all") for row in rows) + _PADDING_CM for c in range(columns)]
    word = [max(need(row[c], "word") for row in rows) + _PADDING_CM for c in range(columns)]
    if sum(longest) <= total:
        spare = total - sum(longest)
        return [round(width + spare * width / sum(longest), 2) for width in longest]
    if sum(word) >= total:
        return [round(total * width / sum(word), 2) for width in word]
    spare = total - sum(word)
    extra = [long - short for long, short in zip(longest, word, strict=True)]
    return [
        round(short + spare * more / sum(extra), 2) for short, more in zip(word, extra, strict=True)
    ]


def _add_runs(paragraph: Any, content: Inlines, strong: bool = False) -> None:
    for part in content:
        if isinstance(part, LineBreak):
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(part.text)
        run.bold = part.strong or strong or None
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
