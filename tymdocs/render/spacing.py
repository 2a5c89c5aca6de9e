"""Spacing rules every renderer applies to text: "§" and its number never part at a line end.

It applies across the runs of a paragraph (``§ `` and a struck ``8``), so that a renderer that
writes a paragraph as several runs (the DOCX, the PDF's marked spans) binds them too; typst.py
also applies it to every other string it gives Typst (headers, labels, notes), so that the
templates need no rule of their own (a Typst show rule fired once per "§", and a note citing
some 550 records exceeded Typst's grouping depth).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NBSP = "\u00a0"

_SECTION_SIGN = re.compile(r"(?:\d[ \xa0])?§[ \xa0]\d|\d[ \xa0]§")
"""A section sign and its number: ``§ 8``, ``8 §``; in ``15.9.2025 § 4`` the 4's, so that the
line may still break after the date. A space already non-breaking counts as a space, so that
the rule applied twice (or to text typed with one) binds the same."""


def section_spaces(text: str) -> set[int]:
    """The indices of the spaces in ``text`` that bind a "§" to its number: the space after
    it where a number follows (``§ 8``), else the space before it after a number (``8 §``).
    Non-breaking spaces included."""
    spaces: set[int] = set()
    if "§" not in text:
        return spaces
    for match in _SECTION_SIGN.finditer(text):
        sign = match.start() + match.group().index("§")
        spaces.add(sign + 1 if match.end() > sign + 1 else sign - 1)
    return spaces


def keep_section_numbers(pieces: Sequence[str]) -> list[str]:
    """``pieces``, the texts of one paragraph's runs in order, with a non-breaking space
    where :func:`section_spaces` binds "§" to its number, also across pieces. Each piece
    keeps its length; a line break is best passed as ``"\\n"``."""
    spaces = section_spaces("".join(pieces))
    if not spaces:
        return list(pieces)
    kept: list[str] = []
    start = 0
    for piece in pieces:
        end = start + len(piece)
        inside = [space - start for space in spaces if start <= space < end]
        if inside:
            chars = list(piece)
            for index in inside:
                chars[index] = NBSP
            piece = "".join(chars)
        kept.append(piece)
        start = end
    return kept
