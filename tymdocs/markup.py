"""Agreement text (CommonMark, parsed by markdown-it-py) -> model blocks.

What an agreement needs becomes structure: headings, paragraphs, bullet and numbered lists
nested to any depth (numbers kept as written, ``1)`` too), GFM tables with their alignment,
``*emphasis*``, ``**strong**`` and hard line breaks. Links, images, inline HTML, code spans,
entities and link definitions are switched off in the parser, so they print as typed. Code
blocks, block quotes, rules and underlined headings are parsed, rendered as plainly as they
allow and reported through ``warn`` with their line: nothing is dropped, reflowed or merged
in silence. Every block keeps its source line, for messages that point at ``path:line``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from tymdocs.model import (
    Align,
    Block,
    Blocks,
    Heading,
    Inline,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Paragraph,
    Row,
    Span,
    Table,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

Warn = Callable[[int, str], None]
"""Receives a source line and a message about a construct the text should not use."""

_WHITESPACE = re.compile(r"\s+")
_ALIGN = re.compile(r"text-align:(left|center|right)")

# Inline rules that would turn what the parties typed into something else (a URL hidden
# behind a link, an entity decoded); without them the characters print as typed.
_INLINE_OFF = ("link", "image", "autolink", "backticks", "entity", "html_inline")
# ``[a]: http://x`` would vanish as a link definition; as a paragraph it prints.
_BLOCK_OFF = ("reference", "html_block")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return parser.enable("table").disable([*_INLINE_OFF, *_BLOCK_OFF])


def parse_blocks(text: str, first_line: int = 1, warn: Warn | None = None) -> Blocks:
    """Parse ``text`` (whose first line is ``first_line`` of its file) into blocks; constructs
    an agreement should not use go to ``warn`` with their line."""
    walker = _Walker(_parser().parse(text), first_line, warn or (lambda line, message: None))
    return walker.blocks(None)


class _Walker:
    """Walks markdown-it's flat token stream once, building nested blocks."""

    def __init__(self, tokens: list[Token], first_line: int, warn: Warn) -> None:
        self.tokens = tokens
        self.index = 0
        self.first_line = first_line
        self.warn = warn

    def line(self, token: Token) -> int:
        return self.first_line + (token.map[0] if token.map else 0)

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def blocks(self, closing: str | None) -> Blocks:
        """Blocks up to the token ``closing`` (consumed), or to the end."""
        found: list[Block] = []
        while self.index < len(self.tokens):
            token = self.take()
            if token.type == closing:
                break
            found.extend(self.block(token))
        return tuple(found)

    def block(self, token: Token) -> Blocks:
        line = self.line(token)
        match token.type:
            case "paragraph_open":
                content = self.inlines(self.take(), line)
                self.take()  # paragraph_close
                return (Paragraph(content, line=line),)
            case "heading_open":
                content = self.inlines(self.take(), line)
                self.take()  # heading_close
                if token.markup in ("=", "-"):
                    self.warn(
                        line,
                        "an underlined heading (=== or ---) is printed as a heading; "
                        "write it as '## Title'",
                    )
                return (Heading(int(token.tag[1:]), content, line=line),)
            case "bullet_list_open" | "ordered_list_open":
                return (self.list(token.type.replace("_open", "_close"), line),)
            case "table_open":
                return (self.table(line),)
            case "code_block" | "fence":
                self.warn(
                    line,
                    "text indented by four spaces (or fenced with ```) is a code block; it is "
                    "printed line by line as plain text: remove the indentation or fence",
                )
                return (self.literal(token.content, line),)
            case "blockquote_open":
                self.warn(line, "a block quote ('>') is printed as ordinary text; remove the '>'")
                return self.blocks("blockquote_close")
            case "hr":
                self.warn(line, "a line of ---, *** or ___ (a thematic break) is not printed")
                return ()
            case other:  # pragma: no cover - every block rule left on is handled above
                raise AssertionError(f"unexpected Markdown token {other}")

    def list(self, closing: str, line: int) -> ListBlock:
        items: list[ListItem] = []
        while (token := self.take()).type != closing:
            assert token.type == "list_item_open"
            marker = f"{token.info}{token.markup}" if token.info else None
            children = self.blocks("list_item_close")
            content: Inlines = ()
            if children and isinstance(children[0], Paragraph):
                content, children = children[0].content, children[1:]
            items.append(ListItem(marker, content, children, line=self.line(token)))
        return ListBlock(tuple(items), line=line)

    def table(self, line: int) -> Table:
        header: tuple[Inlines, ...] = ()
        align: list[Align] = []
        rows: list[Row] = []
        while (token := self.take()).type != "table_close":
            if token.type != "tr_open":
                continue
            row_line = self.line(token)
            cells: list[Inlines] = []
            while (cell := self.take()).type != "tr_close":
                if cell.type in ("th_open", "td_open"):
                    cells.append(self.inlines(self.take(), row_line))
                    if cell.type == "th_open":
                        found = _ALIGN.search(str(cell.attrs.get("style", "")))
                        align.append(found.group(1) if found else None)  # type: ignore[arg-type]
            if not header:
                header = tuple(cells)
            else:
                rows.append(Row(tuple(cells), line=row_line))
        return Table(header, tuple(rows), tuple(align), line=line)

    def literal(self, text: str, line: int) -> Paragraph:
        """Lines printed as they are, one under the other."""
        parts: list[Inline] = []
        for index, each in enumerate(text.rstrip("\n").split("\n")):
            if index:
                parts.append(LineBreak())
            parts.append(Span(each.strip()))
        return Paragraph(_merge(parts), line=line)

    def inlines(self, token: Token, line: int) -> Inlines:
        """Inline content from an ``inline`` token: text, emphasis, strong, line breaks."""
        parts: list[Inline] = []
        strong = emphasis = 0
        warned = False  # once per paragraph: a paragraph of 2*3*4*... is one finding
        children = token.children or []
        for index, child in enumerate(children):
            match child.type:
                case "text":
                    parts.append(Span(child.content, strong=strong > 0, emphasis=emphasis > 0))
                case "softbreak":
                    parts.append(Span(" ", strong=strong > 0, emphasis=emphasis > 0))
                case "hardbreak":
                    parts.append(LineBreak())
                case "strong_open" | "strong_close" | "em_open" | "em_close":
                    opening = child.type.endswith("_open")
                    if (
                        not warned
                        and child.markup == "*"
                        and _inside_word(children, index, opening)
                    ):
                        warned = True
                        self.warn(
                            line,
                            "'*' inside a word or number makes the text between italic "
                            "(2*3*4 prints 3 in italics); write \\* for an asterisk",
                        )
                    step = 1 if opening else -1
                    if child.type.startswith("strong"):
                        strong += step
                    else:
                        emphasis += step
                case other:  # pragma: no cover - every inline rule left on is handled above
                    raise AssertionError(f"unexpected Markdown token {other}")
        return _merge(parts)


def _inside_word(children: list[Token], index: int, opening: bool) -> bool:
    """Whether an emphasis delimiter sits between two letters or digits (``2*3*4``)."""
    neighbour = children[index - 1] if opening else None
    if not opening and index + 1 < len(children):
        neighbour = children[index + 1]
    if neighbour is None or neighbour.type != "text" or not neighbour.content:
        return False
    char = neighbour.content[-1] if opening else neighbour.content[0]
    return char.isalnum()


def _merge(parts: list[Inline]) -> Inlines:
    """Fold whitespace, trim it at line starts and ends, and merge neighbouring spans that
    share their flags. Linear in the paragraph's length: texts are joined once per run."""
    runs: list[tuple[list[str], bool, bool] | None] = []  # None: a line break
    for part in parts:
        if isinstance(part, LineBreak):
            runs.append(None)
            continue
        last = runs[-1] if runs else None
        if last is not None and (last[1], last[2]) == (part.strong, part.emphasis):
            last[0].append(part.text)
        else:
            runs.append(([part.text], part.strong, part.emphasis))
    spans: list[Inline] = []
    for index, each in enumerate(runs):
        if each is None:
            spans.append(LineBreak())
            continue
        text = _WHITESPACE.sub(" ", "".join(each[0]))
        previous = spans[-1] if spans else None
        if previous is None or isinstance(previous, LineBreak) or previous.text.endswith(" "):
            text = text.lstrip(" ")
        if index + 1 == len(runs) or runs[index + 1] is None:
            text = text.rstrip(" ")
        if text:
            spans.append(Span(text, each[1], each[2]))
    return tuple(spans)
