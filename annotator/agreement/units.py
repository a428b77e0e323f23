"""Multi-annotator units: items (quotes, claims) matched across annotators, one unit per group.

With three or more annotators, a statistic on an attribute of matched items (stance, speaker, kind,
checkworthiness) needs *units*, not pairs: one quote that three annotators marked is one unit with
three values, not three two-coder units. Pooling pairs gives alpha the wrong number of pairable
values (issue 19). Here the pairwise overlap matchings (the ones span F1 uses) are merged into
groups, each holding at most one item per annotator; a group is one unit of reliability data, with
a missing value for every annotator who has no item in it (or did not do the document).

Grouping: every matched pair is an edge weighted by its shared characters; edges are taken heaviest
first (ties by annotator and item order) and join two groups only when no annotator is in both. For
two annotators the groups are exactly the pairwise matching.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Mapping, Sequence

import numpy as np

from annotator.unionfind import DisjointSets
from annotator.agreement.metrics import (
    cohen_kappa_from_confusion,
    fleiss_kappa_from_counts,
    gwet_ac1_from_counts,
    krippendorff_alpha_from_counts,
    percent_agreement_from_counts,
    ratings_to_counts,
)

__all__ = ["UnitAgreement", "group_units", "unit_agreement", "unit_ratings"]

Number = float | None
#: (items of a in the pair, items of b, shared characters of each matched pair)
PairMatch = tuple[np.ndarray, np.ndarray, np.ndarray]


def group_units(sizes: Sequence[int], matches: Mapping[tuple[int, int], PairMatch]) -> np.ndarray:
    """Units from pairwise matchings: an (n_units, k) array of item indices, -1 where none.

    ``sizes[a]`` is annotator ``a``'s number of items; ``matches[(a, b)]`` (a < b) their matched
    items and shared characters. Every item is in exactly one unit; unmatched items are units of
    one. Units are ordered by their smallest (annotator, item).
    """
    k = len(sizes)
    offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(offset[-1])
    sets = DisjointSets(range(n))
    find = sets.find
    members: list[int] = [1 << int(np.searchsorted(offset, i, side="right") - 1) for i in range(n)]

    edges: list[tuple[int, int, int, int, int]] = []
    for (a, b), (ia, ib, shared) in matches.items():
        for i, j, s in zip(ia.tolist(), ib.tolist(), shared.tolist()):
            edges.append((-int(s), a, i, b, j))
    edges.sort()
    for _, a, i, b, j in edges:
        ra, rb = find(int(offset[a]) + i), find(int(offset[b]) + j)
        if ra == rb or members[ra] & members[rb]:
            continue
        if rb < ra:
            ra, rb = rb, ra
        sets.union(ra, rb)
        members[ra] |= members[rb]

    index: dict[int, int] = {}
    units: list[list[int]] = []
    for a in range(k):
        for i in range(int(sizes[a])):
            root = find(int(offset[a]) + i)
            u = index.get(root)
            if u is None:
                u = index[root] = len(units)
                units.append([-1] * k)
            units[u][a] = i
    return np.array(units, dtype=np.int64).reshape(len(units), k)


def unit_ratings(units: np.ndarray, values: Sequence[Sequence[Hashable]]) -> list[list[Hashable | None]]:
    """Reliability data (one row per annotator, one column per unit) from the units' items."""
    k = units.shape[1] if units.ndim == 2 else len(values)
    return [[None if i < 0 else values[a][i] for i in units[:, a].tolist()] for a in range(k)]


@dataclass(frozen=True, slots=True)
class UnitAgreement:
    """Agreement on one attribute of matched items, over multi-annotator units.

    ``alpha``, ``ac1`` and ``percent_agreement`` use every unit with at least two values (missing
    values allowed); ``fleiss_kappa`` (three or more annotators) only the units every annotator
    coded; ``cohen_kappa`` only with exactly two annotators.
    """

    attribute: str
    labels: tuple[str, ...]  #: the scale (AC1's q is its length)
    units: int  #: all units, including items nobody else marked
    pairable: int  #: units with at least two values
    complete: int  #: units every annotator coded
    alpha: Number
    cohen_kappa: Number
    fleiss_kappa: Number
    ac1: Number
    percent_agreement: Number
    coincidence: tuple[tuple[float, ...], ...]  #: Krippendorff's coincidence matrix, rows/columns = labels

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "labels": list(self.labels),
            "units": self.units,
            "pairable": self.pairable,
            "complete": self.complete,
            "alpha": self.alpha,
            "cohen_kappa": self.cohen_kappa,
            "fleiss_kappa": self.fleiss_kappa,
            "ac1": self.ac1,
            "percent_agreement": self.percent_agreement,
            "coincidence": [list(r) for r in self.coincidence],
        }


def _coincidence(counts: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    c = counts[m >= 2].astype(np.float64)
    if not len(c):
        return np.zeros((counts.shape[1], counts.shape[1]))
    w = 1.0 / (m[m >= 2] - 1.0)
    o = np.einsum("u,ui,uj->ij", w, c, c)
    o[np.diag_indices_from(o)] -= (w[:, None] * c).sum(axis=0)
    return o


def unit_agreement(attribute: str, ratings: Sequence[Sequence[Hashable | None]], labels: Sequence[str]) -> UnitAgreement:
    """Alpha, kappa (Cohen's for two, Fleiss' on complete units for three or more), AC1 and
    percent agreement of coder-by-unit ``ratings`` on the scale ``labels``."""
    k = len(ratings)
    counts, _ = ratings_to_counts(ratings, labels)
    m = counts.sum(axis=1)
    complete = m == k
    cohen = fleiss = None
    if k == 2:
        a_rows, b_rows = ratings
        index: dict[Any, int] = {lab: i for i, lab in enumerate(labels)}
        conf = np.zeros((len(labels), len(labels)), dtype=np.int64)
        for x, y in zip(a_rows, b_rows):
            if x is not None and y is not None:
                conf[index[x]][index[y]] += 1
        cohen = cohen_kappa_from_confusion(conf)
    elif k >= 3 and complete.any():
        fleiss = fleiss_kappa_from_counts(counts[complete])
    return UnitAgreement(
        attribute=attribute,
        labels=tuple(labels),
        units=int(counts.shape[0]),
        pairable=int((m >= 2).sum()),
        complete=int(complete.sum()),
        alpha=krippendorff_alpha_from_counts(counts),
        cohen_kappa=cohen,
        fleiss_kappa=fleiss,
        ac1=gwet_ac1_from_counts(counts),
        percent_agreement=percent_agreement_from_counts(counts),
        coincidence=tuple(tuple(float(v) for v in row) for row in _coincidence(counts)),
    )
