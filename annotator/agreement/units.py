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

__all__ = ["UnitAgreement", "group_units", "unit_agreement", "unit_agreement_of", "unit_ratings"]

Number = float | None
#: (items of a in the pair, items of b, shared characters of each matched pair)
PairMatch = tuple[np.ndarray, np.ndarray, np.ndarray]


def group_units(sizes: Sequence[int], matches: Mapping[tuple[int, int], PairMatch]) -> np.ndarray:
    """Units from pairwise matchings: an (n_units, k) array of item indices, -1 where none.

    ``sizes[a]`` is annotator ``a``'s number of items; ``matches[(a, b)]`` (a < b) their matched
    items and shared characters. Every item is in exactly one unit; unmatched items are units of
    one. Units are ordered by their smallest (annotator, item).

    Vectorised: a connected group of matched items in which no annotator has two items is one unit
    whatever the order of its edges, so only the (rare) groups where an annotator has two items are
    walked edge by edge, heaviest first; the result is that of the walk over all edges.
    """
    k = len(sizes)
    offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(offset[-1])
    owner = np.repeat(np.arange(k, dtype=np.int64), np.asarray(sizes, dtype=np.int64))
    parts = [(a, b, *m) for (a, b), m in matches.items() if len(m[0])]
    if parts:
        ea = np.concatenate([np.full(len(ia), a, dtype=np.int64) for a, _, ia, _, _ in parts])
        eb = np.concatenate([np.full(len(ia), b, dtype=np.int64) for _, b, ia, _, _ in parts])
        ei = np.concatenate([np.asarray(ia, dtype=np.int64) for _, _, ia, _, _ in parts])
        ej = np.concatenate([np.asarray(ib, dtype=np.int64) for _, _, _, ib, _ in parts])
        ew = np.concatenate([np.asarray(sh, dtype=np.int64) for _, _, _, _, sh in parts])
    else:
        ea = eb = ei = ej = ew = np.zeros(0, dtype=np.int64)
    u, v = offset[ea] + ei, offset[eb] + ej
    label = _components(n, u, v)
    # Groups in which an annotator has two items: the order of the edges decides, so walk them.
    # distinct annotators per group, from which (group, annotator) pairs occur (np.unique of the pairs hashed
    # them: ~1 s at 50,000 documents, a presence table 50x less)
    pair_seen = np.zeros(n * k, dtype=bool)
    pair_seen[label * k + owner] = True
    owners = np.bincount(np.flatnonzero(pair_seen) // k, minlength=n)
    crowded = np.flatnonzero(np.bincount(label, minlength=n) > owners)
    if len(crowded):
        in_crowded = np.zeros(n, dtype=bool)
        in_crowded[crowded] = True
        walk = np.flatnonzero(in_crowded[label[u]])
        walk = walk[np.lexsort((ej[walk], eb[walk], ei[walk], ea[walk], -ew[walk]))]
        nodes = np.flatnonzero(in_crowded[label])
        sets = DisjointSets(nodes.tolist())
        find = sets.find
        members = {int(x): 1 << int(owner[x]) for x in nodes.tolist()}
        for x, y in zip(u[walk].tolist(), v[walk].tolist()):
            rx, ry = find(x), find(y)
            if rx == ry or members[rx] & members[ry]:
                continue
            if ry < rx:
                rx, ry = ry, rx
            sets.union(rx, ry)
            members[rx] |= members[ry]
        label[nodes] = [find(x) for x in nodes.tolist()]
    # Units numbered in the order of their smallest item (nodes are numbered by annotator, then item).
    # (np.unique(label, return_index=True, return_inverse=True) by a presence table, 4x faster)
    present = np.zeros(n, dtype=bool)
    present[label] = True
    inverse = (np.cumsum(present) - 1)[label]  # a node's group among the distinct labels, in label order
    first = np.full(int(present.sum()), n, dtype=np.int64)  # each group's first node
    np.minimum.at(first, inverse, np.arange(n, dtype=np.int64))
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first), dtype=np.int64)
    units = np.full((len(first), k), -1, dtype=np.int64)
    units[rank[inverse], owner] = np.arange(n, dtype=np.int64) - offset[owner]
    return units


def _components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The connected components of ``n`` nodes joined by the edges ``u``-``v``: per node the smallest node
    of its component (labels spread along the edges, then pointers jumped, until nothing changes)."""
    label = np.arange(n, dtype=np.int64)
    if not len(u):
        return label
    while True:
        low = np.minimum(label[u], label[v])
        before = label.copy()
        np.minimum.at(label, u, low)
        np.minimum.at(label, v, low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            return label


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
    conf = None
    if k == 2:
        a_rows, b_rows = ratings
        index: dict[Any, int] = {lab: i for i, lab in enumerate(labels)}
        conf = np.zeros((len(labels), len(labels)), dtype=np.int64)
        for x, y in zip(a_rows, b_rows):
            if x is not None and y is not None:
                conf[index[x]][index[y]] += 1
    return _agreement(attribute, labels, k, counts, conf)


def unit_agreement_of(attribute: str, units: np.ndarray, values: Sequence[Sequence[Hashable]],
                      labels: Sequence[str]) -> UnitAgreement:
    """``unit_agreement(attribute, unit_ratings(units, values), labels)`` computed from the units' item indices
    with numpy (no unit-by-coder table of Python values): ``values[a]`` are annotator ``a``'s items' values."""
    k = units.shape[1]
    index: dict[Any, int] = {lab: i for i, lab in enumerate(labels)}
    q = len(labels)
    counts = np.zeros((units.shape[0], q), dtype=np.int64)
    coded = np.full(units.shape, -1, dtype=np.int64)
    for a in range(k):
        try:
            code = np.fromiter(map(index.__getitem__, values[a]), dtype=np.int64, count=len(values[a]))
        except KeyError as exc:
            raise ValueError(f"rating {exc.args[0]!r} is not one of the categories {list(labels)!r}") from None
        rows = np.flatnonzero(units[:, a] >= 0)
        coded[rows, a] = code[units[rows, a]]
        np.add.at(counts, (rows, coded[rows, a]), 1)
    conf = None
    if k == 2:
        both = (coded >= 0).all(axis=1)
        conf = np.bincount(coded[both, 0] * q + coded[both, 1], minlength=q * q).reshape(q, q).astype(np.int64)
    return _agreement(attribute, labels, k, counts, conf)


def _agreement(attribute: str, labels: Sequence[str], k: int, counts: np.ndarray,
               conf: np.ndarray | None) -> UnitAgreement:
    m = counts.sum(axis=1)
    complete = m == k
    cohen = fleiss = None
    if conf is not None:
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
