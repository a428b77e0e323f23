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
from typing import Any, Hashable, Sequence

import numpy as np

__all__ = ["UnitizingAlpha", "unitizing_alpha", "unitizing_category"]

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


def _merged(units: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Units clipped to the continuum, sorted, overlapping ones joined; empty ones dropped."""
    out: list[tuple[int, int]] = []
    for s, e in sorted((max(0, int(s)), min(length, int(e))) for s, e in units):
        if e <= s:
            continue
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _segments(units: list[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """The continuum as consecutive (start, end, is_unit) segments."""
    segs: list[tuple[int, int, bool]] = []
    pos = 0
    for s, e in units:
        if s > pos:
            segs.append((pos, s, False))
        segs.append((s, e, True))
        pos = e
    if pos < length:
        segs.append((pos, length, False))
    return segs


def _pair_distance(a: list[tuple[int, int, bool]], b: list[tuple[int, int, bool]]) -> int:
    """Sum of squared distances over the intersecting segments of two coders (a merge walk)."""
    total = 0
    i = j = 0
    while i < len(a) and j < len(b):
        s1, e1, u1 = a[i]
        s2, e2, u2 = b[j]
        if u1 and u2:
            total += (s1 - s2) ** 2 + (e1 - e2) ** 2
        elif u1 and s2 <= s1 and e1 <= e2:
            total += (e1 - s1) ** 2
        elif u2 and s1 <= s2 and e2 <= e1:
            total += (e2 - s2) ** 2
        if e1 <= e2:
            i += 1
        if e2 <= e1:
            j += 1
    return total


def _expected_sum(lengths: list[int], gaps: list[int], n_c: int) -> int:
    """The exact integer sum over units in ``D_e``: ``(N_c - 1)(2 l^3 - 3 l^2 + l) / 3 + l^2 * sum over gaps
    g >= l of (g - l + 1)``. Vectorised in 64-bit integers when no term can overflow them (then summed as
    Python integers), else unit by unit."""
    g = np.sort(np.array(gaps, dtype=np.int64))
    suffix = np.concatenate([np.cumsum(g[::-1])[::-1], [0]])  # suffix[i] = sum of g[i:]
    longest, gap_total = max(lengths), int(suffix[0])
    if max(n_c - 1, 1) * 2 * longest**3 + longest**2 * gap_total < 2**62:
        ls = np.array(lengths, dtype=np.int64)
        first = np.searchsorted(g, ls, side="left")
        fits = suffix[first] - (ls - 1) * (len(g) - first)  # sum over gaps >= l of (g - l + 1)
        terms = (n_c - 1) * (2 * ls**3 - 3 * ls**2 + ls) // 3 + ls * ls * fits
        return sum(terms.tolist())
    expected = 0
    for l in lengths:
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
    total_length = sum(int(length) for length, _ in continua)
    if r < 2 or total_length <= 0:
        return UnitizingAlpha(None, None, None)
    observed = 0
    lengths: list[int] = []
    gaps: list[int] = []
    for length, per_coder in continua:
        segs = []
        for units in per_coder:
            merged = _merged([(s, e) for s, e, cat in units if cat == category], int(length))
            seg = _segments(merged, int(length))
            segs.append(seg)
            lengths.extend(e - s for s, e in merged)
            gaps.extend(e - s for s, e, is_unit in seg if not is_unit)
        for x in range(r):
            for y in range(x + 1, r):
                observed += _pair_distance(segs[x], segs[y])
    n_c = len(lengths)
    L = total_length
    d_o = 2.0 * observed / (r * (r - 1) * L * L)
    if n_c == 0:
        return UnitizingAlpha(None, d_o, 0.0)
    expected = _expected_sum(lengths, gaps, n_c)
    denominator = r * L * (r * L - 1) - sum(l * (l - 1) for l in lengths)
    d_e = 2.0 * expected / L / denominator if denominator > 0 else 0.0
    if d_e <= 0.0:
        return UnitizingAlpha(None, d_o, d_e)
    return UnitizingAlpha(1.0 - d_o / d_e, d_o, d_e)


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
