"""Two documents -> one redline document: B's text, with what A had and B has not marked
deleted and what B adds marked inserted.

Pure functions over the document's values. Blocks are aligned by their text, list items and
table rows within aligned blocks, and words inside aligned paragraphs, items and cells, so a
changed figure reads ``0,8`` deleted, ``1,0`` inserted, in its sentence. Accepting every mark
gives B's document, rejecting every mark gives A's: the renderers' tracked changes rely on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TypeVar, assert_never

from tymdocs.document import Document, Part
from tymdocs.model import (
    Block,
    Blocks,
    Heading,
    Inline,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Mark,
    Paragraph,
    Row,
    Span,
    Table,
    inline_text,
)

# Words with their inner punctuation (0,75 · 1.5.2025 · 381/2023 · TYM-laki), spaces, and
# every other character on its own.
_TOKEN = re.compile(r"\w+(?:[.,/:\-–]\w+)*|\s+|[^\w\s]")


# -- marking whole values ---------------------------------------------------------------------


def mark_inlines(content: Inlines, mark: Mark) -> Inlines:
    return tuple(replace(part, mark=mark) for part in content)


def mark_block(block: Block, mark: Mark) -> Block:
    """``block`` inserted or deleted as a whole: the block and everything in it marked."""
    match block:
        case Heading() | Paragraph():
            return replace(block, content=mark_inlines(block.content, mark), mark=mark)
        case ListBlock():
            return replace(block, items=tuple(_mark_item(item, mark) for item in block.items))
        case Table():
            header = tuple(mark_inlines(cell, mark) for cell in block.header)
            rows = tuple(_mark_row(row, mark) for row in block.rows)
            return replace(block, header=header, rows=rows, mark=mark)
        case _:
            assert_never(block)


def _mark_item(item: ListItem, mark: Mark) -> ListItem:
    children = tuple(mark_block(child, mark) for child in item.children)
    return replace(item, content=mark_inlines(item.content, mark), children=children, mark=mark)


def _mark_row(row: Row, mark: Mark) -> Row:
    return replace(row, cells=tuple(mark_inlines(cell, mark) for cell in row.cells), mark=mark)


def mark_part(part: Part, mark: Mark) -> Part:
    return replace(part, blocks=tuple(mark_block(b, mark) for b in part.blocks), mark=mark)


# -- words ------------------------------------------------------------------------------------

_Token = tuple[str | None, bool, bool]
"""A word, space or sign with its flags; None stands for a line break."""


def _tokens(content: Inlines) -> list[_Token]:
    tokens: list[_Token] = []
    for part in content:
        match part:
            case Span():
                tokens += [(t, part.strong, part.emphasis) for t in _TOKEN.findall(part.text)]
            case LineBreak():
                tokens.append((None, False, False))
            case _:
                assert_never(part)
    return tokens


def _inlines(tokens: Sequence[_Token], mark: Mark | None) -> Iterator[Inline]:
    for text, strong, emphasis in tokens:
        yield LineBreak(mark=mark) if text is None else Span(text, strong, emphasis, mark)


def redline_inlines(a: Inlines, b: Inlines) -> Inlines:
    """B's content with A's words that B has not marked deleted and B's new words inserted,
    word by word: a deletion comes before the insertion that replaces it."""
    old, new = _tokens(a), _tokens(b)
    parts: list[Inline] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts += _inlines(new[b1:b2], None)
        else:
            parts += _inlines(old[a1:a2], "del")
            parts += _inlines(new[b1:b2], "ins")
    return merge_spans(parts)


def merge_spans(parts: Sequence[Inline]) -> Inlines:
    """Neighbouring spans with the same flags and mark as one span."""
    merged: list[Inline] = []
    for part in parts:
        last = merged[-1] if merged else None
        if (
            isinstance(part, Span)
            and isinstance(last, Span)
            and (last.strong, last.emphasis, last.mark) == (part.strong, part.emphasis, part.mark)
        ):
            merged[-1] = replace(last, text=last.text + part.text)
        else:
            merged.append(part)
    return tuple(merged)


def accept(content: Inlines) -> Inlines:
    """The content with every insertion kept and every deletion dropped: B's."""
    return merge_spans([_unmarked(p) for p in content if p.mark != "del"])


def reject(content: Inlines) -> Inlines:
    """The content with every deletion kept and every insertion dropped: A's."""
    return merge_spans([_unmarked(p) for p in content if p.mark != "ins"])


def _unmarked(part: Inline) -> Inline:
    return replace(part, mark=None)


# -- blocks -----------------------------------------------------------------------------------


T = TypeVar("T", Block, ListItem, Row)


def _align(
    a: Sequence[T],
    b: Sequence[T],
    changed: Callable[[Sequence[T], Sequence[T]], Iterable[T]],
) -> list[T]:
    """B's values with A's aligned to them: equal runs as they are, and each stretch where
    the two differ as ``changed`` pairs or marks it. Values are equal when their text and
    its emphasis are, wherever they stand."""
    result: list[T] = []
    matcher = SequenceMatcher(None, list(a), list(b), autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        result += b[b1:b2] if op == "equal" else changed(a[a1:a2], b[b1:b2])
    return result


def redline_blocks(a: Blocks, b: Blocks) -> Blocks:
    """B's blocks with A's aligned to them: a changed block of the same kind marked word by
    word inside, anything else deleted and inserted whole."""

    def changed(old: Sequence[Block], new: Sequence[Block]) -> Iterator[Block]:
        pairs = 0
        while pairs < min(len(old), len(new)) and _pairable(old[pairs], new[pairs]):
            yield _redline_block(old[pairs], new[pairs])
            pairs += 1
        yield from (mark_block(block, "del") for block in old[pairs:])
        yield from (mark_block(block, "ins") for block in new[pairs:])

    return tuple(_align(a, b, changed))


def _pairable(a: Block, b: Block) -> bool:
    """Whether two blocks are one block changed, to be compared inside."""
    match a, b:
        case Heading(), Heading():
            return a.level == b.level
        case Paragraph(), Paragraph():
            return True
        case ListBlock(), ListBlock():
            return a.ordered == b.ordered  # bullets to numbers: a new list
        case Table(), Table():
            return len(a.header) == len(b.header)
        case _:
            return False


def _redline_block(a: Block, b: Block) -> Block:
    match a, b:
        case Heading(), Heading():
            return replace(b, content=redline_inlines(a.content, b.content))
        case Paragraph(), Paragraph():
            return replace(b, content=redline_inlines(a.content, b.content))
        case ListBlock(), ListBlock():
            return replace(b, items=_redline_items(a.items, b.items))
        case Table(), Table():
            header = tuple(redline_inlines(x, y) for x, y in zip(a.header, b.header, strict=True))
            return replace(b, header=header, rows=_redline_rows(a.rows, b.rows))
        case _:
            raise AssertionError("only pairable blocks are compared inside")


def _redline_items(a: tuple[ListItem, ...], b: tuple[ListItem, ...]) -> tuple[ListItem, ...]:
    def changed(old: Sequence[ListItem], new: Sequence[ListItem]) -> Iterator[ListItem]:
        pairs = 0  # items with the same number are one item changed; a new number, a new item
        while pairs < min(len(old), len(new)) and old[pairs].marker == new[pairs].marker:
            x, y = old[pairs], new[pairs]
            content = redline_inlines(x.content, y.content)
            yield replace(y, content=content, children=redline_blocks(x.children, y.children))
            pairs += 1
        yield from (_mark_item(item, "del") for item in old[pairs:])
        yield from (_mark_item(item, "ins") for item in new[pairs:])

    return tuple(_align(a, b, changed))


def _redline_rows(a: tuple[Row, ...], b: tuple[Row, ...]) -> tuple[Row, ...]:
    return tuple(_align(a, b, _pair_rows))


def _pair_rows(a: Sequence[Row], b: Sequence[Row]) -> Iterator[Row]:
    """Rows of a changed stretch: those with the same first cell are one row changed, cell by
    cell; the others deleted and inserted."""
    first = [inline_text(row.cells[0]) if row.cells else "" for row in a]
    second = [inline_text(row.cells[0]) if row.cells else "" for row in b]
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(a[a1:a2], b[b1:b2], strict=True):
                cells = tuple(redline_inlines(p, q) for p, q in zip(x.cells, y.cells, strict=True))
                yield replace(y, cells=cells)
            continue
        yield from (_mark_row(row, "del") for row in a[a1:a2])
        yield from (_mark_row(row, "ins") for row in b[b1:b2])


def changed(part: Part) -> bool:
    """Whether a redline part holds any mark: unchanged parts can be folded away."""
    return (
        part.mark is not None
        or part.former_heading is not None
        or any(_block_changed(block) for block in part.blocks)
    )


def _block_changed(block: Block) -> bool:
    match block:
        case Heading() | Paragraph():
            return block.mark is not None or any(p.mark for p in block.content)
        case ListBlock():
            return any(
                item.mark is not None
                or any(p.mark for p in item.content)
                or any(_block_changed(child) for child in item.children)
                for item in block.items
            )
        case Table():
            return (
                block.mark is not None
                or any(p.mark for cell in block.header for p in cell)
                or any(r.mark or any(p.mark for c in r.cells for p in c) for r in block.rows)
            )
        case _:
            assert_never(block)


def redline_parts(a: Part, b: Part) -> Part:
    """One part as it changed from ``a`` to ``b`` (matched by the caller)."""
    former = a.heading if a.heading != b.heading else None
    return replace(b, blocks=redline_blocks(a.blocks, b.blocks), former_heading=former)


def redline_document(b: Document, pairs: Sequence[tuple[Part | None, Part | None]]) -> Document:
    """B's document with A's parts aligned as ``pairs`` says (None: added or removed)."""
    parts: list[Part] = []
    for old, new in pairs:
        if old is None and new is not None:
            parts.append(mark_part(new, "ins"))
        elif new is None and old is not None:
            parts.append(mark_part(old, "del"))
        elif old is not None and new is not None:
            parts.append(redline_parts(old, new))
    return replace(b, parts=tuple(parts))
