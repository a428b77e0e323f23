"""Krippendorff's unitizing alpha (alpha_U) on character continua: agreement on where spans lie,
for spans whose boundaries partly agree.

K. Krippendorff (1995), "On the reliability of unitizing contiguous data", *Sociological
Methodology* 25: 47-76, and (2004) *Content Analysis*, 2nd ed., pp. 251-256. Each coder divides a
continuum of length ``L`` into units of a category and gaps. For a pair of coders, every unit or
gap of one that intersects a unit or gap of the other contributes a squared distance: two
intersecting units ``(b1, e1)``, ``(b2, e2)`` give ``(b1 - b2)^2 + (e1 - e2)^2``; a unit of length
``l`` lying wholly inside the other coder's gap gives ``l^2``; everything else 0. With ``R`` coders

    D_o(c) = 2 / (R (R - 1) L^2) * sum over coder pairs of those distances,
    D_e(c) = 2 / L * sum over units u of c [ (N_c - 1)(2 l^3 - 3 l^2 + l) / 3
                                             + l^2 * sum over gaps g with |g| >= l of (|g| - l + 1) ]
             / (R L (R L - 1) - sum over units u of c of l (l - 1)),

``N_c`` the number of units of ``c`` (all coders), ``l`` a unit's length, the gaps those of all
coders; ``alpha_U(c) = 1 - D_o(c) / D_e(c)``. Over several categories, ``alpha_U = 1 - mean D_o /
mean D_e`` (as DKPro Agreement computes it). Several continua (documents) are pooled: ``L`` is
their total length and a gap never runs across the end of a document. A coder's overlapping units
of one category are joined into their union first (the coefficient assumes they do not overlap).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence

import numpy as np

__all__ = ["UnitizingAlpha", "coder_segments", "segment_distance", "unitizing_alpha", "unitizing_category",
           "unitizing_segments", "unitizing_spans"]

Number = float | None
Unit = tuple[int, int, Hashable]  #: (start, end, category), half-open character offsets
#: (length of the continuum, one list of units per coder)
Continuum = tuple[int, Sequence[Sequence[Unit]]]


@dataclass(frozen=True, slots=True)
class UnitizingAlpha:
    """alpha_U with its observed and expected disagreement; ``None`` where undefined."""

    alpha: Number
    observed: Number
    expected: Number
    categories: dict[Hashable, "UnitizingAlpha"] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unitizing_alpha": self.alpha,
            "unitizing_observed_disagreement": self.observed,
            "unitizing_expected_disagreement": self.expected,
        }


def _expected_sum(lengths: Sequence[int] | np.ndarray, gaps: Sequence[int] | np.ndarray, n_c: int) -> int:
    """The exact integer sum over units in ``D_e``: ``(N_c - 1)(2 l^3 - 3 l^2 + l) / 3 + l^2 * sum over gaps
    g >= l of (g - l + 1)``. Vectorised in 64-bit integers when no term can overflow them (then summed as
    Python integers), else unit by unit."""
    g = np.sort(np.array(gaps, dtype=np.int64))
    suffix = np.concatenate([np.cumsum(g[::-1])[::-1], [0]])  # suffix[i] = sum of g[i:]
    lengths = np.asarray(lengths, dtype=np.int64)
    longest, gap_total = int(lengths.max()), int(suffix[0])
    if max(n_c - 1, 1) * 2 * longest**3 + longest**2 * gap_total < 2**62:
        ls = np.array(lengths, dtype=np.int64)
        first = np.searchsorted(g, ls, side="left")
        fits = suffix[first] - (ls - 1) * (len(g) - first)  # sum over gaps >= l of (g - l + 1)
        terms = (n_c - 1) * (2 * ls**3 - 3 * ls**2 + ls) // 3 + ls * ls * fits
        return _exact_sum(terms)
    expected = 0
    for l in lengths.tolist():
        first_gap = int(np.searchsorted(g, l, side="left"))
        count = len(g) - first_gap
        fits_l = int(suffix[first_gap]) - (l - 1) * count
        expected += (n_c - 1) * (2 * l**3 - 3 * l**2 + l) // 3 + l * l * fits_l
    return expected


def unitizing_category(continua: Sequence[Continuum], category: Hashable) -> UnitizingAlpha:
    """alpha_U for one category; every continuum needs the same number ``R >= 2`` of coders."""
    coders = {len(c[1]) for c in continua}
    if len(coders) > 1:
        raise ValueError("every continuum needs the same number of coders")
    r = coders.pop() if coders else 0
    lengths = np.array([int(length) for length, _ in continua], dtype=np.int64)
    per_coder = []
    for x in range(r):
        rows = [(d, int(s), int(e)) for d, (_, units) in enumerate(continua) for s, e, cat in units[x] if cat == category]
        cols = np.array(rows, dtype=np.int64).reshape(-1, 3)
        per_coder.append((cols[:, 0], cols[:, 1], cols[:, 2]))
    return unitizing_spans(lengths, per_coder)


CoderUnits = tuple[np.ndarray, np.ndarray, np.ndarray]  #: (continuum index, start, end) of one coder's units


def unitizing_spans(lengths: np.ndarray, coders: Sequence[CoderUnits]) -> UnitizingAlpha:
    """alpha_U for one category of units given as arrays: the continua's lengths and, per coder, each unit's
    continuum index and offsets in it. The continua are pooled end to end; everything is vectorised."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return unitizing_segments(int(lengths.sum()) if len(lengths) else 0,
                              [coder_segments(lengths, units) for units in coders])


Segments = tuple[np.ndarray, np.ndarray]  #: a coder's segment boundaries and whether each segment is a unit


def coder_segments(lengths: np.ndarray, units: CoderUnits) -> Segments:
    """One coder's partition of the continua (``lengths``) pooled end to end (see :func:`_coder_segments`)."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths)
    return _coder_segments(offsets, *units)


def unitizing_segments(total_length: int, segments: Sequence[Segments],
                       pair_distance: Callable[[int, int], int] | None = None) -> UnitizingAlpha:
    """alpha_U from each coder's segments (:func:`coder_segments`) of continua of ``total_length``;
    ``pair_distance(x, y)`` may give (e.g. remember) the squared distances of coders ``x < y``."""
    r = len(segments)
    if r < 2 or total_length <= 0:
        return UnitizingAlpha(None, None, None)
    observed = 0
    for x in range(r):
        for y in range(x + 1, r):
            observed += (_pair_distance_arrays(segments[x], segments[y]) if pair_distance is None
                         else pair_distance(x, y))
    seg_lens = [np.diff(bounds) for bounds, _ in segments]
    unit_lengths = np.concatenate([n[u] for n, (_, u) in zip(seg_lens, segments)])
    gaps = np.concatenate([n[~u] for n, (_, u) in zip(seg_lens, segments)])
    n_c = len(unit_lengths)
    L = total_length
    d_o = 2.0 * observed / (r * (r - 1) * L * L)
    if n_c == 0:
        return UnitizingAlpha(None, d_o, 0.0)
    expected = _expected_sum(unit_lengths, gaps, n_c)
    ls = unit_lengths
    denominator = r * L * (r * L - 1) - _exact_sum(ls * (ls - 1))
    d_e = 2.0 * expected / L / denominator if denominator > 0 else 0.0
    if d_e <= 0.0:
        return UnitizingAlpha(None, d_o, d_e)
    return UnitizingAlpha(1.0 - d_o / d_e, d_o, d_e)


def _coder_segments(offsets: np.ndarray, doc: np.ndarray, start: np.ndarray,
                    end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One coder's partition of the pooled continuum: segment boundaries and whether each segment is a unit.

    Units are clipped to their continuum, empty ones dropped, overlapping ones (start before the previous
    end) joined; every continuum's ends are boundaries, so no gap runs across them."""
    doc = np.asarray(doc, dtype=np.int64)
    length = offsets[doc + 1] - offsets[doc]
    s = np.clip(np.asarray(start, dtype=np.int64), 0, length)
    e = np.minimum(np.asarray(end, dtype=np.int64), length)
    keep = e > s
    gs, ge = offsets[doc[keep]] + s[keep], offsets[doc[keep]] + e[keep]
    order = np.lexsort((ge, gs))
    gs, ge = gs[order], ge[order]
    if len(gs):
        reach = np.maximum.accumulate(ge)
        new = np.ones(len(gs), dtype=bool)
        new[1:] = gs[1:] >= reach[:-1]
        first = np.flatnonzero(new)
        last = np.append(first[1:], len(gs)) - 1
        us, ue = gs[first], reach[last]
    else:
        us = ue = gs
    bounds = _sorted_unique(np.concatenate([offsets, us, ue]))
    starts = bounds[:-1]  # a segment is a unit when it starts where a (joined) unit starts; both sorted
    at = np.minimum(np.searchsorted(us, starts), max(len(us) - 1, 0))
    is_unit = us[at] == starts if len(us) else np.zeros(len(starts), dtype=bool)
    return bounds, is_unit


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by one sort (its hash-based path was a third of agreement's time here). The values are
    a few sorted runs joined (boundaries of two coders, offsets and units): a stable sort (timsort) merges
    them, 3x faster than quicksort on 1.5 million."""
    v = np.sort(values, kind="stable")
    if len(v) < 2:
        return v
    keep = np.ones(len(v), dtype=bool)
    keep[1:] = v[1:] != v[:-1]
    return v[keep]


def segment_distance(a: Segments, b: Segments) -> int:
    """The squared distances of two coders' segments (the pair's share of ``D_o``, before scaling)."""
    return _pair_distance_arrays(a, b)


def _pair_distance_arrays(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> int:
    """Sum of squared distances over the intersecting segments of two coders: each intersecting pair is one
    interval between consecutive boundaries of either (a merge walk over both visits the same pairs)."""
    (ba, ua), (bb, ub) = a, b
    points = _sorted_unique(np.concatenate([ba, bb]))[:-1]
    i = np.searchsorted(ba, points, side="right") - 1
    j = np.searchsorted(bb, points, side="right") - 1
    s1, e1, u1 = ba[i], ba[i + 1], ua[i]
    s2, e2, u2 = bb[j], bb[j + 1], ub[j]
    both = u1 & u2
    inside_b = u1 & ~u2 & (s2 <= s1) & (e1 <= e2)
    inside_a = u2 & ~u1 & (s1 <= s2) & (e2 <= e1)
    terms = np.where(both, (s1 - s2) ** 2 + (e1 - e2) ** 2, 0)
    terms = np.where(inside_b, (e1 - s1) ** 2, terms)
    terms = np.where(inside_a, (e2 - s2) ** 2, terms)
    return _exact_sum(terms)


def _exact_sum(terms: np.ndarray) -> int:
    """The exact sum of non-negative 64-bit integers: numpy's own sum when it cannot overflow (the largest
    term times their number fits), else as Python integers (``tolist``: 75x slower on a million terms)."""
    if not len(terms):
        return 0
    if int(terms.max()) * len(terms) < 2**63:
        return int(terms.sum())
    return sum(terms.tolist())


def unitizing_alpha(continua: Sequence[Continuum], categories: Sequence[Hashable] | None = None) -> UnitizingAlpha:
    """alpha_U over ``categories`` (default: every category that occurs), with per-category values.

    The overall coefficient is ``1 - mean D_o / mean D_e`` over the categories; ``None`` where
    expected disagreement is 0 (no unit of any category).
    """
    if categories is None:
        seen = {cat for _, per_coder in continua for units in per_coder for _, _, cat in units}
        categories = sorted(seen, key=repr)
    per = {cat: unitizing_category(continua, cat) for cat in categories}
    if not per:
        return UnitizingAlpha(None, None, None)
    if any(v.observed is None for v in per.values()):
        return UnitizingAlpha(None, None, None, per)
    d_o = sum(v.observed or 0.0 for v in per.values()) / len(per)
    d_e = sum(v.expected or 0.0 for v in per.values()) / len(per)
    alpha = 1.0 - d_o / d_e if d_e > 0 else None
    return UnitizingAlpha(alpha, d_o, d_e, per)
