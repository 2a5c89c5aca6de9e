"""Characters no source may hold, wherever they are written: in a file's lines or in a YAML
escape such as ``"\\u0007"`` that no raw line shows.

Control characters would corrupt the DOCX and PDF; bidirectional embeddings, overrides and
isolates (U+202A–U+202E, U+2066–U+2069) make text display in another order than it is stored,
so a signatory's name could read reversed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache

from tymdocs.glyphs import RANGES

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[{_CONTROL}{_BIDI}]")
_FORBIDDEN_IN_VALUE = re.compile(f"[{_CONTROL}{_BIDI}\r]")
_INVISIBLE = "\u200b-\u200f\u2060-\u2064\ufeff"
"""Zero-width spaces and joiners, direction marks, the word joiner and BOM: present, unseen."""
_HIDDEN = re.compile(f"[{_CONTROL}{_BIDI}{_INVISIBLE}\t\n\r\u2028\u2029]")


def hidden_character(text: str, allowed: str = "") -> str | None:
    """The first character of ``text`` that a register cannot show as itself on one line (a
    control character, any line separator, a bidirectional override), named by its code;
    None if there is none. ``allowed`` lists those the text may hold (a message's LF, tab)."""
    for found in _HIDDEN.finditer(text):
        if found.group() not in allowed:
            return f"the character U+{ord(found.group()):04X}"
    return None


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold as U+FFFD: a document stays
    well-formed whatever a commit's text holds."""
    return _NOT_XML.sub("\ufffd", text)


def visible(text: str) -> str:
    """``text`` with each character no register shows as itself (control characters, line
    separators, bidirectional overrides; not tab) replaced by its code, ``\\x1b``: the rest,
    a no-break space included, as it is."""
    return _HIDDEN.sub(lambda m: m.group() if m.group() == "\t" else _code(m.group()), text)


def _code(char: str) -> str:
    number = ord(char)
    return f"\\x{number:02x}" if number <= 0xFF else f"\\u{number:04x}"


def printable(text: str) -> str:
    """Text as a terminal may show it: anyone who can push writes subjects and trailers, so a
    control character is shown as its code, never acted on."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def forbidden(text: str, value: bool = False) -> str | None:
    """Why ``text`` may not be a source's text, naming its first bad character; None if it may.

    ``value`` for a YAML value, where a carriage return can only come from an escape.
    """
    found = (_FORBIDDEN_IN_VALUE if value else _FORBIDDEN).search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if _is_bidi(char):
        return f"bidirectional control character {code} is not allowed in text"
    return f"control character {code} is not allowed in text"


def _is_bidi(char: str) -> bool:
    """Whether ``char`` changes the display order of the text around it."""
    return "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069"


def replace_forbidden(text: str) -> str:
    """``text`` with every forbidden character (and carriage return) replaced by U+FFFD."""
    return _FORBIDDEN_IN_VALUE.sub("\ufffd", text)


_STARTS = tuple(first for first, _ in RANGES)
_OTHERWISE_REPORTED = re.compile(f"[\t\n{_CONTROL}{_BIDI}]")
"""What :func:`unprintable` leaves to others: forbidden characters are reported as such, and
a tab or line feed is layout."""


@cache
def _prints(char: str) -> bool:
    """Whether the PDF's fonts print ``char`` (or another check reports it)."""
    code = ord(char)
    at = bisect_right(_STARTS, code) - 1
    return (at >= 0 and code <= RANGES[at][1]) or _OTHERWISE_REPORTED.match(char) is not None


def unprintable(text: str) -> list[str]:
    """The distinct characters of ``text`` that Typst's bundled fonts cannot print, in order.

    ``check`` refuses them, so that what it accepts the PDF build renders (PDF/A needs a glyph
    for every character). Looked up in the table (``glyphs.RANGES``) by bisection, each
    distinct character once: a regular expression of the table's ranges took 2 to 4 ms to
    compile, in every process that reads a source.
    """
    return [char for char in dict.fromkeys(text) if not _prints(char)]


def describe(char: str) -> str:
    """``U+1F600 '😀' (GRINNING FACE)``: a character named for a message."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {char!r}" + (f" ({name})" if name else "")


def unprintable_message(char: str) -> str:
    """The problem's message for a character :func:`unprintable` found."""
    return f"character {describe(char)} cannot be printed with the PDF's fonts"
