"""Span matching and F1: symmetric, one-to-one, maximum; token labels."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement.metrics import match_spans, span_f1, token_labels, token_offsets
from annotator.scheme import Span


def brute_max_matching(a, b, min_overlap=0.0):
    """Largest one-to-one matching by trying every assignment (memoised over which spans are taken)."""
    a, b = sorted(set(a)), sorted(set(b))

    def edge(x, y):
        shared = min(x[1], y[1]) - max(x[0], y[0])
        if shared <= 0:
            return False
        return shared / (max(x[1], y[1]) - min(x[0], y[0])) >= min_overlap if min_overlap else True

    small, large = (a, b) if len(a) <= len(b) else (b, a)

    @cache
    def best(i: int, used: int) -> int:
        """Most edges for small[i:] with the large spans in bitmask ``used`` taken (every choice tried)."""
        if i == len(small):
            return 0
        options = [best(i + 1, used)]  # small[i] left unmatched
        options += [1 + best(i + 1, used | 1 << j) for j, y in enumerate(large)
                    if not used >> j & 1 and edge(small[i], y)]
        return max(options)

    return best(0, 0)


span = st.tuples(st.integers(0, 40), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1]))
spans = st.lists(span, max_size=5)


def disjoint(draw_list):
    out, pos = [], 0
    for gap, length in draw_list:
        start = pos + gap
        out.append((start, start + length))
        pos = start + length
    return out


disjoint_spans = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 8)), max_size=8).map(disjoint)


@settings(max_examples=400, deadline=None)
@given(spans, spans, st.sampled_from(["exact", "overlap"]))
def test_f1_symmetric_any_spans(a, b, mode):
    ab, ba = span_f1(a, b, mode), span_f1(b, a, mode)
    assert ab.f1 == ba.f1  # exactly
    assert ab.tp == ba.tp and ab.fp == ba.fn and ab.fn == ba.fp
    assert ab.precision == ba.recall and ab.recall == ba.precision
    if ab.f1 is not None:
        assert 0.0 <= ab.f1 <= 1.0
    assert (ab.f1 is None) == (not a and not b)


@settings(max_examples=300, deadline=None)
@given(spans, spans, st.sampled_from([0.0, 0.5]))
def test_overlap_matching_is_maximum(a, b, threshold):
    assert span_f1(a, b, "overlap", min_overlap=threshold).tp == brute_max_matching(a, b, threshold)


@settings(max_examples=300, deadline=None)
@given(disjoint_spans, disjoint_spans, st.sampled_from([0.0, 0.3]))
def test_disjoint_layers_maximum_and_mirrored_pairs(a, b, threshold):
    """Spans of one layer never overlap within one annotator (contract): the DP path."""
    pairs_ab = match_spans(a, b, "overlap", min_overlap=threshold)
    pairs_ba = match_spans(b, a, "overlap", min_overlap=threshold)
    assert sorted((j, i) for i, j in pairs_ba) == pairs_ab
    assert len(pairs_ab) == brute_max_matching(a, b, threshold)
    assert len({i for i, _ in pairs_ab}) == len(pairs_ab) == len({j for _, j in pairs_ab})
    for i, j in pairs_ab:
        assert min(a[i][1], b[j][1]) > max(a[i][0], b[j][0])  # shares a character


@settings(max_examples=300, deadline=None)
@given(spans, spans)
def test_exact_counts_identical_spans(a, b):
    assert span_f1(a, b, "exact").tp == len(set(a) & set(b))
    assert span_f1(a, b, "exact").tp <= span_f1(a, b, "overlap").tp


def test_examples():
    r = span_f1([(0, 10), (20, 30)], [(0, 10), (22, 25), (26, 28)], "overlap")
    assert (r.tp, r.fp, r.fn) == (2, 1, 0)
    assert r.recall == 1.0 and r.precision == pytest.approx(2 / 3) and r.f1 == pytest.approx(0.8)
    assert span_f1([(0, 10)], [(0, 9)], "exact").f1 == 0.0
    assert span_f1([(0, 10)], [(10, 20)], "overlap").tp == 0  # touching is not overlapping
    both_empty = span_f1([], [], "overlap")
    assert (both_empty.f1, both_empty.precision, both_empty.recall) == (None, None, None)
    one_empty = span_f1([(0, 3)], [], "exact")
    assert (one_empty.f1, one_empty.recall, one_empty.precision) == (0.0, 0.0, None)
    # Span objects and duplicates (counted once).
    assert span_f1([Span(0, 3, "abc"), Span(0, 3, "abc")], [(0, 3)], "exact").f1 == 1.0
    with pytest.raises(ValueError):
        span_f1([(0, 1)], [(0, 1)], "fuzzy")  # type: ignore[arg-type]


def test_overlap_prefers_the_best_partner():
    # One long quote against a short fragment and the real quote: the real one is matched.
    assert match_spans([(0, 100)], [(0, 10), (20, 100)]) == [(0, 1)]
    assert match_spans([(0, 10), (20, 100)], [(0, 100)]) == [(1, 0)]
    # But never at the cost of a match: (0,10)-(5,25) and (20,40)-(30,50).
    assert len(match_spans([(0, 10), (20, 40)], [(5, 25), (30, 50)])) == 2


def test_min_overlap_threshold():
    assert span_f1([(0, 10)], [(8, 20)], "overlap").tp == 1
    assert span_f1([(0, 10)], [(8, 20)], "overlap", min_overlap=0.5).tp == 0
    assert span_f1([(0, 10)], [(2, 10)], "overlap", min_overlap=0.5).tp == 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\u00a0\u2003x\u3000é\U0001f600")), max_size=60))
def test_token_offsets_equal_regex(text):
    expected = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    assert [tuple(t) for t in token_offsets(text).tolist()] == expected


def test_token_labels():
    text = 'He said "yes we can" today'
    rows = token_labels(text, [[(9, 19)], None, [(9, 19, "Q")], []])
    assert rows[0] == ["O", "O", "QUOTE", "QUOTE", "QUOTE", "O"]  # '"yes' and 'can"' share characters
    assert rows[1] == [None] * 6
    assert rows[2] == ["O", "O", "Q", "Q", "Q", "O"]
    assert rows[3] == ["O"] * 6
    assert token_labels(text, [[(0, 2)]], tokens=np.array([[0, 2], [3, 7]])) == [["QUOTE", "O"]]
    assert token_labels("", [[], None]) == [[], []]
