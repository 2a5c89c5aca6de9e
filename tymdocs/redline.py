"""Two documents -> one redline document: B's text, with what A had and B has not marked
deleted and what B adds marked inserted.

Pure functions over the document's values. Blocks, list items and table rows are paired by
their content (:func:`pair`): where the two versions differ, each is paired with the one of
the other side whose words it shares, wherever deletions and insertions stand around it, and
the others are deleted or inserted whole. Words are aligned inside paired paragraphs, items
and cells, so a changed figure reads ``0,8`` deleted, ``1,0`` inserted, in its sentence, and
a text rewritten past :data:`REWRITTEN` is replaced whole. Accepting every mark gives B's
document, rejecting every mark gives A's (:func:`accept_blocks`, :func:`reject_blocks`): the
renderers' tracked changes rely on it. Alignment takes time about linear in the text: words
by :func:`align`, where past a bound a rewritten stretch that shares no rare word with its
counterpart is deleted whole and inserted whole; blocks by :func:`pair`, which past
:data:`PAIRED` weighs only the likely pairs.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any, Literal, TypeVar, assert_never

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
    Moved,
    Paragraph,
    Row,
    Span,
    Table,
    inline_text,
)

# Words with their inner punctuation (0,75 · 1.5.2025 · 381/2023 · TYM-laki), spaces, and
# every other character on its own.
_TOKEN = re.compile(r"\w+(?:[.,/:\-–]\w+)*|\s+|[^\w\s]")
_WORD = re.compile(r"\w+(?:[.,/:\-–]\w+)*")


# -- marking whole values ---------------------------------------------------------------------


def mark_inlines(content: Inlines, mark: Mark | None) -> Inlines:
    return tuple(replace(part, mark=mark) for part in content)


def mark_block(block: Block, mark: Mark | None) -> Block:
    """``block`` inserted or deleted as a whole: the block and everything in it marked (with
    None, every mark taken away)."""
    match block:
        case Heading() | Paragraph():
            return replace(block, content=mark_inlines(block.content, mark), mark=mark)
        case ListBlock():
            return replace(block, items=tuple(_mark_item(item, mark) for item in block.items))
        case Table():
            return _mark_table(block, mark)
        case _:
            assert_never(block)


def _mark_table(table: Table, mark: Mark | None) -> Table:
    header = tuple(mark_inlines(cell, mark) for cell in table.header)
    rows = tuple(_mark_row(row, mark) for row in table.rows)
    return replace(table, header=header, rows=rows, mark=mark)


def _mark_item(item: ListItem, mark: Mark | None) -> ListItem:
    children = tuple(mark_block(child, mark) for child in item.children)
    return replace(item, content=mark_inlines(item.content, mark), children=children, mark=mark)


def _mark_row(row: Row, mark: Mark | None) -> Row:
    return replace(row, cells=tuple(mark_inlines(cell, mark) for cell in row.cells), mark=mark)


def mark_part(part: Part, mark: Mark) -> Part:
    return replace(part, blocks=tuple(mark_block(b, mark) for b in part.blocks), mark=mark)


# -- aligning ---------------------------------------------------------------------------------

H = TypeVar("H", bound=Hashable)

Stretch = tuple[bool, int, int, int, int]
"""Equal or not, and where the stretch lies: ``a[a1:a2]`` and ``b[b1:b2]``."""

EXACT = 10_000
"""The largest stretch aligned exactly, as its length in A times its length in B (in words,
spaces and signs): about fifty words a side, a sentence or two rewritten.
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
        from difflib import SequenceMatcher  # only a diff aligns: a build renders, 1 ms

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


REWRITTEN = 0.5
"""A text of which more than this share of A's words is deleted and more than this share of
B's words is inserted is shown replaced whole (A's deleted, then B's inserted) rather than
word by word. Past half on both sides, word marks alternate in fragments around the few
words that happen to stay ("ja", "on"), which read as no edit of one sentence; a reviewer
reads the old and the new text more easily each whole. A sentence appended (all of A's
words kept) or struck out (all of B's words A's) stays marked word by word, and so does a
change in one place that leaves the rest standing (``asiakastilat;`` → ``asiakas- ja
ryhmätilat;``); a word negated in a sentence ("voivat" → "eivät saa") is far below it."""


def redline_inlines(a: Inlines, b: Inlines) -> Inlines:
    """B's content with A's words that B has not marked deleted and B's new words inserted,
    word by word: a deletion comes before the insertion that replaces it. A text rewritten
    past :data:`REWRITTEN` is A's deleted whole, then B's inserted whole."""
    marked = _redline_words(a, b)
    return marked if marked is not None else _replaced(a, b)


def _replaced(a: Inlines, b: Inlines) -> Inlines:
    """A's content deleted whole, then B's inserted whole."""
    return merge_spans([*mark_inlines(a, "del"), *mark_inlines(b, "ins")])


def _redline_words(a: Inlines, b: Inlines) -> Inlines | None:
    """B's content marked word by word against A's, or None where it is rewritten (see
    :data:`REWRITTEN`)."""
    old, new = _tokens(a), _tokens(b)
    stretches = align(old, new, _space)
    if _rewritten(old, new, stretches):
        return None
    parts: list[Inline] = []
    for equal, a1, a2, b1, b2 in stretches:
        if equal:
            parts += _inlines(new[b1:b2], None)
        else:
            parts += _inlines(old[a1:a2], "del")
            parts += _inlines(new[b1:b2], "ins")
    return merge_spans(parts)


def _rewritten(old: Sequence[_Token], new: Sequence[_Token], stretches: list[Stretch]) -> bool:
    """Whether a text is rewritten past :data:`REWRITTEN`; the words of the changed stretches
    counted first, the whole texts' only where words were both deleted and inserted."""
    changed = [(a1, a2, b1, b2) for equal, a1, a2, b1, b2 in stretches if not equal]
    deleted = sum(_words(old[a1:a2]) for a1, a2, _, _ in changed)
    inserted = sum(_words(new[b1:b2]) for _, _, b1, b2 in changed)
    if not deleted or not inserted:
        return False  # only struck out, or only added
    if len(changed) == 1:
        a1, a2, _, _ = changed[0]
        if any(not _space(token) for token in (*old[:a1], *old[a2:])):
            return False  # one change in one place, the rest standing
    return deleted > REWRITTEN * _words(old) and inserted > REWRITTEN * _words(new)


def _words(tokens: Sequence[_Token]) -> int:
    """How many of ``tokens`` are words (not spaces, signs or line breaks)."""
    return sum(1 for text, _, _ in tokens if text is not None and _WORD.match(text))


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
    return _resolved(content, "del")


def reject(content: Inlines) -> Inlines:
    """The content with every deletion kept and every insertion dropped: A's."""
    return _resolved(content, "ins")


def _resolved(content: Inlines, dropped: Mark) -> Inlines:
    """The content without what is marked ``dropped``, the other marks taken away."""
    return merge_spans([replace(p, mark=None) for p in content if p.mark != dropped])


# -- pairing blocks by their content ----------------------------------------------------------

SIMILAR = 0.5
"""The least similarity at which a block of A and a block of B, in a stretch where the two
differ, are taken for one block changed: twice the words they share over the words of both
(Dice's coefficient on their words, case folded; 1 for the same words in any order). The
same holds for list items and table rows. At one half a sentence with a word negated, a
member's row with the member replaced (the role and deputy kept), or a staffing row with a
new figure is still itself; a paragraph that shares only ordinary words with another is
not, and the two are a deletion and an insertion."""

PAIRED = 2_500
"""The largest changed stretch, its length in A times its length in B (in blocks, items or
rows), whose every value of A is compared with every value of B: fifty paragraphs a side,
a few milliseconds. In a longer stretch each value of B is compared only with those of A
it may well be: A's values equal to it, the ones near its place (:data:`BAND` either side),
and those that share its rarest words (at most :data:`CANDIDATES`), so that a stretch of
1,000 rewritten paragraphs takes some 20,000 comparisons, not a million."""

BAND = 3
"""In a long stretch, how many values of A either side of a value's place in B are compared
with it: the place scaled by the two lengths, so an edit in place is always found."""

CANDIDATES = 8
"""In a long stretch, how many values of A that share rare words with a value of B (a word
in at most this many of A's values) are compared with it: those that share the most."""

T = TypeVar("T", Block, ListItem, Row)


def pair(
    a: Sequence[T], b: Sequence[T], words: Callable[[T], Counter[str]]
) -> list[tuple[int, int]]:
    """The values of A and B taken for one value, unchanged or changed, as (i, j) in order
    on both sides; the others are A's deletions and B's insertions.

    What both begin and end with is paired as it stands. Between, the pairs are the chain,
    increasing on both sides, that leaves the most words unmarked: a pair weighs the words
    its two values share, identical values (and, of two chains sharing as many words, the
    one with more identical pairs wins) or values :data:`SIMILAR` or more alike, unless
    either of these stands unchanged on the other side. So an edited block is paired with
    its own earlier text wherever deletions and insertions stand around it; of a block
    moved and the blocks it moved past, the fewer words are shown moved; and a moved block
    is never shown as another block edited. Within :data:`PAIRED` every pair is weighed,
    past it the likely ones."""
    start, end_a, end_b = 0, len(a), len(b)
    while start < min(end_a, end_b) and a[start] == b[start]:
        start += 1
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    middle: list[tuple[int, int]] = []
    if start < end_a and start < end_b:
        middle = [
            (start + i, start + j)
            for i, j in heaviest_chain(_weighed(a[start:end_a], b[start:end_b], words))
        ]
    head = [(i, i) for i in range(start)]
    tail = [(end_a + k, end_b + k) for k in range(len(a) - end_a)]
    return head + middle + tail


def _weighed(
    a: Sequence[T], b: Sequence[T], words: Callable[[T], Counter[str]]
) -> list[tuple[int, int, int]]:
    """The pairs (i, j, weight) of a changed stretch that may be in its chain (see
    :func:`pair`): every pair within :data:`PAIRED`, else the likely ones."""
    bags_a, bags_b = [words(x) for x in a], [words(y) for y in b]
    sizes_a, sizes_b = [bag.total() for bag in bags_a], [bag.total() for bag in bags_b]
    both = set(a) & set(b)  # paired only as they are: else moved
    word = min(len(a), len(b)) + 1  # one word outweighs the identical pairs' extra ones
    weighed = []
    for i, j in _candidates(a, b, bags_a, bags_b):
        if a[i] == b[j]:
            weighed.append((i, j, sizes_a[i] * word + 1))
            continue
        if a[i] in both or b[j] in both:
            continue
        shared = similar(bags_a[i], bags_b[j], sizes_a[i], sizes_b[j])
        if shared is not None:
            weighed.append((i, j, shared * word))
    return weighed


def similar(bag_a: Counter[str], bag_b: Counter[str], size_a: int, size_b: int) -> int | None:
    """How many words two values share (``size_a`` and ``size_b``: how many each has), where
    they are :data:`SIMILAR` or more alike; None where they are not."""
    total = size_a + size_b
    if not total or 2 * min(size_a, size_b) < SIMILAR * total:
        return None  # too different in length to be alike
    small, large = sorted((bag_a, bag_b), key=len)
    shared = sum(min(count, large.get(word, 0)) for word, count in small.items())
    return shared if 2 * shared >= SIMILAR * total else None


def _candidates(
    a: Sequence[H], b: Sequence[H], bags_a: list[Counter[str]], bags_b: list[Counter[str]]
) -> Iterable[tuple[int, int]]:
    """The pairs of a changed stretch to weigh: all of them within :data:`PAIRED`; past it,
    for each value of B, the values of A equal to it (the nearest few where there are many),
    near its place, or sharing its rarest words."""
    if len(a) * len(b) <= PAIRED:
        return ((i, j) for j in range(len(b)) for i in range(len(a)))
    where: dict[H, list[int]] = {}
    for i, value in enumerate(a):
        where.setdefault(value, []).append(i)
    having: dict[str, list[int]] = {}
    for i, bag in enumerate(bags_a):
        for word in bag:
            having.setdefault(word, []).append(i)
    seen: dict[H, int] = {}
    pairs: set[tuple[int, int]] = set()
    for j, value in enumerate(b):
        place = j * len(a) // len(b)
        near = range(max(0, place - BAND), min(len(a), place + BAND + 1))
        pairs.update((i, j) for i in near)
        equal = where.get(value, [])
        rank = seen[value] = seen.get(value, -1) + 1  # its rank among B's equal values
        pairs.update((i, j) for i in equal[max(0, rank - 1) : rank + 2])
        shared: Counter[int] = Counter()
        for word in bags_b[j]:
            places = having.get(word, [])
            if len(places) <= CANDIDATES:
                shared.update(places)
        pairs.update((i, j) for i, _ in shared.most_common(CANDIDATES))
    return pairs


def heaviest_chain(pairs: Sequence[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Of ``pairs`` (i, j, weight), the chain whose i and j both increase with the greatest
    total weight, as (i, j) in order: the pairs taken in order of j, each extending the
    heaviest chain that ends at a smaller i, kept in a Fenwick tree (time n log n)."""
    size = max((i for i, _, _ in pairs), default=-1) + 1
    best = [0] * (size + 1)  # tree: the heaviest chain ending at an i below each position
    end = [-1] * (size + 1)  # the index in pairs of that chain's last pair
    total = [0] * len(pairs)
    before = [-1] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda k: (pairs[k][1], pairs[k][0]))
    for _, group in groupby(order, key=lambda k: pairs[k][1]):
        same_j = list(group)  # chained after all of them are weighed: j must increase
        for k in same_j:
            position, heaviest, last = pairs[k][0], 0, -1
            while position > 0:
                if best[position] > heaviest:
                    heaviest, last = best[position], end[position]
                position -= position & -position
            total[k], before[k] = heaviest + pairs[k][2], last
        for k in same_j:
            position = pairs[k][0] + 1
            while position <= size:
                if total[k] > best[position]:
                    best[position], end[position] = total[k], k
                position += position & -position
    chain = []
    k = max(range(len(pairs)), key=lambda k: total[k], default=-1)
    while k >= 0:
        chain.append(pairs[k][:2])
        k = before[k]
    return chain[::-1]


def _paired(
    a: Sequence[T],
    b: Sequence[T],
    words: Callable[[T], Counter[str]],
    compared: Callable[[T, T], list[T]],
    whole: Callable[[T, Mark], T],
) -> list[T]:
    """B's values with A's aligned to them by :func:`pair`: a value equal on both sides as
    it is, a pair as ``compared`` shows it, and between pairs A's values deleted whole, then
    B's inserted whole. One value of A and one of B alone between pairs are one value
    replaced in place, however unlike, and compared too, unless either stands unchanged on
    the other side (it moved)."""
    result: list[T] = []
    both = set(a) & set(b)  # unpaired, such a value moved
    i_at = j_at = 0
    for i, j in [*pair(a, b, words), (len(a), len(b))]:
        if i - i_at == j - j_at == 1 and {a[i_at], b[j_at]}.isdisjoint(both):
            result += compared(a[i_at], b[j_at])
        else:
            result += [whole(value, "del") for value in a[i_at:i]]
            result += [whole(value, "ins") for value in b[j_at:j]]
        if i < len(a):
            result += [b[j]] if a[i] == b[j] else compared(a[i], b[j])
        i_at, j_at = i + 1, j + 1
    return result


def _bag(texts: Iterable[str]) -> Counter[str]:
    """The words of ``texts``, case folded, with how often each occurs."""
    return Counter(word for text in texts for word in _WORD.findall(text.casefold()))


def _block_words(block: Block) -> Counter[str]:
    return _bag(_block_texts(block))


def _item_words(item: ListItem) -> Counter[str]:
    return _bag(_item_texts(item))


def _row_words(row: Row) -> Counter[str]:
    return _bag(inline_text(cell) for cell in row.cells)


def _block_texts(block: Block) -> Iterator[str]:
    """The text of a block and of everything in it, piece by piece: what blocks are
    compared by."""
    match block:
        case Heading() | Paragraph():
            yield inline_text(block.content)
        case ListBlock():
            for item in block.items:
                yield from _item_texts(item)
        case Table():
            yield from (inline_text(cell) for cell in block.header)
            yield from (inline_text(cell) for row in block.rows for cell in row.cells)
        case _:
            assert_never(block)


def _item_texts(item: ListItem) -> Iterator[str]:
    yield inline_text(item.content)
    for child in item.children:
        yield from _block_texts(child)


# -- blocks -----------------------------------------------------------------------------------


def redline_blocks(a: Blocks, b: Blocks) -> Blocks:
    """B's blocks with A's aligned to them by content (:func:`pair`): a block changed within
    its kind marked word by word inside, or replaced whole where it is rewritten; the others
    deleted and inserted whole."""
    return tuple(_paired(a, b, _block_words, _redline_block, mark_block))


def _redline_block(a: Block, b: Block) -> list[Block]:
    """Two blocks paired: one block marked inside, or A's deleted whole and B's inserted
    whole where they differ in kind or in what the marks cannot show (a heading's level,
    bullets turned numbers, a table's columns), or where the text is rewritten."""
    match a, b:
        case Heading(), Heading() if a.level == b.level:
            content = _redline_words(a.content, b.content)
            if content is not None:
                return [replace(b, content=content)]
        case Paragraph(), Paragraph():
            content = _redline_words(a.content, b.content)
            if content is not None:
                return [replace(b, content=content)]
        case ListBlock(), ListBlock() if a.ordered == b.ordered:
            items = _paired(a.items, b.items, _item_words, _redline_item, _mark_item)
            return [replace(b, items=tuple(items))]
        case Table(), Table():
            table = _redline_table(a, b)
            if table is not None:
                return [table]
    return [mark_block(a, "del"), mark_block(b, "ins")]


def _redline_table(a: Table, b: Table) -> Table | None:
    """Two tables paired: the header marked cell by cell and the rows paired by their words;
    None where their columns differ."""
    if len(a.header) != len(b.header) or a.align != b.align:
        return None
    header = tuple(_redline_cell(x, y) for x, y in zip(a.header, b.header, strict=True))
    rows = tuple(_paired(a.rows, b.rows, _row_words, _redline_row, _mark_row))
    return replace(b, header=header, rows=rows)


def _redline_item(a: ListItem, b: ListItem) -> list[ListItem]:
    """Two items paired: one item marked inside, with A's number where B's differs, its text
    replaced whole where rewritten; or A's deleted whole and B's inserted whole where a
    rewritten item has nothing inside to keep."""
    content = _redline_words(a.content, b.content)
    if content is not None or a.children or b.children:
        children = redline_blocks(a.children, b.children)
        if content is None:
            content = _replaced(a.content, b.content)
        former = a.marker if a.marker != b.marker else None
        return [replace(b, content=content, children=children, former_marker=former)]
    return [_mark_item(a, "del"), _mark_item(b, "ins")]


def _redline_row(a: Row, b: Row) -> list[Row]:
    """Two rows paired: each cell that changed marked, the others as they are; or A's row
    deleted whole and B's inserted whole where their shape differs."""
    if (len(a.cells), a.level, a.strong) == (len(b.cells), b.level, b.strong):
        cells = tuple(_redline_cell(x, y) for x, y in zip(a.cells, b.cells, strict=True))
        return [replace(b, cells=cells)]
    return [_mark_row(a, "del"), _mark_row(b, "ins")]


def _redline_cell(a: Inlines, b: Inlines) -> Inlines:
    return b if a == b else redline_inlines(a, b)


def accept_blocks(blocks: Blocks) -> Blocks:
    """The blocks with every insertion kept and every deletion dropped: B's, as accepting
    every tracked change gives them."""
    return _resolved_blocks(blocks, "del")


def reject_blocks(blocks: Blocks) -> Blocks:
    """The blocks with every deletion kept and every insertion dropped: A's."""
    return _resolved_blocks(blocks, "ins")


def _resolved_blocks(blocks: Blocks, dropped: Mark) -> Blocks:
    """The blocks without what is marked ``dropped``, the other marks (and the ends of moves)
    taken away; a list whose every item is dropped is dropped with them."""
    resolved: list[Block] = []
    for block in blocks:
        match block:
            case Heading() | Paragraph():
                if block.mark != dropped:
                    content = _resolved(block.content, dropped)
                    resolved.append(replace(block, content=content, mark=None, moved=None))
            case ListBlock():
                items = tuple(
                    _resolved_item(item, dropped) for item in block.items if item.mark != dropped
                )
                if items:
                    resolved.append(replace(block, items=items))
            case Table():
                if block.mark != dropped:
                    header = tuple(_resolved(cell, dropped) for cell in block.header)
                    rows = tuple(
                        replace(
                            row, cells=tuple(_resolved(c, dropped) for c in row.cells), mark=None
                        )
                        for row in block.rows
                        if row.mark != dropped
                    )
                    resolved.append(replace(block, header=header, rows=rows, mark=None, moved=None))
            case _:
                assert_never(block)
    return tuple(resolved)


def _resolved_item(item: ListItem, dropped: Mark) -> ListItem:
    content = _resolved(item.content, dropped)
    children = _resolved_blocks(item.children, dropped)
    marker = item.former_marker if dropped == "ins" and item.former_marker else item.marker
    return replace(
        item,
        marker=marker,
        content=content,
        children=children,
        mark=None,
        moved=None,
        former_marker=None,
    )


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
                or item.former_marker is not None
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


# -- moves ------------------------------------------------------------------------------------

Unit = Heading | Paragraph | ListItem | Table
"""What may move: a heading, a paragraph, a list item (with what it holds) or a table."""

UnitKind = Literal["heading", "paragraph", "item", "table"]

Path = tuple[int, ...]
"""Where a unit stands in a redline: its part's index, then its block's, then, down a list,
its item's, and so on into the item's children."""

MOVED_WORDS = 3
"""The fewest words a block must have to be taken for moved: two shorter texts that stand
one deleted, the other inserted ("Ei muutoksia.", an item "työnantaja") are more often the
same words by chance than one text moved, and are left a deletion and an insertion."""


@dataclass(frozen=True)
class _Unit:
    """A unit marked whole in a redline, where it stands."""

    path: Path
    place: tuple[Path, int]
    """Its place among the blocks or items beside it: theirs, and its index. An item of a
    list marked whole, every item alike, has the list's place."""
    value: Unit
    mark: Mark

    def replaces(self, other: _Unit) -> bool:
        """Whether this unit stands right after ``other``: one unit replaced by another in
        place (a heading's level changed, bullets turned numbers, a text rewritten), shown
        deleted, then inserted, and not moved."""
        return (other.mark, self.mark) == ("del", "ins") and self.place == (
            other.place[0],
            other.place[1] + 1,
        )


def mark_moves(parts: Sequence[Part]) -> tuple[Part, ...]:
    """The redline's parts with every move marked at both its ends: a unit deleted whole in
    one place and one inserted whole in another, in the same part or in another, identical
    or :data:`SIMILAR` by their words (as blocks are paired, :func:`pair`), of one kind and
    of :data:`MOVED_WORDS` words or more. Identical units are paired first, then the most
    alike; each unit at most once.

    The marks stay as they are, so accepting and rejecting every mark still give B and A
    (the DOCX writes them as Word's move marks). Each end gets its
    :class:`~tymdocs.model.Moved`: where the other end is, and at the new place the moved
    text marked word by word against the old (:attr:`~tymdocs.model.Moved.shown`). The edit
    is shown there and not in the marks: with marks inside the moved copy (its unchanged
    words unmarked), rejecting every mark would keep those words at the new place, and every
    reader of marks would need to know moves to give A; shown beside the marks, the edit
    costs the marks nothing, and the renderers that show moves print it in place of the
    block. The number of units weighed is bounded as in :func:`pair`, so a document of
    thousands of moved paragraphs takes time about linear in its text."""
    units = list(_units(parts))
    moves = sorted(_moves(units), key=lambda move: move[1].path)
    if not moves:
        return tuple(parts)
    ends: dict[Path, Moved[Any]] = {}
    for number, (gone, came, edited) in enumerate(moves, start=1):
        old, new = parts[gone.path[0]], parts[came.path[0]]
        within = gone.path[0] == came.path[0]
        ends[gone.path] = Moved[Any](
            "from", number, new.kind, new.number, within, came.path < gone.path, edited
        )
        shown = _shown(gone.value, came.value)
        ends[came.path] = Moved[Any](
            "to", number, old.kind, old.number, within, gone.path < came.path, edited, shown
        )
    touched = {path[0] for path in ends}
    return tuple(
        replace(part, blocks=_with_ends(part.blocks, (index,), ends)) if index in touched else part
        for index, part in enumerate(parts)
    )


def _units(parts: Sequence[Part]) -> Iterator[_Unit]:
    """Every unit marked whole, in reading order."""
    for index, part in enumerate(parts):
        yield from _marked_units(part.blocks, (index,))


def _marked_units(blocks: Blocks, path: Path) -> Iterator[_Unit]:
    """The units of ``blocks`` marked whole, into the children of list items that are not."""
    for index, block in enumerate(blocks):
        here = (*path, index)
        match block:
            case Heading() | Paragraph() | Table():
                if block.mark is not None:
                    yield _Unit(here, (path, index), block, block.mark)
            case ListBlock():
                whole = len({item.mark for item in block.items}) == 1
                for number, item in enumerate(block.items):
                    at = (*here, number)
                    if item.mark is None:
                        yield from _marked_units(item.children, at)
                    else:
                        place = (path, index) if whole else (here, number)
                        yield _Unit(at, place, item, item.mark)
            case _:
                assert_never(block)


def _moves(units: Sequence[_Unit]) -> list[tuple[_Unit, _Unit, bool]]:
    """The deleted and inserted units taken for one unit moved, as (deleted, inserted,
    edited: the two differ beyond marks and an item's number). A
    deletion and the insertion right after it that are alike are one unit replaced in place
    (see :meth:`_Unit.replaces`): neither is a move, nor the end of another's."""
    bags = [_unit_words(unit.value) for unit in units]
    sizes = [bag.total() for bag in bags]
    keys = [
        _identity(unit.value) if size >= MOVED_WORDS else None
        for unit, size in zip(units, sizes, strict=True)
    ]

    def likeness(i: int, j: int) -> float | None:
        """How alike units i and j are: 2 for identical, else their similarity if they are
        :data:`SIMILAR` or more alike, of one kind and long enough; else None."""
        if keys[i] is None or keys[j] is None or type(keys[i]) is not type(keys[j]):
            return None
        if keys[i] == keys[j]:
            return 2.0  # before any merely alike
        shared = similar(bags[i], bags[j], sizes[i], sizes[j])
        return None if shared is None else 2 * shared / (sizes[i] + sizes[j])

    in_place = {
        k
        for first in range(len(units) - 1)
        if units[first + 1].replaces(units[first]) and likeness(first, first + 1) is not None
        for k in (first, first + 1)
    }
    free = [k for k in range(len(units)) if keys[k] is not None and k not in in_place]
    gone = [k for k in free if units[k].mark == "del"]
    came = [k for k in free if units[k].mark == "ins"]
    if not gone or not came:
        return []
    scored: list[tuple[float, int, int]] = []
    for i, j in _candidates(
        [keys[k] for k in gone],
        [keys[k] for k in came],
        [bags[k] for k in gone],
        [bags[k] for k in came],
    ):
        alike = likeness(gone[i], came[j])
        if alike is not None:
            scored.append((alike, came[j], gone[i]))
    scored.sort(key=lambda score: (-score[0], score[1], score[2]))
    taken: set[int] = set()
    moves = []
    for _, j, i in scored:
        if i not in taken and j not in taken:
            taken.update((i, j))
            moves.append((units[i], units[j], keys[i] != keys[j]))
    return moves


def _identity(value: Unit) -> Unit:
    """A unit without its marks, and an item without its number: what two ends of a move
    that was not edited share."""
    unmarked = _unmarked(value)
    return replace(unmarked, marker=None) if isinstance(unmarked, ListItem) else unmarked


def _unit_words(value: Unit) -> Counter[str]:
    return _item_words(value) if isinstance(value, ListItem) else _block_words(value)


def _shown(source: Unit, target: Unit) -> Unit | None:
    """The moved unit as B has it, marked against its source as a changed unit is marked in
    place; None where the two differ in what marks cannot show (a table's columns)."""
    a, b = _unmarked(source), _unmarked(target)
    match a, b:
        case Heading(), Heading():
            return replace(b, content=_redline_cell(a.content, b.content))
        case Paragraph(), Paragraph():
            return replace(b, content=_redline_cell(a.content, b.content))
        case ListItem(), ListItem():
            content = _redline_cell(a.content, b.content)
            return replace(b, content=content, children=redline_blocks(a.children, b.children))
        case Table(), Table():
            return _redline_table(a, b)
    return None


def _unmarked(value: Unit) -> Unit:
    match value:
        case ListItem():
            return _mark_item(value, None)
        case Heading() | Paragraph():
            return replace(value, content=mark_inlines(value.content, None), mark=None)
        case Table():
            return _mark_table(value, None)
        case _:
            assert_never(value)


def _with_ends(blocks: Blocks, path: Path, ends: dict[Path, Moved[Any]]) -> Blocks:
    """``blocks`` with the ends of moves that stand in them (at ``path``) noted."""
    noted: list[Block] = []
    for index, block in enumerate(blocks):
        here = (*path, index)
        match block:
            case Heading() | Paragraph() | Table():
                noted.append(_block_with_end(block, ends.get(here)))
            case ListBlock():
                items = tuple(
                    _item_with_ends(item, (*here, number), ends)
                    for number, item in enumerate(block.items)
                )
                noted.append(replace(block, items=items))
            case _:
                assert_never(block)
    return tuple(noted)


def _block_with_end(block: Heading | Paragraph | Table, end: Moved[Any] | None) -> Block:
    if end is None:
        return block
    match block:
        case Heading():
            return replace(block, moved=end)
        case Paragraph():
            return replace(block, moved=end)
        case Table():
            return replace(block, moved=end)
        case _:
            assert_never(block)


def _item_with_ends(item: ListItem, path: Path, ends: dict[Path, Moved[Any]]) -> ListItem:
    end = ends.get(path)
    if end is not None:
        return replace(item, moved=end)
    if item.mark is None and item.children:
        return replace(item, children=_with_ends(item.children, path, ends))
    return item


U = TypeVar("U", Heading, Paragraph, ListItem, Table)


Moving = Literal["from", "to"] | None
"""Inside a moved block: at its old place ("from") or its new ("to"); None elsewhere."""


def moved_mark(mark: Mark | None, moving: Moving) -> Mark | None:
    """How a run inside a moved block is shown as moved: the moved text deleted at the old
    place and inserted at the new; None where the run shows its own mark (a move's own edit,
    or no move)."""
    if moving == "from" and mark == "del":
        return "del"
    if moving == "to" and mark is None:
        return "ins"
    return None


def as_shown(unit: U) -> U:
    """What a renderer that shows moves prints for ``unit``: at the new place of a move, the
    moved text marked against its source (:attr:`~tymdocs.model.Moved.shown`) where there
    is such a view; else the unit itself."""
    moved = unit.moved
    return moved.shown if moved is not None and moved.shown is not None else unit


def moves(part: Part) -> list[tuple[UnitKind, Moved[Any]]]:
    """The ends of moves in a redline part, in reading order, each with what moved."""
    return [(_kind(unit), unit.moved) for unit in moved_units(part.blocks) if unit.moved]


def moved_units(blocks: Blocks) -> Iterator[Unit]:
    """The units of ``blocks`` that are an end of a move, in reading order."""
    for block in blocks:
        match block:
            case Heading() | Paragraph() | Table():
                if block.moved is not None:
                    yield block
            case ListBlock():
                for item in block.items:
                    if item.moved is not None:
                        yield item
                    yield from moved_units(item.children)
            case _:
                assert_never(block)


def _kind(unit: Unit) -> UnitKind:
    match unit:
        case Heading():
            return "heading"
        case Paragraph():
            return "paragraph"
        case Table():
            return "table"
        case ListItem():
            return "item"
        case _:
            assert_never(unit)


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
    return replace(b, parts=mark_moves(parts), former_title=former)
