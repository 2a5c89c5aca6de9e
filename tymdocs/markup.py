"""The small Markdown subset agreement text is written in, parsed into model blocks.

Supported: ATX headings (``#``), paragraphs (lines joined, whitespace folded), bullet lists
(``-``, ``*``, ``+``), ordered lists whose own labels are kept (``1.``, ``1)``), a forced line
break (a line ending in ``\\``), ``*emphasis*``, ``**strong**`` and backslash escapes.
Everything else, HTML and links included, is text and prints as itself. A list starts after a
blank line or a heading, so a wrapped sentence that happens to begin with ``1.`` stays prose.
Every block keeps its source line, for messages that point at ``path:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tymdocs.model import (
    Block,
    Heading,
    Inline,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Paragraph,
    Span,
)

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^[ ]{0,3}[-*+][ \t]+(.*)$")
_ORDERED = re.compile(r"^[ ]{0,3}(\d{1,9}[.)])[ \t]+(.*)$")
_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_WHITESPACE = re.compile(r"\s+")


@dataclass
class _Open:
    """A block being collected: its lines, and for a list item its marker."""

    kind: str  # "para" or "item"
    line: int
    lines: list[str] = field(default_factory=list)
    marker: str | None = None


def parse_blocks(text: str, first_line: int = 1) -> tuple[Block, ...]:
    """Parse ``text`` (whose first line is ``first_line`` of its file) into blocks."""
    blocks: list[Block] = []
    items: list[ListItem] = []
    list_kind: str | None = None  # "bullet", "." or ")" while a list is open
    list_line = 0
    current: _Open | None = None
    after_break = True  # at the start, after a blank line or a heading

    def close_current() -> None:
        nonlocal current
        if current is None:
            return
        content = parse_inlines(current.lines)
        if current.kind == "para":
            blocks.append(Paragraph(content, line=current.line))
        else:
            items.append(ListItem(current.marker, content, line=current.line))
        current = None

    def close_list() -> None:
        nonlocal list_kind, items
        close_current()
        if items:
            blocks.append(ListBlock(tuple(items), line=list_line))
        items = []
        list_kind = None

    for offset, raw in enumerate(text.split("\n")):
        number = first_line + offset
        line = raw.rstrip("\r")
        if not line.strip():
            close_current()
            after_break = True
            continue
        heading = _HEADING.match(line)
        if heading:
            close_list()
            level = len(heading.group(1))
            blocks.append(Heading(level, parse_inlines([heading.group(2)]), line=number))
            after_break = True
            continue
        bullet = _BULLET.match(line)
        ordered = None if bullet else _ORDERED.match(line)
        kind = "bullet" if bullet else ordered.group(1)[-1] if ordered else None
        in_item = current is not None and current.kind == "item"
        starts_item = kind is not None and (after_break or in_item)
        if starts_item:
            if list_kind != kind:
                close_list()
                list_kind, list_line = kind, number
            close_current()
            if bullet:
                current = _Open("item", number, [bullet.group(1)])
            else:
                assert ordered is not None
                current = _Open("item", number, [ordered.group(2)], marker=ordered.group(1))
        elif current is not None:
            current.lines.append(line)
        else:
            close_list()
            current = _Open("para", number, [line])
        after_break = False
    close_list()
    return tuple(blocks)


def parse_inlines(lines: list[str]) -> Inlines:
    """Join source lines into inline content: folded whitespace, ``\\`` line breaks, emphasis."""
    parts: list[Inline] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        hard_break = stripped.endswith("\\") and not stripped.endswith("\\\\")
        if hard_break:
            stripped = stripped[:-1].rstrip()
        if index and parts and not isinstance(parts[-1], LineBreak):
            parts.append(Span(" "))
        parts.extend(_emphasis(stripped))
        if hard_break and index < len(lines) - 1:
            parts.append(LineBreak())
    return _merge(parts)


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split into ("text", s) and ("delim", "*" | "**") tokens; escapes become plain text."""
    tokens: list[tuple[str, str]] = []
    buffer: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _PUNCTUATION:
            buffer.append(text[i + 1])
            i += 2
            continue
        if char == "*":
            run = 2 if text.startswith("**", i) else 1
            if buffer:
                tokens.append(("text", "".join(buffer)))
                buffer = []
            tokens.append(("delim", "*" * run))
            i += run
            continue
        buffer.append(char)
        i += 1
    if buffer:
        tokens.append(("text", "".join(buffer)))
    return tokens


def _emphasis(text: str) -> list[Inline]:
    """Pair ``*``/``**`` delimiters that hug text; unpaired ones stay literal."""
    tokens = _tokens(text)
    opens: list[int] = []
    pairs: dict[int, int] = {}
    for i, (kind, value) in enumerate(tokens):
        if kind != "delim":
            continue
        before = tokens[i - 1][1][-1:] if i and tokens[i - 1][0] == "text" else ""
        after = tokens[i + 1][1][:1] if i + 1 < len(tokens) and tokens[i + 1][0] == "text" else ""
        can_close = before != "" and not before.isspace()
        can_open = after != "" and not after.isspace()
        match = next((j for j in reversed(opens) if tokens[j][1] == value), None)
        if can_close and match is not None:
            opens = opens[: opens.index(match)]
            pairs[match] = i
            pairs[i] = match
        elif can_open:
            opens.append(i)
    strong = emphasis = False
    parts: list[Inline] = []
    for i, (kind, value) in enumerate(tokens):
        if kind == "delim" and i in pairs:
            opening = pairs[i] > i
            if value == "**":
                strong = opening
            else:
                emphasis = opening
            continue
        parts.append(Span(value, strong=strong, emphasis=emphasis))
    return parts


def _merge(parts: list[Inline]) -> Inlines:
    """Fold whitespace and merge neighbouring spans that share their flags."""
    merged: list[Inline] = []
    for part in parts:
        if isinstance(part, Span):
            text = _WHITESPACE.sub(" ", part.text)
            if not text:
                continue
            last = merged[-1] if merged else None
            if isinstance(last, Span) and (last.strong, last.emphasis) == (
                part.strong,
                part.emphasis,
            ):
                joined = _WHITESPACE.sub(" ", last.text + text)
                merged[-1] = Span(joined, part.strong, part.emphasis)
                continue
            if isinstance(last, Span) and last.text.endswith(" ") and text.startswith(" "):
                text = text[1:]
                if not text:
                    continue
            merged.append(Span(text, part.strong, part.emphasis))
        else:
            merged.append(part)
    return tuple(merged)
