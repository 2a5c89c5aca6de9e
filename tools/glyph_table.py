"""Regenerate ``tymdocs/glyphs.py``: the characters the PDFs can print with Typst's bundled fonts.

Typst's fonts are embedded in its library without a path, so they are found there by their
sfnt headers and their ``cmap`` tables read. A character counts when Libertinus Serif (the
text font) or New Computer Modern (the fallback Typst picks) maps it, and a PDF/A-2a compile
of it in every style the templates use (regular, italic, bold, bold italic) succeeds: the
math fonts map more, but Typst does not fall back to them. Combining marks are compiled one
by one after a base letter. Run ``.venv/bin/python tools/glyph_table.py`` after a Typst upgrade;
``tests/test_hostile_input.py`` proves the committed table against the fonts.
"""

from __future__ import annotations

import re
import struct
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import typst

TARGET = Path(__file__).resolve().parent.parent / "tymdocs" / "glyphs.py"
FAMILIES = ("Libertinus Serif", "NewComputerModern10")
"""Name-table full names start with these; ``NewComputerModernMath`` is left out."""
STYLES = ("", "#emph", "#strong", "#strong#emph")
ALSO = (0x00AD,)
"""Format characters Typst handles itself: the soft hyphen."""


def bundled_fonts() -> Iterator[tuple[str, set[int]]]:
    """(full name, mapped code points) of every font embedded in Typst's library."""
    library = Path(typst.__file__).parent
    data = b"".join(path.read_bytes() for path in sorted(library.glob("_typst*.so")))
    for found in re.finditer(rb"\x00\x01\x00\x00|OTTO", data):
        start = found.start()
        count = struct.unpack_from(">H", data, start + 4)[0]
        if not 5 <= count <= 40 or start + 12 + 16 * count > len(data):
            continue
        tables = {}
        for index in range(count):
            tag, _, offset, _ = struct.unpack_from(">4sIII", data, start + 12 + 16 * index)
            tables[tag] = start + offset
        if not {b"cmap", b"head", b"name"} <= set(tables):
            continue
        try:
            yield _full_name(data, tables[b"name"]), _mapped(data, tables[b"cmap"])
        except (struct.error, UnicodeDecodeError):
            continue


def _full_name(data: bytes, at: int) -> str:
    _, count, strings = struct.unpack_from(">HHH", data, at)
    for index in range(count):
        platform, _, _, name_id, length, offset = struct.unpack_from(
            ">6H", data, at + 6 + 12 * index
        )
        if platform == 3 and name_id == 4:
            start = at + strings + offset
            return data[start : start + length].decode("utf-16-be")
    return ""


def _mapped(data: bytes, at: int) -> set[int]:
    """Code points with a glyph in a ``cmap`` table's format 4 and 12 subtables."""
    points: set[int] = set()
    for index in range(struct.unpack_from(">H", data, at + 2)[0]):
        offset = struct.unpack_from(">I", data, at + 8 + 8 * index)[0]
        table = at + offset
        kind = struct.unpack_from(">H", data, table)[0]
        if kind == 12:
            for group in range(struct.unpack_from(">I", data, table + 12)[0]):
                first, last, _ = struct.unpack_from(">III", data, table + 16 + 12 * group)
                points.update(range(first, last + 1))
        elif kind == 4:
            twice = struct.unpack_from(">H", data, table + 6)[0]
            count = twice // 2
            ends = struct.unpack_from(f">{count}H", data, table + 14)
            starts = struct.unpack_from(f">{count}H", data, table + 16 + twice)
            deltas = struct.unpack_from(f">{count}h", data, table + 16 + 2 * twice)
            ranges_at = table + 16 + 3 * twice
            offsets = struct.unpack_from(f">{count}H", data, ranges_at)
            for segment in range(count):
                for point in range(starts[segment], ends[segment] + 1):
                    glyph = point + deltas[segment]
                    if offsets[segment]:
                        where = ranges_at + 2 * segment + offsets[segment]
                        glyph = struct.unpack_from(
                            ">H", data, where + 2 * (point - starts[segment])
                        )[0]
                        glyph = glyph and glyph + deltas[segment]
                    if point != 0xFFFF and glyph & 0xFFFF:
                        points.add(point)
    return points


def mapped_by_text_fonts() -> set[int]:
    """Every code point that a bundled text font (not a math font) maps."""
    points: set[int] = set()
    for name, mapped in bundled_fonts():
        if name.startswith(FAMILIES):
            points |= mapped
    return points


def renders(text: str, style: str) -> str | None:
    """None if a PDF/A-2a compile of ``text`` in ``style`` succeeds, else Typst's error."""
    with tempfile.TemporaryDirectory() as folder:
        main = Path(folder) / "probe.typ"
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        main.write_text(
            '#set document(title: "probe")\n'
            '#set text(lang: "fi", font: "Libertinus Serif")\n'
            f'{style}[#"{quoted}"]\n',
            encoding="utf-8",
        )
        compiler = typst.Compiler(str(main), root=folder, ignore_system_fonts=True)
        try:
            compiler.compile(pdf_standards=["a-2a", "ua-1"], pdf_tags=True)
        except typst.TypstError as exc:
            return str(exc)
    return None


def sample(points: Iterable[int]) -> str:
    """The characters as text Typst compiles: spaced apart, a combining mark after an 'a'."""
    return " ".join(
        ("a" if unicodedata.category(chr(p)).startswith("M") else "") + chr(p)
        for p in sorted(points)
    )


def printable() -> set[int]:
    """The mapped characters that render in every style (control and private-use ones out)."""
    mapped = {
        point
        for point in mapped_by_text_fonts()
        if not unicodedata.category(chr(point)).startswith("C") and point not in (0x2028, 0x2029)
    } | set(ALSO)
    marks = {p for p in mapped if unicodedata.category(chr(p)).startswith("M")}
    good = mapped - marks
    for style in STYLES:
        failed = renders(sample(good), style)
        if failed is not None:
            sys.exit(f"the text fonts' characters do not render in {style or 'regular'}: {failed}")
    good |= {mark for mark in marks if all(renders(sample([mark]), s) is None for s in STYLES)}
    return good


def ranges(points: Iterable[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for point in sorted(points):
        if found and found[-1][1] == point - 1:
            found[-1] = (found[-1][0], point)
        else:
            found.append((point, point))
    return found


def main() -> None:
    rows = "".join(f"    (0x{a:04X}, 0x{b:04X}),\n" for a, b in ranges(printable()))
    TARGET.write_text(
        '"""The characters Typst\'s bundled fonts print, as sorted inclusive ranges of code\n'
        "points. Generated by ``tools/glyph_table.py`` for typst "
        f'{typst.__version__}; do not edit."""\n\n'
        "RANGES: tuple[tuple[int, int], ...] = (\n"
        f"{rows})\n",
        encoding="utf-8",
    )
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
