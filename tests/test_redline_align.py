"""The redline's alignment: any two sequences cut into equal and changed stretches that
rebuild both, small edits still marked word by word, and large rewrites replaced whole."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import redline_bounds
from tymdocs import redline
from tymdocs.markup import parse_blocks
from tymdocs.model import Inlines, LineBreak, Paragraph, Span, inline_text
from tymdocs.redline import (
    EXACT,
    accept,
    align,
    heaviest_chain,
    redline_blocks,
    redline_inlines,
    reject,
)

BOUNDS = [0, 4, 30, EXACT]
"""The bound as shipped, and smaller ones that send short sequences through the cuts and the
fallback too."""


def bounded(bound: int) -> contextlib.AbstractContextManager[None]:
    """``redline.EXACT`` set to ``bound`` for the block of a ``with``."""
    return redline_bounds(redline.PAIRED, bound)


def _rebuilt(a: list[int], b: list[int], junk: bool) -> None:
    """The stretches alternate, cover A and B in order, and the equal ones are equal."""
    stretches = align(a, b, (lambda value: value == 0) if junk else None)
    a_at = b_at = 0
    for index, (equal, a1, a2, b1, b2) in enumerate(stretches):
        assert (a1, b1) == (a_at, b_at)
        assert a1 < a2 or b1 < b2, "no empty stretch"
        if equal:
            assert a[a1:a2] == b[b1:b2]
        if index:
            assert equal != stretches[index - 1][0], "equal and changed alternate"
        a_at, b_at = a2, b2
    assert (a_at, b_at) == (len(a), len(b))


_VALUES = st.lists(st.integers(0, 6), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_VALUES, _VALUES, st.sampled_from(BOUNDS), st.booleans())
def test_any_two_sequences_are_cut_into_stretches_that_rebuild_both(
    a: list[int], b: list[int], bound: int, junk: bool
) -> None:
    with bounded(bound):
        _rebuilt(a, b, junk)


@settings(max_examples=200, deadline=None)
@given(_VALUES, st.data(), st.sampled_from(BOUNDS), st.booleans())
def test_an_edited_sequence_is_cut_into_stretches_that_rebuild_both(
    a: list[int], data: st.DataObject, bound: int, junk: bool
) -> None:
    """B made from A by a few edits: long equal runs, the case the cuts are for."""
    b = list(a)
    for _ in range(data.draw(st.integers(0, 6))):
        at = data.draw(st.integers(0, len(b)))
        if data.draw(st.booleans()) and at < len(b):
            del b[at]
        else:
            b.insert(at, data.draw(st.integers(0, 9)))
    with bounded(bound):
        _rebuilt(a, b, junk)


_WORD = st.sampled_from(["Kela", "0,75", "1,0", "htv", "ja", "ja", "§", ",", ".", "1.5.2025"])
_INLINE = st.one_of(
    st.builds(
        Span,
        st.lists(_WORD, min_size=1, max_size=8).map(" ".join),
        st.booleans(),
        st.booleans(),
    ),
    st.just(LineBreak()),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_INLINE, max_size=12),
    st.lists(_INLINE, max_size=12),
    st.sampled_from(BOUNDS),
)
def test_accepting_the_redline_gives_b_and_rejecting_it_a(
    a: list[Span | LineBreak], b: list[Span | LineBreak], bound: int
) -> None:
    """Any two texts, random words with random emphasis and breaks, within the bound and past
    it: accept gives B's content, reject A's."""
    old, new = redline.merge_spans(a), redline.merge_spans(b)
    with bounded(bound):
        marked = redline_inlines(old, new)
    assert accept(marked) == new
    assert reject(marked) == old


def _filler(count: int, start: int = 0) -> str:
    return " ".join(f"sana{n}" for n in range(start, start + count))


def _marked(content: Inlines) -> list[tuple[str, str | None]]:
    return [(inline_text((part,)), part.mark) for part in content if part.mark]


def test_small_edits_in_a_long_paragraph_are_marked_word_by_word() -> None:
    """A figure and a date changed, a word added and one removed, far apart in a paragraph
    of 6,000 words: past the bound, so the paragraph is cut at its words before each edit
    is aligned exactly."""
    a = (
        f"{_filler(2000)} Kela osoittaa 0,75 htv 1.5.2025 alkaen. "
        f"{_filler(2000, 2000)} poistettava sana. {_filler(2000, 4000)}"
    )
    b = (
        f"{_filler(2000)} Kela osoittaa 0,8 htv 1.6.2025 alkaen. "
        f"{_filler(2000, 2000)} sana. {_filler(1000, 4000)} lisätty {_filler(1000, 5000)}"
    )
    (x,), (y,) = parse_blocks(a), parse_blocks(b)
    assert isinstance(x, Paragraph) and isinstance(y, Paragraph)
    assert len(redline._tokens(x.content)) ** 2 > EXACT
    (paragraph,) = redline_blocks((x,), (y,))
    assert isinstance(paragraph, Paragraph)
    assert _marked(paragraph.content) == [
        ("0,75", "del"),
        ("0,8", "ins"),
        ("1.5.2025", "del"),
        ("1.6.2025", "ins"),
        ("poistettava ", "del"),
        (" lisätty", "ins"),
    ]
    assert accept(paragraph.content) == y.content
    assert reject(paragraph.content) == x.content


def test_a_rewritten_long_paragraph_is_deleted_whole_then_inserted_whole() -> None:
    """Every word changed, and nothing each side has equally often to cut at: the fallback
    past the bound, one deletion and one insertion."""
    a = " ".join(f"vanha{n}" for n in range(3000))
    b = " ".join(f"uusi{n}" for n in range(3000))
    marked = redline_inlines((Span(a),), (Span(b),))
    assert marked == (Span(a, mark="del"), Span(b, mark="ins"))


def test_rewritten_words_read_deleted_together_then_inserted_together() -> None:
    """A space alone is never the common ground of two changes."""
    marked = redline_inlines(
        (Span("Kela osoittaa kaksi henkilöä."),), (Span("Kela osoittaa yhden työntekijän."),)
    )
    assert [(p.text, p.mark) for p in marked if isinstance(p, Span)] == [
        ("Kela osoittaa ", None),
        ("kaksi henkilöä", "del"),
        ("yhden työntekijän", "ins"),
        (".", None),
    ]


def test_many_paragraphs_some_alike_are_aligned_and_paired() -> None:
    """A section of 4,000 paragraphs, every second one the same text, every tenth of the
    others changed by a word: past the bound for blocks (``redline.PAIRED``), only the likely
    pairs are weighed, and each changed paragraph is compared with its counterpart."""
    a = [
        Paragraph((Span(f"Kappale {n} vanha." if n % 2 else "Sama teksti."),)) for n in range(4000)
    ]
    b = list(a)
    for n in range(1, 4000, 20):
        b[n] = Paragraph((Span(f"Kappale {n} uusi."),))
    blocks = redline_blocks(tuple(a), tuple(b))
    assert len(blocks) == 4000
    for n, block in enumerate(blocks):
        assert isinstance(block, Paragraph) and block.mark is None
        changed = [("vanha", "del"), ("uusi", "ins")] if n % 20 == 1 else []
        assert _marked(block.content) == changed, n


_PAIRS = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 9)),
    max_size=10,
    unique_by=lambda pair: (pair[0], pair[1]),
)


def _increasing(chain: Sequence[tuple[int, int]]) -> bool:
    return all(x[0] < y[0] and x[1] < y[1] for x, y in itertools.pairwise(chain))


@settings(max_examples=300, deadline=None)
@given(_PAIRS)
def test_the_heaviest_chain_is_the_heaviest_of_all_chains(
    pairs: list[tuple[int, int, int]],
) -> None:
    """Blocks are paired by the chain of greatest weight: checked against every subset."""
    weight = {(i, j): w for i, j, w in pairs}
    chain = heaviest_chain(pairs)
    assert _increasing(chain)
    heaviest = 0
    for size in range(len(pairs) + 1):
        for subset in itertools.combinations(sorted(weight), size):
            if _increasing(subset):
                heaviest = max(heaviest, sum(weight[p] for p in subset))
    assert sum(weight[p] for p in chain) == heaviest
