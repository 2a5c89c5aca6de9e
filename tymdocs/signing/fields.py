"""Empty PAdES signature fields added to a Typst PDF as one incremental update.

Written by hand rather than with pyHanko's incremental writer, which stamps the clock and a
random document ID into every save: this update is a pure function of its input, so a package
is byte-identical for the same commit. The original bytes are kept as they are (PDF/A stays
intact) and the update only adds a widget per field, the AcroForm, and the two objects that
must point at them (the catalog and the signature page).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tymdocs.errors import RenderError
from tymdocs.render.pages import Objects


@dataclass(frozen=True)
class SignatureField:
    """A field to add: its name, 1-based page and rectangle in PDF points (x1, y1, x2, y2)."""

    name: str
    page: int
    rect: tuple[float, float, float, float]
    tooltip: str


def add_signature_fields(pdf: bytes, fields: tuple[SignatureField, ...]) -> bytes:
    """``pdf`` with ``fields`` appended as one incremental update."""
    read = Objects(pdf)
    root = read.trailer_ref(b"Root")
    catalog = read.body(root)
    if b"/AcroForm" in catalog:
        raise RenderError("the PDF already has a form")
    pages = read.page_objects()

    objects: dict[int, bytes] = {}
    next_number = read.size
    widgets_by_page: dict[int, list[int]] = {}
    for field in fields:
        if not 1 <= field.page <= len(pages):
            raise RenderError(
                f"signature field {field.name} is on page {field.page}, which the PDF does not have"
            )
        appearance, widget = next_number, next_number + 1
        next_number += 2
        x1, y1, x2, y2 = field.rect
        objects[appearance] = (
            f"<</Type/XObject/Subtype/Form/BBox[0 0 {_num(x2 - x1)} {_num(y2 - y1)}]"
            "/Resources<<>>/Length 0>>\nstream\n\nendstream"
        ).encode()
        page_ref = pages[field.page - 1]
        objects[widget] = (
            f"<</Type/Annot/Subtype/Widget/FT/Sig/T{_ascii_string(field.name)}"
            f"/TU{_text_string(field.tooltip)}/F 4"
            f"/Rect[{_num(x1)} {_num(y1)} {_num(x2)} {_num(y2)}]"
            f"/P {page_ref} 0 R/AP<</N {appearance} 0 R>>>>"
        ).encode()
        widgets_by_page.setdefault(page_ref, []).append(widget)
    form = next_number
    next_number += 1
    refs = " ".join(f"{w} 0 R" for ws in widgets_by_page.values() for w in ws)
    objects[form] = f"<</Fields[{refs}]>>".encode()
    objects[root] = _with_entry(catalog, f"/AcroForm {form} 0 R".encode())
    for page_ref, widgets in widgets_by_page.items():
        page = read.body(page_ref)
        if b"/Annots" in page:
            raise RenderError(f"page object {page_ref} already has annotations")
        annots = " ".join(f"{w} 0 R" for w in widgets)
        objects[page_ref] = _with_entry(page, f"/Annots[{annots}]".encode())

    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at = len(out)
    out += b"xref\n"
    for start, run in _runs(sorted(offsets)):
        out += b"%d %d\n" % (start, len(run))
        for number in run:
            out += b"%010d 00000 n\r\n" % offsets[number]
    info = re.search(rb"/Info \d+ 0 R", read.trailer)
    out += b"trailer\n<</Size %d/Root %d 0 R%s%s/Prev %d>>\n" % (
        next_number,
        root,
        info.group(0) if info else b"",
        _updated_id(read.trailer_id, out),
        read.xref,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _updated_id(first: bytes, updated: bytes | bytearray) -> bytes:
    """The trailer's /ID for the update: the first element (``first``) kept, the second
    changed; both new where there was none.

    ISO 32000 wants the second element to change on every update; a hash of the updated
    bytes changes it and keeps the package a pure function of its input."""
    changed = b"<%s>" % hashlib.sha256(updated).hexdigest()[:32].upper().encode()
    return b"/ID[%s%s]" % (first or changed, changed)


def _with_entry(dictionary: bytes, entry: bytes) -> bytes:
    return dictionary[:-2] + entry + b">>"


def _runs(numbers: list[int]) -> list[tuple[int, list[int]]]:
    """Consecutive object numbers grouped into xref subsections."""
    runs: list[tuple[int, list[int]]] = []
    for number in numbers:
        if runs and runs[-1][1][-1] == number - 1:
            runs[-1][1].append(number)
        else:
            runs.append((number, [number]))
    return runs


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _ascii_string(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", text):
        raise RenderError(f"field name {text!r} must be ASCII letters, digits, '-', '_' or '.'")
    return f"({text})"


def _text_string(text: str) -> str:
    """A PDF text string in UTF-16BE with a byte-order mark, as hex: any character is safe."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"
