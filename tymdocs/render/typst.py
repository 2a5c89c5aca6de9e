"""Document -> PDF through Typst, Typst's bundled fonts only: the agreement as PDF/A-2a and
PDF/UA-1, a signature package as PDF/A-2b, a redline report as PDF/A-2a and PDF/UA-1.

The template is fixed; the document travels to it as JSON in ``sys.inputs``, so agreement text
is data that Typst shows, never markup it parses.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, assert_never

from tymdocs.document import Document, Part, Stamp
from tymdocs.errors import RenderError
from tymdocs.locale import capitalise, label, speaking
from tymdocs.model import (
    Block,
    Heading,
    Inline,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Mark,
    Moved,
    Paragraph,
    Span,
    Table,
)
from tymdocs.redline import Moving, as_shown, moved_mark, moves
from tymdocs.render import TEMPLATES
from tymdocs.render.spacing import keep_section_numbers

if TYPE_CHECKING:
    import typst

    from tymdocs.changes import Change, Report


class AgreementPdf(NamedTuple):
    """The agreement laid out: its PDF, and whether its running header took two lines
    anywhere (a long version label), where a package's keeps to one."""

    pdf: bytes
    two_line_header: bool


def render_agreement(
    document: Document, stamp: Stamp, authors: tuple[str, ...] = (), *, for_packages: bool = False
) -> AgreementPdf:
    """The agreement as a PDF (PDF/A-2a and PDF/UA-1, tagged); ``for_packages``: its pages
    for the signature packages instead, PDF/A-2b and untagged, the running header on one line
    (the same text on the same pages: the header stands in the margin)."""
    return agreement_compile(document, stamp, authors, for_packages=for_packages)()


def agreement_compile(
    document: Document, stamp: Stamp, authors: tuple[str, ...] = (), *, for_packages: bool = False
) -> Callable[[], AgreementPdf]:
    """:func:`render_agreement` in two steps: what needs Python (the document as Typst's
    input, a compiler), done here, and the layout, which runs without Python's lock, returned
    as a function for another thread."""
    with speaking(document.language):
        inputs = {"data": _json(document_data(document, stamp, authors))}
    if for_packages:
        inputs["one-line-header"] = "yes"
    compiler = _compiler(TEMPLATES / "agreement.typ", TEMPLATES, inputs)

    def compiled() -> AgreementPdf:
        pdf, (two_lines,) = _compile(
            compiler,
            "the agreement",
            stamp,
            tagged=not for_packages,
            queries=("<tymdocs-two-line-header>",),
        )
        return AgreementPdf(pdf, bool(two_lines))

    return compiled


def render_package_pages(
    document: Document, stamp: Stamp, packages: dict[str, Any]
) -> tuple[bytes, list[dict[str, Any]], list[dict[str, Any]]]:
    """One PDF/A-2b with the covers of every package of ``packages["parties"]``, one after
    another, then the signature page; with where Typst placed every signature box, and where
    each cover and the signature page (``index`` None) start, by page of this PDF.

    Untagged on purpose: the tagged, accessible document is the agreement PDF; a package is
    for signing, and every signature's difference analysis reads every object of the file,
    which the structure tree would multiply fourfold.
    """
    with speaking(document.language):
        inputs = {
            "data": _json(document_data(replace(document, parts=()), stamp, ())),
            "packages": _json(packages),
        }
    pdf, (boxes, starts) = _compile(
        _compiler(TEMPLATES / "package.typ", TEMPLATES, inputs),
        "the signature packages",
        stamp,
        tagged=False,
        queries=("<tymdocs-signature-box>", "<tymdocs-start>"),
    )
    return pdf, boxes, starts


_REDLINE_LABELS = (
    "title",
    "older",
    "newer",
    "summary",
    "none",
    "legend",
    "inserted",
    "deleted",
    "bars",
    "change",
    "needs",
    "record",
    "moved",
    "move_bar",
)
"""The words redline.typ prints itself, each ``redline_<name>`` in the locale."""


def render_redline_pdf(report: Report, stamp: Stamp) -> bytes:
    """A redline report as a PDF, byte-identical for the same report and stamp: the summary,
    then the changed parts in full with their marks and the unchanged ones folded to a line.

    Tagged like the agreement (PDF/A-2a and PDF/UA-1, which PDF/A-2b readers accept too): a
    legal reviewer's screen reader gets the summary table and the headings as structure.
    """
    # The header and footer are the agreement's: its title, and the stamp's label and
    # fingerprint (``tymdocs diff`` labels a report by the versions it compares).
    with speaking(report.redline.language):
        data = document_data(replace(report.redline, parts=()), stamp, ())
        data["title"] = report.title
        data["redline"] = redline_data(report)
    compiler = _compiler(TEMPLATES / "redline.typ", TEMPLATES, {"data": _json(data)})
    pdf, _ = _compile(compiler, "the redline report", stamp, tagged=True)
    return pdf


def redline_data(report: Report) -> dict[str, Any]:
    """The report as redline.typ shows it, in the words of the HTML redline: the summary, and
    the parts in order, each changed one in full and each run of unchanged ones as one line.

    A part a change names is shown even without a mark, so that the summary never links to a
    folded part."""
    by_key = {change.key: change for change in report.changes}
    parts = report.redline.parts
    anchors = by_key.keys() & {part.key for part in parts}  # part keys are unique
    items: list[dict[str, Any]] = []
    for shown, run in report.runs:
        if shown:
            items += (_shown(part, by_key.get(part.key)) for part in run)
        else:
            items.append({"fold": unchanged_line(run)})
    return {
        "labels": {name: label(f"redline_{name}") for name in _REDLINE_LABELS},
        "counts": report.counts,
        "a": report.a_label,
        "b": report.b_label,
        "changes": [_change(change, anchors) for change in report.changes],
        "items": items,
        "moves": any(moves(part) for part in parts),
    }


def unchanged_line(parts: Sequence[Part]) -> str:
    """``Muuttumattomat osat (4): 1, 2, 3 §, liite 1``: a count, then the numbers."""
    sections = ", ".join(str(part.number) for part in parts if part.kind == "section")
    annexes = [str(part.number) for part in parts if part.kind == "annex"]
    names = [label("redline_folded_sections", numbers=sections)] if sections else []
    if annexes:
        key = "redline_folded_annexes" if len(annexes) > 1 else "redline_folded_annex"
        names.append(label(key, numbers=", ".join(annexes)))
    return label("redline_folded", count=len(parts), parts=", ".join(names))


def _shown(part: Part, change: Change | None) -> dict[str, Any]:
    """A part shown in full, linked from the summary where a change names it; one whose text
    is as it was (renumbered or retitled) with its heading and that line, not its text."""
    if change is not None and change.text_unchanged:
        shown = _part(replace(part, blocks=()))
        return {"part": shown, "anchor": part.key, "same": label("redline_text_unchanged")}
    return {"part": _part(part), "anchor": part.key if change is not None else None}


def _change(change: Change, anchors: set[str]) -> dict[str, Any]:
    cell = change.record_cell
    return {
        "anchor": change.key if change.key in anchors else None,
        "part": change.part,
        "status": change.status_text,
        "sentences": list(change.sentences),
        "needs": capitalise(change.needs_text),
        "record": cell.words,
        "command": cell.command,
    }


_CREATOR = re.compile(rb"<xmp:CreatorTool>Typst (\d+\.\d+\.\d+[0-9A-Za-z.+-]*)</xmp:CreatorTool>")
"""Where a Typst PDF's XMP names its creator: XML, in which no text of a document can stand
as an element (unlike ``/Creator`` in the document information, beside the title)."""


def creator_version(pdf: bytes) -> str:
    """The Typst version that ``pdf``, a PDF made here, names as its creator: what
    :func:`compiler_version` asks Typst, read where a build has it at hand (asking Typst took
    2 ms beside the agreement's layout); asked where the PDF names none."""
    found = _CREATOR.findall(pdf)
    return found[0].decode() if len(found) == 1 else compiler_version()


@functools.cache
def compiler_version() -> str:
    """The version of the Typst compiler that the typst package bundles (``0.15.1``), which
    every PDF names as its creator; the package's own version is another number."""
    import typst

    # Without the system's fonts, as every compile here: searching them took 10 ms a build.
    version = json.loads(
        typst.eval(b"", "str(sys.version)", format="json", ignore_system_fonts=True)
    )
    assert isinstance(version, str)
    return version


_METADATA = ("title", "authors", "keywords", "subject")
"""What a document's data says of it for its properties (``set document``), not its pages:
kept as written, without non-breaking spaces."""


def _json(data: dict[str, Any]) -> str:
    """``data`` as the JSON a template reads, "§" bound to its number in every string it
    shows (the rule of render/spacing.py): Typst is given text in which a line can no longer
    part them, whatever run or label it comes from."""

    def bound(value: Any) -> Any:
        match value:
            case str() if "§" in value:
                return keep_section_numbers([value])[0]
            case dict():
                return {key: bound(item) for key, item in value.items()}
            case list() | tuple():
                return [bound(item) for item in value]
            case _:
                return value

    return json.dumps({k: v if k in _METADATA else bound(v) for k, v in data.items()})


def _compiler(main: Path, root: Path, inputs: dict[str, str]) -> typst.Compiler:
    """A Typst compiler of ``main`` with ``inputs`` as its ``sys.inputs``, bundled fonts only
    (found once a process)."""
    import typst

    return typst.Compiler(
        str(main), root=str(root), font_paths=_fonts(), ignore_system_fonts=True, sys_inputs=inputs
    )


@functools.cache
def _fonts() -> typst.Fonts:
    """Typst's bundled fonts, found once for every compiler of the process (2-3 ms each)."""
    import typst

    return typst.Fonts(include_system_fonts=False)


def _compile(
    compiler: typst.Compiler,
    what: str,
    stamp: Stamp,
    *,
    tagged: bool,
    queries: Sequence[str] = (),
) -> tuple[bytes, list[list[dict[str, Any]]]]:
    """``what`` as a PDF from ``compiler``, with the values that each selector of ``queries``
    labels."""
    import typst

    try:
        pdf = compiler.compile(
            pdf_standards=["a-2a", "ua-1"] if tagged else ["a-2b"],
            timestamp=stamp.timestamp,
            pdf_tags=tagged,
        )
        found = [json.loads(compiler.query(query, field="value")) for query in queries]
    except typst.TypstError as exc:
        raise RenderError(f"Typst could not render {what}: {exc}") from exc
    assert isinstance(pdf, bytes)
    return pdf, found


def document_data(document: Document, stamp: Stamp, authors: tuple[str, ...]) -> dict[str, Any]:
    """The JSON the template renders: the document plus the labels of this build."""
    return {
        "title": document.title,
        "lang": document.language,
        "authors": list(authors),
        # ASCII only: with one non-ASCII character the whole entry becomes UTF-16, and
        # ``verify`` reads a package's claims from these bytes.
        "keywords": [stamp.keyword],
        "subject": label("subject", version=stamp.version_label, area=document.title),
        "header": document.title,
        "version": stamp.version_label,
        "footer": stamp.footer,
        "page_label": label("page", page="{page}", total="{total}"),
        "draft": stamp.draft,
        "draft_label": label("draft"),
        "parts": [_part(part) for part in document.parts],
    }


def _part(part: Part) -> dict[str, Any]:
    data = {"kind": part.kind, "heading": part.heading, "blocks": [_block(b) for b in part.blocks]}
    if part.former_heading is not None:
        data["former"] = part.former_heading
    return _marked(data, part.mark)


def _marked(data: dict[str, Any], mark: Mark | None) -> dict[str, Any]:
    """``data`` with its redline mark, only where there is one: an agreement's JSON, and so
    its PDF, stay byte for byte what they were before redlines existed."""
    if mark is not None:
        data["m"] = mark
    return data


def _block(block: Block, moving: Moving = None) -> dict[str, Any]:
    match block:
        case Heading():
            moving = _moving(block.moved, moving)
            content = _inlines(as_shown(block).content, moving)
            heading = {"t": "h", "level": block.level, "c": content}
            return _move(_marked(heading, block.mark), block.moved)
        case Paragraph():
            moving = _moving(block.moved, moving)
            content = _inlines(as_shown(block).content, moving)
            return _move(_marked({"t": "p", "c": content}, block.mark), block.moved)
        case ListBlock():
            first = block.items[0].marker if block.items else None
            items = [_item(item, moving) for item in block.items]
            return {"t": "list", "delim": first[-1] if first else None, "items": items}
        case Table():
            moving = _moving(block.moved, moving)
            shown = as_shown(block)
            columns = len(shown.header)
            table = {
                "t": "table",
                "header": [_inlines(cell, moving) for cell in shown.header],
                "align": [shown.alignment(column) or "left" for column in range(columns)],
                "rows": [
                    _marked(
                        {
                            "cells": [_inlines(cell, moving) for cell in row.cells],
                            "level": row.level,
                            "strong": row.strong,
                        },
                        row.mark if moving != "from" else None,  # the bar is the table's
                    )
                    for row in shown.rows
                ],
            }
            return _move(_marked(table, block.mark), block.moved)
        case _:
            assert_never(block)


def _item(item: ListItem, moving: Moving) -> dict[str, Any]:
    moving = _moving(item.moved, moving)
    shown = as_shown(item)
    data = {
        "n": int(item.marker[:-1]) if item.marker else 0,
        "c": _inlines(shown.content, moving),
        "children": [_block(child, moving) for child in shown.children],
    }
    if item.former_marker is not None:
        data["former"] = item.former_marker
    return _move(_marked(data, item.mark), item.moved)


def _moving(moved: Moved[Any] | None, moving: Moving) -> Moving:
    """How a block's text is shown: as a move's where the block is one's end, else as the
    block around it shows its own."""
    return moving if moved is None else moved.side


def _move(data: dict[str, Any], moved: Moved[Any] | None) -> dict[str, Any]:
    """``data`` with the end of a move it is, only where it is one: the badge that names the
    other end, this end's label and the other's, for the link between them."""
    if moved is not None:
        from tymdocs.changes import move_badge  # only a redline has moves: a build never loads it

        data["move"] = {
            "badge": move_badge(moved),
            "label": f"moved-{moved.number}-{moved.side}",
            "other": f"moved-{moved.number}-{moved.other}",
        }
    return data


def _inlines(content: Inlines, moving: Moving = None) -> list[dict[str, Any]]:
    return _keep_section_numbers([_inline(part, moving) for part in content])


def _keep_section_numbers(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``parts`` with a non-breaking space between "§" and its number, also where the two meet
    across runs (``§ `` and a struck ``8``), which Typst's show rule never sees as one text."""
    texts = keep_section_numbers([part.get("s", "\n") for part in parts])
    return [
        part | {"s": text} if "s" in part else part for part, text in zip(parts, texts, strict=True)
    ]


def _inline(part: Inline, moving: Moving) -> dict[str, Any]:
    """A run of text or a line break with its mark. In a moved block the moved text is marked
    as moved ("mv"): deleted at its old place, inserted at its new, where the move's own
    edits keep their plain marks."""
    match part:
        case Span():
            data = {"s": part.text, "b": part.strong, "i": part.emphasis}
        case LineBreak():
            data = {"br": True}
        case _:
            assert_never(part)
    shown = moved_mark(part.mark, moving)
    if shown is not None:
        return _marked(data, shown) | {"mv": True}
    return _marked(data, part.mark)
