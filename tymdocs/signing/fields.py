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

_TRAILER = re.compile(rb"trailer\s*<<(?P<body>.*?)>>\s*startxref\s*(?P<xref>\d+)\s*%%EOF\s*$", re.S)


@dataclass(frozen=True)
class SignatureField:
    """A field to add: its name, 1-based page and rectangle in PDF points (x1, y1, x2, y2)."""

    name: str
    page: int
    rect: tuple[float, float, float, float]
    tooltip: str


def add_signature_fields(pdf: bytes, fields: tuple[SignatureField, ...]) -> bytes:
    """``pdf`` with ``fields`` appended as one incremental update."""
    trailer = _TRAILER.search(pdf[-4096:])
    if trailer is None:
        raise RenderError("the PDF has no classic trailer to append signature fields to")
    body = trailer.group("body")
    size = _int(rb"/Size (\d+)", body)
    root = _int(rb"/Root (\d+) 0 R", body)
    previous = int(trailer.group("xref"))
    starts = _object_starts(pdf)
    catalog = _object(pdf, starts, root)
    if b"/AcroForm" in catalog:
        raise RenderError("the PDF already has a form")
    pages = _page_objects(pdf, starts, _int(rb"/Pages (\d+) 0 R", catalog))

    objects: dict[int, bytes] = {}
    next_number = size
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
        page = _object(pdf, starts, page_ref)
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
    info = re.search(rb"/Info \d+ 0 R", body)
    out += b"trailer\n<</Size %d/Root %d 0 R%s%s/Prev %d>>\n" % (
        next_number,
        root,
        info.group(0) if info else b"",
        _updated_id(body, out),
        previous,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _updated_id(body: bytes, updated: bytes | bytearray) -> bytes:
    """The trailer's /ID for the update: the first element kept, the second changed.

    ISO 32000 wants the second element to change on every update; a hash of the updated
    bytes changes it and keeps the package a pure function of its input."""
    found = re.search(rb"/ID\s*\[\s*(<[0-9A-Fa-f\s]*>|\((?:[^()\\]|\\.)*\))", body, re.S)
    changed = b"<%s>" % hashlib.sha256(updated).hexdigest()[:32].upper().encode()
    if found is None:
        return b"/ID[%s%s]" % (changed, changed)
    return b"/ID[%s%s]" % (found.group(1), changed)


def _int(pattern: bytes, data: bytes) -> int:
    match = re.search(pattern, data)
    if match is None:
        raise RenderError(f"unexpected PDF structure: no {pattern.decode()}")
    return int(match.group(1))


_OBJECT = re.compile(rb"\n(\d+) 0 obj\n")


def _object_starts(pdf: bytes) -> dict[int, int]:
    """Where each object's ``N 0 obj`` line starts, the last one where a number recurs: the
    file indexed once, so that finding every page takes time linear in the file."""
    return {int(match.group(1)): match.start() for match in _OBJECT.finditer(pdf)}


def _object(pdf: bytes, starts: dict[int, int], number: int) -> bytes:
    """The dictionary of a plain (non-stream) object, as its bytes ``<<...>>``."""
    start = starts.get(number)
    if start is None:
        raise RenderError(f"unexpected PDF structure: object {number} not found")
    start = pdf.index(b"obj\n", start) + 4
    end = pdf.index(b"\nendobj", start)
    value = pdf[start:end].strip()
    if not (value.startswith(b"<<") and value.endswith(b">>")):
        raise RenderError(f"unexpected PDF structure: object {number} is not a dictionary")
    return value


def _page_objects(pdf: bytes, starts: dict[int, int], pages_root: int) -> list[int]:
    """The page objects in order, walking the page tree."""
    node = _object(pdf, starts, pages_root)
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", node)
    if kids is None:
        raise RenderError("unexpected PDF structure: a page tree node without /Kids")
    result: list[int] = []
    for number in map(int, re.findall(rb"(\d+) 0 R", kids.group(1))):
        if re.search(rb"/Type\s*/Pages\b", _object(pdf, starts, number)):
            result += _page_objects(pdf, starts, number)
        else:
            result.append(number)
    return result


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
