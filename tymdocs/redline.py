"""Two documents -> one redline document: B's text, with what A had and B has not marked
deleted and what B adds marked inserted.

Pure functions over the document's values. Blocks are aligned by their text, list items and
table rows within aligned blocks, and words inside aligned paragraphs, items and cells, so a
changed figure reads ``0,8`` deleted, ``1,0`` inserted, in its sentence. Accepting every mark
gives B's document, rejecting every mark gives A's: the renderers' tracked changes rely on it.
Alignment takes time about linear in the text (:func:`align`): past a bound, a rewritten
stretch that shares no rare word with its counterpart is deleted whole and inserted whole.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from itertools import groupby
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


# -- aligning ---------------------------------------------------------------------------------

H = TypeVar("H", bound=Hashable)

Stretch = tuple[bool, int, int, int, int]
"""Equal or not, and where the stretch lies: ``a[a1:a2]`` and ``b[b1:b2]``."""

EXACT = 10_000
"""The largest stretch aligned exactly, as its length in A times its length in B (in words,
spaces and signs, or in blocks): about fifty words a side, a sentence or two rewritten.
Exact alignment (difflib's) costs up to the cube of a stretch's length: a few milliseconds
at this size, hours for a rewritten paragraph of 100,000 characters. A longer stretch is
first cut where both sides have the same rare word (see :func:`align`); one that nothing
cuts is shown deleted whole, then inserted whole."""


def exact(a_length: int, b_length: int) -> bool:
    """Whether a stretch this long in A and in B is aligned exactly (the bound, :data:`EXACT`)."""
    return a_length * b_length <= EXACT


def align(a: Sequence[H], b: Sequence[H], junk: Callable[[H], bool] | None = None) -> list[Stretch]:
    """A and B cut into stretches that are equal and stretches that differ, alternating, in
    time about linear in their lengths, so any redline finishes.

    What both begin and end with is equal. What lies between is aligned exactly, as difflib
    does, when :func:`exact` allows; else it is cut at the values it has equally often on both
    sides, the rarest such (a word each side has once), paired in order and kept where they
    stand in the same order on both sides, and each piece between is aligned the same way. A
    piece over half as long as the whole is not cut again, so the cuts are at most
    logarithmically deep; a piece that is not cut and is too long for exact alignment is one
    changed stretch: A's deleted, B's inserted. ``junk`` values (spaces) never anchor a match:
    a stretch whose only common values are junk, and an equal stretch of junk alone between
    two changes, are one change."""
    stretches: list[Stretch] = []
    for stretch in _stretches(a, b, (0, len(a), 0, len(b)), junk, cut=True):
        equal, a1, a2, b1, b2 = stretch
        if a1 == a2 and b1 == b2:
            continue
        if stretches and stretches[-1][0] == equal:
            stretches[-1] = (equal, stretches[-1][1], a2, stretches[-1][3], b2)
        elif (
            not equal
            and len(stretches) > 1
            and junk is not None
            and all(junk(value) for value in a[stretches[-1][1] : stretches[-1][2]])
        ):
            stretches[-2:] = [(False, stretches[-2][1], a2, stretches[-2][3], b2)]
        else:
            stretches.append(stretch)
    return stretches


def _stretches(
    a: Sequence[H],
    b: Sequence[H],
    where: tuple[int, int, int, int],
    junk: Callable[[H], bool] | None,
    cut: bool,
) -> Iterator[Stretch]:
    """The stretches of ``a[a1:a2]`` and ``b[b1:b2]``, some empty; ``cut``: whether this piece
    may be cut at its rare values (see :func:`align`)."""
    a1, a2, b1, b2 = where
    start_a, start_b = a1, b1
    while a1 < a2 and b1 < b2 and a[a1] == b[b1]:
        a1, b1 = a1 + 1, b1 + 1
    yield True, start_a, a1, start_b, b1
    end_a, end_b = a2, b2
    while a2 > a1 and b2 > b1 and a[a2 - 1] == b[b2 - 1]:
        a2, b2 = a2 - 1, b2 - 1
    if a1 == a2 or b1 == b2 or (junk is not None and not _share(a[a1:a2], b[b1:b2], junk)):
        yield False, a1, a2, b1, b2
    elif exact(a2 - a1, b2 - b1):
        matcher = SequenceMatcher(None, a[a1:a2], b[b1:b2], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            yield op == "equal", a1 + i1, a1 + i2, b1 + j1, b1 + j2
    else:
        anchors = _anchors(a, b, (a1, a2, b1, b2), junk) if cut else []
        if not anchors:
            yield False, a1, a2, b1, b2
        half = (a2 - a1 + b2 - b1) // 2
        i, j = a1, b1
        for x, y in anchors:
            yield from _stretches(a, b, (i, x, j, y), junk, x - i + y - j <= half)
            yield True, x, x + 1, y, y + 1
            i, j = x + 1, y + 1
        if anchors:
            yield from _stretches(a, b, (i, a2, j, b2), junk, a2 - i + b2 - j <= half)
    yield True, a2, end_a, b2, end_b


def _share(a: Sequence[H], b: Sequence[H], junk: Callable[[H], bool]) -> bool:
    """Whether A and B have a value in common that is not junk."""
    return not {value for value in a if not junk(value)}.isdisjoint(b)


def _anchors(
    a: Sequence[H],
    b: Sequence[H],
    where: tuple[int, int, int, int],
    junk: Callable[[H], bool] | None,
) -> list[tuple[int, int]]:
    """Where to cut a stretch: the positions in A and B of the values (never ``junk``) that
    occur equally often on both sides, the rarest such, paired in order; of those, the longest
    chain that stands in the same order on both sides (patience diff, generalised)."""
    a1, a2, b1, b2 = where
    in_a: dict[H, list[int]] = {}
    in_b: dict[H, list[int]] = {}
    for i in range(a1, a2):
        in_a.setdefault(a[i], []).append(i)
    for j in range(b1, b2):
        in_b.setdefault(b[j], []).append(j)
    shared = [
        value
        for value, places in in_a.items()
        if len(in_b.get(value, ())) == len(places) and not (junk and junk(value))
    ]
    if not shared:
        return []
    rarest = min(len(in_a[value]) for value in shared)
    pairs = sorted(
        pair
        for value in shared
        if len(in_a[value]) == rarest
        for pair in zip(in_b[value], in_a[value], strict=True)
    )
    return longest_chain([(i, j) for j, i in pairs])


def longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (in order of their second value, all different)
    whose first values increase too: patience sorting, in time n log n."""
    tops: list[int] = []  # the least first value that ends a chain of each length
    ends: list[int] = []  # the index in pairs of that chain's last pair
    before: list[int] = []  # each pair's predecessor in its chain, -1 for none
    for index, (first, _) in enumerate(pairs):
        length = bisect_left(tops, first)
        if length == len(tops):
            tops.append(first)
            ends.append(index)
        else:
            tops[length], ends[length] = first, index
        before.append(ends[length - 1] if length else -1)
    chain = []
    index = ends[-1] if ends else -1
    while index >= 0:
        chain.append(pairs[index])
        index = before[index]
    return chain[::-1]


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


def _space(token: _Token) -> bool:
    """Spaces never start a match of words: two rewritten words read deleted together, then
    inserted together, not each against the other around the space between them."""
    return token[0] is not None and token[0].isspace()


def _inlines(tokens: Sequence[_Token], mark: Mark | None) -> Iterator[Inline]:
    for text, strong, emphasis in tokens:
        yield LineBreak(mark=mark) if text is None else Span(text, strong, emphasis, mark)


def redline_inlines(a: Inlines, b: Inlines) -> Inlines:
    """B's content with A's words that B has not marked deleted and B's new words inserted,
    word by word: a deletion comes before the insertion that replaces it."""
    old, new = _tokens(a), _tokens(b)
    parts: list[Inline] = []
    for equal, a1, a2, b1, b2 in align(old, new, _space):
        if equal:
            parts += _inlines(new[b1:b2], None)
        else:
            parts += _inlines(old[a1:a2], "del")
            parts += _inlines(new[b1:b2], "ins")
    return merge_spans(parts)


def merge_spans(parts: Sequence[Inline]) -> Inlines:
    """Neighbouring spans with the same flags and mark as one span, in time linear in the
    text (each span's text joined once)."""
    merged: list[Inline] = []
    for key, group in groupby(parts, _flags):
        if key is None:
            merged += group
            continue
        spans = [part for part in group if isinstance(part, Span)]
        first = spans[0]
        merged.append(replace(first, text="".join(s.text for s in spans)) if spans[1:] else first)
    return tuple(merged)


def _flags(part: Inline) -> tuple[bool, bool, Mark | None] | None:
    """What a span must share with its neighbour to be merged with it; None for a break."""
    return (part.strong, part.emphasis, part.mark) if isinstance(part, Span) else None


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
    for equal, a1, a2, b1, b2 in align(a, b):
        result += b[b1:b2] if equal else changed(a[a1:a2], b[b1:b2])
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
    for equal, a1, a2, b1, b2 in align(first, second):
        if equal:
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


def redline_document(
    b: Document, pairs: Sequence[tuple[Part | None, Part | None]], a_title: str | None = None
) -> Document:
    """B's document with A's parts aligned as ``pairs`` says (None: added or removed), and
    A's title (``a_title``) where it differs from B's."""
    parts: list[Part] = []
    for old, new in pairs:
        if old is None and new is not None:
            parts.append(mark_part(new, "ins"))
        elif new is None and old is not None:
            parts.append(mark_part(old, "del"))
        elif old is not None and new is not None:
            parts.append(redline_parts(old, new))
    former = a_title if a_title is not None and a_title != b.title else None
    return replace(b, parts=tuple(parts), former_title=former)
