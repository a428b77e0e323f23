"""Overlap checks of the attribution join and second pass (``annotator.nlp.char_cover``) say what a scan of
every kept range says, for any ranges: nested, equal, touching, repeated."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.nlp.char_cover import CharCover, RangeIndex

LENGTH = 60
ranges = st.tuples(st.integers(0, LENGTH - 1), st.integers(1, 12)).map(lambda r: (r[0], min(r[0] + r[1], LENGTH)))


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), ranges), max_size=40))
def test_cover_answers_as_a_scan_of_the_ranges_added(steps: list[tuple[bool, tuple[int, int]]]) -> None:
    """Each step either asks about a range or adds it: the answers are the scan's at that moment."""
    cover, added = CharCover(LENGTH), []
    for ask, r in steps:
        if ask:
            assert cover.overlaps(*r) == any(overlap(r, t) for t in added)
            assert cover.overlaps_other(*r) == any(r != t and overlap(r, t) for t in added)
        else:
            cover.add(*r)
            added.append(r)


@settings(max_examples=300, deadline=None)
@given(st.lists(ranges, max_size=40), ranges)
def test_index_lists_the_overlapping_ranges_in_their_order(fixed: list[tuple[int, int]], r: tuple[int, int]) -> None:
    assert RangeIndex(fixed).overlapping(*r) == [i for i, t in enumerate(fixed) if overlap(r, t)]


def test_empty_ranges_neither_cover_nor_overlap() -> None:
    cover = CharCover(10, [(3, 3), (2, 6)])
    assert not cover.overlaps(4, 4) and not cover.overlaps_other(4, 4)
    assert cover.overlaps(5, 9) and not cover.overlaps_other(2, 6) and not cover.overlaps(6, 9)
    assert RangeIndex([(3, 3), (2, 6)]).overlapping(0, 10) == [1]
