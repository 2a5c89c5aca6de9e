"""Document -> PDF through Typst, Typst's bundled fonts only: the agreement as PDF/A-2a and
PDF/UA-1, a signature package as PDF/A-2b.

The template is fixed; the document travels to it as JSON in ``sys.inputs``, so agreement text
is data that Typst shows, never markup it parses.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, assert_never

from tymdocs.document import Document, Part, Stamp
from tymdocs.errors import RenderError
from tymdocs.locale import label
from tymdocs.model import Block, Heading, Inlines, LineBreak, ListBlock, Paragraph, Table


def render_pdf(document: Document, stamp: Stamp, authors: tuple[str, ...] = ()) -> bytes:
    """The agreement as a PDF, byte-identical for the same document and stamp."""
    pdf, _ = _compile("agreement.typ", document_data(document, stamp, authors), stamp, tagged=True)
    return pdf


def render_package(
    document: Document, stamp: Stamp, package: dict[str, Any]
) -> tuple[bytes, list[dict[str, Any]]]:
    """A signature package as PDF/A-2b, and where Typst placed each signature box.

    Untagged on purpose: the tagged, accessible document is the agreement PDF; a package is
    for signing, and every signature's difference analysis reads every object of the file,
    which the structure tree would multiply fourfold.
    """
    data = document_data(document, stamp, ())
    keywords = [*data["keywords"], *package["keywords"]]
    data |= package | {"header": document.title, "keywords": keywords}
    return _compile("package.typ", data, stamp, tagged=False, query="<tymdocs-signature-box>")


def _compile(
    name: str, data: dict[str, Any], stamp: Stamp, *, tagged: bool, query: str | None = None
) -> tuple[bytes, list[dict[str, Any]]]:
    """Compile a shipped template with ``data``; with ``query``, also the values it labels."""
    import typst

    template = resources.files("tymdocs") / "templates" / name
    with resources.as_file(template) as path:
        try:
            compiler = typst.Compiler(
                str(path),
                root=str(path.parent),
                ignore_system_fonts=True,
                sys_inputs={"data": json.dumps(data)},
            )
            pdf = compiler.compile(
                pdf_standards=["a-2a", "ua-1"] if tagged else ["a-2b"],
                timestamp=stamp.timestamp,
                pdf_tags=tagged,
            )
            found = json.loads(compiler.query(query, field="value")) if query else []
        except typst.TypstError as exc:
            raise RenderError(f"Typst could not render {name}: {exc}") from exc
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
        "keywords": [f"sha256:{stamp.fingerprint}"],
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
    return {"kind": part.kind, "heading": part.heading, "blocks": [_block(b) for b in part.blocks]}


def _block(block: Block) -> dict[str, Any]:
    match block:
        case Heading():
            return {"t": "h", "level": block.level, "c": _inlines(block.content)}
        case Paragraph():
            return {"t": "p", "c": _inlines(block.content)}
        case ListBlock():
            first = block.items[0].marker if block.items else None
            items = [
                {
                    "n": int(item.marker[:-1]) if item.marker else 0,
                    "c": _inlines(item.content),
                    "children": [_block(child) for child in item.children],
                }
                for item in block.items
            ]
            return {"t": "list", "delim": first[-1] if first else None, "items": items}
        case Table():
            columns = len(block.header)
            return {
                "t": "table",
                "header": [_inlines(cell) for cell in block.header],
                "align": [block.alignment(column) or "left" for column in range(columns)],
                "rows": [
                    {
                        "cells": [_inlines(cell) for cell in row.cells],
                        "level": row.level,
                        "strong": row.strong,
                    }
                    for row in block.rows
                ],
            }
        case _:
            assert_never(block)


def _inlines(content: Inlines) -> list[dict[str, Any]]:
    return [
        {"br": True}
        if isinstance(part, LineBreak)
        else {"s": part.text, "b": part.strong, "i": part.emphasis}
        for part in content
    ]
