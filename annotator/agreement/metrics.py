"""Agreement statistics as pure functions on ratings, count tables and spans (numpy only).

Conventions shared by every function here:

* **Ratings** are a 2-D sequence with one row per coder (annotator) and one column per unit
  (item, token), the layout of Krippendorff's reliability data and of the ``krippendorff``
  package. A missing rating is ``None`` or ``NaN``. Values may be any hashable labels.
* **Count tables** have one row per unit and one column per category: ``counts[u, c]`` is the
  number of coders who put unit ``u`` in category ``c`` (the ``table`` of statsmodels' Fleiss
  kappa). The ``*_from_counts`` functions take optional ``weights``: row ``u`` then stands for
  ``weights[u]`` identical units, which lets callers collapse a million token units into the
  handful of distinct count rows they contain.
* A statistic that is **undefined** (no pairable units, chance agreement equal to 1, a single
  category) is returned as ``None``, never ``NaN``. Results are plain Python floats.

Formulas and references:

* Krippendorff's alpha, nominal, via the coincidence matrix: K. Krippendorff (2011),
  "Computing Krippendorff's Alpha-Reliability". Units with fewer than two ratings are not pairable
  and drop out.
* Cohen's kappa: J. Cohen (1960). Fleiss' kappa: J. L. Fleiss (1971), the same number of ratings
  for every subject.
* Gwet's AC1 with missing ratings: K. L. Gwet (2008) "Computing inter-rater reliability and its
  variance in the presence of high agreement", and Gwet (2014) *Handbook of Inter-Rater
  Reliability*, 4th ed., ch. 4 (multiple raters, missing ratings): ``pa`` averages over units with
  at least two ratings, the classification probabilities ``pi_k`` over units with at least one.
  ``q`` is the number of categories of the scale (pass ``categories`` when some are unused).
* Percent agreement: the share of agreeing rater pairs per unit, averaged over units with at least
  two ratings (Gwet's ``pa``); for two coders this is the share of units rated the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Hashable, Iterable, Literal, Sequence

import numpy as np

from annotator.word_bounds import WHITESPACE_CODEPOINTS, token_bounds

__all__ = [
    "SpanF1",
    "cohen_kappa",
    "cohen_kappa_from_confusion",
    "confusion_matrix",
    "covered_tokens",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "gwet_ac1",
    "gwet_ac1_from_counts",
    "krippendorff_alpha_from_counts",
    "krippendorff_alpha_nominal",
    "match_arrays",
    "match_spans",
    "percent_agreement",
    "percent_agreement_from_counts",
    "ratings_to_counts",
    "span_f1",
    "span_f1_from_counts",
    "token_bounds",
    "token_labels",
    "token_offsets",
    "WHITESPACE_CODEPOINTS",
]


# --------------------------------------------------------------------------- ratings -> counts


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN (float, numpy float) is the only value unequal to itself
    except (TypeError, ValueError):
        return False


def _sort_key(value: Any) -> tuple[str, Any]:
    """Orders mixed labels deterministically (numbers numerically, then everything else by repr)."""
    if isinstance(value, (bool, np.bool_)):
        return ("0", int(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return ("0", float(value))
    if isinstance(value, str):
        return ("1", value)
    return ("2", repr(value))


def _as_rows(ratings: Any) -> list[list[Any]]:
    if isinstance(ratings, np.ndarray):
        if ratings.ndim != 2:
            raise ValueError("ratings must be 2-D: one row per coder, one column per unit")
        return ratings.tolist()
    rows = [list(r) for r in ratings]
    if rows and len({len(r) for r in rows}) != 1:
        raise ValueError("every coder's row of ratings must have the same length (one value per unit)")
    return rows


def ratings_to_counts(
    ratings: Any, categories: Sequence[Hashable] | None = None
) -> tuple[np.ndarray, list[Hashable]]:
    """Count table (units x categories) and its category list from coder-by-unit ratings.

    ``categories`` fixes the columns (and so the number of categories ``q``); ratings outside it
    raise ``ValueError``. By default the categories are the observed values, sorted.
    """
    rows = _as_rows(ratings)
    n_units = len(rows[0]) if rows else 0
    if categories is None:
        seen = {v for r in rows for v in r if not _is_missing(v)}
        cats: list[Hashable] = sorted(seen, key=_sort_key)
    else:
        cats = list(categories)
    index = {c: i for i, c in enumerate(cats)}
    if len(index) != len(cats):
        raise ValueError("categories must be distinct")
    counts = np.zeros((n_units, len(cats)), dtype=np.int64)
    for r in rows:
        for u, v in enumerate(r):
            if _is_missing(v):
                continue
            try:
                counts[u, index[v]] += 1
            except KeyError:
                raise ValueError(f"rating {v!r} is not one of the categories {cats!r}") from None
    return counts, cats


def _prepare(counts: Any, weights: Any) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError("a count table must be 2-D: one row per unit, one column per category")
    if np.any(c < 0):
        raise ValueError("counts must not be negative")
    w = np.ones(c.shape[0], dtype=np.float64) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (c.shape[0],):
        raise ValueError("weights need one value per row of the count table")
    return c, w


def _clean(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


# --------------------------------------------------------------------------- Krippendorff


def krippendorff_alpha_from_counts(counts: Any, weights: Any = None) -> float | None:
    """Nominal alpha from a units x categories count table (units with < 2 ratings drop out)."""
    c, w = _prepare(counts, weights)
    m = c.sum(axis=1)
    keep = (m >= 2) & (w > 0)
    c, w, m = c[keep], w[keep], m[keep]
    n_c = (c * w[:, None]).sum(axis=0)  # pairable values per category
    n = float(n_c.sum())
    if n == 0:
        return None
    # Sum of the diagonal of the coincidence matrix: sum_u sum_c n_uc (n_uc - 1) / (m_u - 1).
    o_diag = float((w * (c * (c - 1)).sum(axis=1) / (m - 1)).sum())
    expected = n * n - float((n_c * n_c).sum())  # n^2 - sum n_c^2 = sum_{c != k} n_c n_k
    if expected <= 0 or np.count_nonzero(n_c) < 2:
        return None  # a single value occurs: no variation, alpha undefined
    if o_diag == n:
        return 1.0
    return _clean(1.0 - (n - 1.0) * (n - o_diag) / expected)


def krippendorff_alpha_nominal(reliability_data: Any) -> float | None:
    """Krippendorff's alpha for nominal data; rows are coders, columns units, None/NaN missing.

    Returns ``None`` when alpha is undefined: no unit has two ratings, or only one value occurs.
    """
    counts, _ = ratings_to_counts(reliability_data)
    return krippendorff_alpha_from_counts(counts)


# --------------------------------------------------------------------------- Cohen


def confusion_matrix(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> tuple[np.ndarray, list[Hashable]]:
    """Rows: ``a``'s label, columns: ``b``'s. Pairs where either rating is missing are dropped."""
    if len(a) != len(b):
        raise ValueError("both coders need one rating per unit (sequences of equal length)")
    pairs = [(x, y) for x, y in zip(a, b) if not _is_missing(x) and not _is_missing(y)]
    if labels is None:
        labs: list[Hashable] = sorted({v for p in pairs for v in p}, key=_sort_key)
    else:
        labs = list(labels)
    index = {v: i for i, v in enumerate(labs)}
    conf = np.zeros((len(labs), len(labs)), dtype=np.int64)
    for x, y in pairs:
        try:
            conf[index[x], index[y]] += 1
        except KeyError as exc:
            raise ValueError(f"rating {exc.args[0]!r} is not one of the labels {labs!r}") from None
    return conf, labs


def cohen_kappa_from_confusion(confusion: Any) -> float | None:
    """Cohen's kappa from a square confusion matrix (rows coder A, columns coder B)."""
    conf = np.asarray(confusion, dtype=np.float64)
    if conf.ndim != 2 or conf.shape[0] != conf.shape[1]:
        raise ValueError("a confusion matrix must be square")
    n = float(conf.sum())
    if n == 0:
        return None
    rows, cols = conf.sum(axis=1), conf.sum(axis=0)
    if np.any((rows == n) & (cols == n)):
        return None  # both coders used one and the same category: chance agreement is 1
    p_o = float(np.trace(conf)) / n
    p_e = float((rows * cols).sum()) / (n * n)
    if p_o == 1.0:
        return 1.0
    return _clean((p_o - p_e) / (1.0 - p_e))


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two coders' ratings of the same units (pairs with a missing rating dropped)."""
    conf, _ = confusion_matrix(a, b)
    return cohen_kappa_from_confusion(conf)


# --------------------------------------------------------------------------- Fleiss


def fleiss_kappa_from_counts(table: Any, weights: Any = None) -> float | None:
    """Fleiss' kappa from a subjects x categories count table (same number of ratings per row)."""
    t, w = _prepare(table, weights)
    keep = w > 0
    t, w = t[keep], w[keep]
    if t.shape[0] == 0:
        return None
    r = t.sum(axis=1)
    if np.any(r != r[0]):
        raise ValueError("Fleiss' kappa needs the same number of ratings for every subject")
    n_raters = float(r[0])
    if n_raters < 2:
        raise ValueError("Fleiss' kappa needs at least two ratings per subject")
    n_subjects = float(w.sum())
    totals = (t * w[:, None]).sum(axis=0)
    if np.count_nonzero(totals) < 2:
        return None  # every rating in one category: chance agreement is 1
    p_j = totals / (n_subjects * n_raters)
    p_i = ((t * t).sum(axis=1) - n_raters) / (n_raters * (n_raters - 1.0))
    p_bar = float((w * p_i).sum() / n_subjects)
    p_e = float((p_j * p_j).sum())
    if p_bar == 1.0:
        return 1.0
    return _clean((p_bar - p_e) / (1.0 - p_e))


def fleiss_kappa(table: Any = None, *, ratings: Any = None) -> float | None:
    """Fleiss' kappa from a subjects x categories count ``table``, or from coder-by-unit ``ratings``.

    Every subject needs the same number (at least two) of ratings. With ``ratings``, units that
    any coder left missing are dropped (complete cases). ``None`` when every rating is in one
    category (chance agreement 1) or there is no subject.
    """
    if (table is None) == (ratings is None):
        raise TypeError("pass either a count table or ratings=")
    if ratings is not None:
        rows = _as_rows(ratings)
        counts, _ = ratings_to_counts(rows)
        complete = [u for u in range(counts.shape[0]) if all(not _is_missing(r[u]) for r in rows)]
        table = counts[complete]
    return fleiss_kappa_from_counts(table)


# --------------------------------------------------------------------------- Gwet, percent


def percent_agreement_from_counts(counts: Any, weights: Any = None) -> float | None:
    """Share of agreeing pairs of ratings per unit, averaged over units with at least two ratings."""
    c, w = _prepare(counts, weights)
    r = c.sum(axis=1)
    keep = (r >= 2) & (w > 0)
    if not np.any(keep):
        return None
    c, w, r = c[keep], w[keep], r[keep]
    per_unit = (c * (c - 1)).sum(axis=1) / (r * (r - 1))
    return _clean(float((w * per_unit).sum() / w.sum()))


def gwet_ac1_from_counts(counts: Any, weights: Any = None) -> float | None:
    """Gwet's AC1 from a units x categories table; ``q`` is the number of columns."""
    c, w = _prepare(counts, weights)
    q = c.shape[1]
    if q < 2:
        return None
    r = c.sum(axis=1)
    rated = (r >= 1) & (w > 0)
    pa = percent_agreement_from_counts(c, w)
    if pa is None:
        return None
    cr, wr, rr = c[rated], w[rated], r[rated]
    pi = (wr[:, None] * cr / rr[:, None]).sum(axis=0) / wr.sum()
    pe = float((pi * (1.0 - pi)).sum()) / (q - 1)
    if pa == 1.0:
        return 1.0
    return _clean((pa - pe) / (1.0 - pe))


def gwet_ac1(ratings: Any, categories: Sequence[Hashable] | None = None) -> float | None:
    """Gwet's AC1 for two or more coders, missing ratings allowed (Gwet 2014, ch. 4).

    ``categories`` is the full scale; by default the observed values (then ``q`` may be smaller
    than the scale's and AC1 differs, as in irrCAC). ``None`` when fewer than two categories or no
    unit has two ratings.
    """
    counts, _ = ratings_to_counts(ratings, categories)
    return gwet_ac1_from_counts(counts)


def percent_agreement(ratings: Any) -> float | None:
    """Observed agreement of two or more coders (rows), missing ratings allowed."""
    counts, _ = ratings_to_counts(ratings)
    return percent_agreement_from_counts(counts)


# --------------------------------------------------------------------------- spans


@dataclass(frozen=True, slots=True)
class SpanF1:
    """Span agreement of annotator A (reference) and B: matched spans and the F1 of the match.

    ``fn`` are A's unmatched spans, ``fp`` B's; recall is ``tp / |A|``, precision ``tp / |B|``;
    swapping A and B swaps precision and recall and leaves F1 unchanged. F1 is ``None`` when
    neither has a span (nothing to agree or disagree on).
    """

    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def span_f1_from_counts(tp: int, n_a: int, n_b: int) -> SpanF1:
    """Scores from the number of matches and of each annotator's spans."""
    tp, n_a, n_b = int(tp), int(n_a), int(n_b)
    return SpanF1(
        tp=tp,
        fp=n_b - tp,
        fn=n_a - tp,
        precision=tp / n_b if n_b else None,
        recall=tp / n_a if n_a else None,
        f1=2.0 * tp / (n_a + n_b) if n_a + n_b else None,
    )


SpanLike = Any  # an object with .start and .end, or a (start, end[, ...]) tuple
MatchMode = Literal["exact", "overlap"]

#: Above this many candidate pairs in one cluster of overlapping spans, the overlap-maximising
#: dynamic programme gives way to a linear greedy matching (same number of matches).
_DP_LIMIT = 250_000


def _bounds(span: SpanLike) -> tuple[int, int]:
    if hasattr(span, "start") and hasattr(span, "end"):
        return int(span.start), int(span.end)
    return int(span[0]), int(span[1])


def _unique_sorted(spans: Iterable[SpanLike]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Distinct (start, end) pairs sorted, and for each the index of its first occurrence."""
    first: dict[tuple[int, int], int] = {}
    for i, s in enumerate(spans):
        first.setdefault(_bounds(s), i)
    keys = sorted(first)
    starts = np.fromiter((k[0] for k in keys), dtype=np.int64, count=len(keys))
    ends = np.fromiter((k[1] for k in keys), dtype=np.int64, count=len(keys))
    return starts, ends, [first[k] for k in keys]


def _overlap_len(s1: int, e1: int, s2: int, e2: int) -> int:
    return min(e1, e2) - max(s1, s2)


def _is_edge(s1: int, e1: int, s2: int, e2: int, min_overlap: float) -> bool:
    shared = min(e1, e2) - max(s1, s2)
    if shared <= 0:
        return False
    if min_overlap > 0.0:
        return shared / (max(e1, e2) - min(s1, s2)) >= min_overlap  # Jaccard, as nlp.evaluate.char_jaccard
    return True


def _disjoint(starts: list[int], ends: list[int]) -> bool:
    return all(starts[i + 1] >= ends[i] for i in range(len(starts) - 1))


def _match_dp(a: list[tuple[int, int]], b: list[tuple[int, int]], min_overlap: float) -> list[tuple[int, int]]:
    """Best non-crossing matching: most pairs, then most shared characters (sides are disjoint)."""
    na, nb = len(a), len(b)
    # best[i][j]: (pairs, shared chars) for a[i:], b[j:]; choice 0 match, 1 skip a, 2 skip b.
    best = [[(0, 0)] * (nb + 1) for _ in range(na + 1)]
    move = [[1] * (nb + 1) for _ in range(na + 1)]
    for i in range(na - 1, -1, -1):
        sa, ea = a[i]
        row, nxt = best[i], best[i + 1]
        mrow = move[i]
        for j in range(nb - 1, -1, -1):
            cand = nxt[j]
            choice = 1
            skip_b = row[j + 1]
            if skip_b > cand:
                cand, choice = skip_b, 2
            sb, eb = b[j]
            if _is_edge(sa, ea, sb, eb, min_overlap):
                p, o = nxt[j + 1]
                m = (p + 1, o + _overlap_len(sa, ea, sb, eb))
                if m >= cand:
                    cand, choice = m, 0
            row[j] = cand
            mrow[j] = choice
    pairs = []
    i = j = 0
    while i < na and j < nb:
        c = move[i][j]
        if c == 0:
            pairs.append((i, j))
            i += 1
            j += 1
        elif c == 1:
            i += 1
        else:
            j += 1
    return pairs


def _match_greedy(a: list[tuple[int, int]], b: list[tuple[int, int]], min_overlap: float) -> list[tuple[int, int]]:
    """Maximum-cardinality matching by breadth-first augmenting paths; any bipartite graph."""
    adj = [[j for j, (sb, eb) in enumerate(b) if _is_edge(sa, ea, sb, eb, min_overlap)] for sa, ea in a]
    match_a = [-1] * len(a)
    match_b = [-1] * len(b)
    for root in range(len(a)):
        parent: dict[int, int] = {}
        queue = [root]
        found = -1
        head = 0
        while head < len(queue) and found < 0:
            u = queue[head]
            head += 1
            for j in adj[u]:
                if j in parent:
                    continue
                parent[j] = u
                if match_b[j] == -1:
                    found = j
                    break
                queue.append(match_b[j])
        j = found
        while j >= 0:
            u = parent[j]
            previous = match_a[u]
            match_a[u], match_b[j] = j, u
            j = previous
    return [(i, j) for i, j in enumerate(match_a) if j != -1]


def _match_cluster(a: list[tuple[int, int]], b: list[tuple[int, int]], min_overlap: float) -> list[tuple[int, int]]:
    # Solve in a canonical orientation so that matching (a, b) and (b, a) give mirrored pairs.
    if b < a:
        return [(i, j) for j, i in _match_cluster(b, a, min_overlap)]
    disjoint = _disjoint([s for s, _ in a], [e for _, e in a]) and _disjoint([s for s, _ in b], [e for _, e in b])
    if disjoint and len(a) * len(b) <= _DP_LIMIT:
        return _match_dp(a, b, min_overlap)
    return _match_greedy(a, b, min_overlap)


def match_arrays(
    sa: np.ndarray, ea: np.ndarray, sb: np.ndarray, eb: np.ndarray, mode: MatchMode, min_overlap: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one matching of two sets of distinct spans sorted by (start, end).

    Returns index arrays ``(ia, ib)`` of the matched pairs. Exact mode pairs identical spans.
    Overlap mode links spans sharing at least one character (and, with ``min_overlap`` > 0, at
    least that share of the characters of their union) and takes a maximum matching; within a
    cluster of mutually overlapping spans it prefers, among maximum matchings, the one with the
    most shared characters. The result does not depend on the order of the arguments.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"mode must be 'exact' or 'overlap', not {mode!r}")
    if not 0.0 <= min_overlap <= 1.0:
        raise ValueError("min_overlap must be between 0 and 1")
    na, nb = len(sa), len(sb)
    empty = np.zeros(0, dtype=np.int64)
    if na == 0 or nb == 0:
        return empty, empty
    if mode == "exact":
        hi = int(max(ea.max(), eb.max(), sa.max(), sb.max())) + 1
        lo = int(min(sa.min(), sb.min(), ea.min(), eb.min()))
        base = hi - lo + 1
        if base * base < 2**62:
            ka = (sa - lo) * base + (ea - lo)
            kb = (sb - lo) * base + (eb - lo)
            _, ia, ib = np.intersect1d(ka, kb, assume_unique=True, return_indices=True)
            return ia.astype(np.int64), ib.astype(np.int64)
        index = {(int(s), int(e)): i for i, (s, e) in enumerate(zip(sa, ea))}
        pairs = [(index[(int(s), int(e))], j) for j, (s, e) in enumerate(zip(sb, eb)) if (int(s), int(e)) in index]
        return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)

    # Clusters: sweep all spans by start; a span starting at or after the furthest end seen so far
    # opens a new cluster. Spans that share a character always end up in the same cluster.
    starts = np.concatenate([sa, sb])
    ends = np.concatenate([ea, eb])
    side = np.concatenate([np.zeros(na, dtype=np.int8), np.ones(nb, dtype=np.int8)])
    idx = np.concatenate([np.arange(na), np.arange(nb)])
    order = np.lexsort((ends, starts))
    starts, ends, side, idx = starts[order], ends[order], side[order], idx[order]
    reach = np.maximum.accumulate(ends)
    new = np.empty(len(starts), dtype=bool)
    new[0] = True
    new[1:] = starts[1:] >= reach[:-1]
    cluster = np.cumsum(new) - 1
    n_clusters = int(cluster[-1]) + 1
    count_a = np.bincount(cluster, weights=(side == 0), minlength=n_clusters).astype(np.int64)
    count_b = np.bincount(cluster, weights=(side == 1), minlength=n_clusters).astype(np.int64)

    # The common case, vectorised: clusters of exactly one span from each side.
    simple = (count_a == 1) & (count_b == 1)
    pos_a = np.flatnonzero(side == 0)
    pos_b = np.flatnonzero(side == 1)
    simple_a = pos_a[simple[cluster[pos_a]]]
    simple_b = pos_b[simple[cluster[pos_b]]]  # same clusters, same order
    i_a, i_b = idx[simple_a], idx[simple_b]
    shared = np.minimum(ea[i_a], eb[i_b]) - np.maximum(sa[i_a], sb[i_b])
    ok = shared > 0
    if min_overlap > 0.0:
        union = np.maximum(ea[i_a], eb[i_b]) - np.minimum(sa[i_a], sb[i_b])
        with np.errstate(divide="ignore", invalid="ignore"):  # no union: no shared character either
            ok &= shared / union >= min_overlap
    out_a, out_b = [i_a[ok]], [i_b[ok]]

    complex_ids = np.flatnonzero((count_a >= 1) & (count_b >= 1) & ~simple)
    if len(complex_ids):
        is_complex = np.zeros(n_clusters, dtype=bool)
        is_complex[complex_ids] = True
        sel = np.flatnonzero(is_complex[cluster])
        bounds = np.flatnonzero(np.diff(cluster[sel])) + 1
        extra_a: list[int] = []
        extra_b: list[int] = []
        for part in np.split(sel, bounds):
            pa = [int(idx[p]) for p in part if side[p] == 0]
            pb = [int(idx[p]) for p in part if side[p] == 1]
            pa.sort()
            pb.sort()
            a_spans = [(int(sa[i]), int(ea[i])) for i in pa]
            b_spans = [(int(sb[i]), int(eb[i])) for i in pb]
            for x, y in _match_cluster(a_spans, b_spans, min_overlap):
                extra_a.append(pa[x])
                extra_b.append(pb[y])
        out_a.append(np.array(extra_a, dtype=np.int64))
        out_b.append(np.array(extra_b, dtype=np.int64))
    ia = np.concatenate(out_a).astype(np.int64)
    ib = np.concatenate(out_b).astype(np.int64)
    order = np.argsort(ia, kind="stable")
    return ia[order], ib[order]


def match_spans(
    spans_a: Sequence[SpanLike], spans_b: Sequence[SpanLike], mode: MatchMode = "overlap", *, min_overlap: float = 0.0
) -> list[tuple[int, int]]:
    """One-to-one matching as ``(index in spans_a, index in spans_b)`` pairs, sorted.

    Duplicate spans on one side count once (the first occurrence can be matched). ``overlap``:
    spans sharing at least one character can match (with ``min_overlap`` > 0: sharing at least
    that fraction of the characters of their union); the matching has as many pairs as possible
    and, among such, the most shared characters. Symmetric: swapping the arguments mirrors it.
    All spans must come from one document.
    """
    sa, ea, fa = _unique_sorted(spans_a)
    sb, eb, fb = _unique_sorted(spans_b)
    ia, ib = match_arrays(sa, ea, sb, eb, mode, min_overlap)
    return sorted((fa[int(i)], fb[int(j)]) for i, j in zip(ia, ib))


def span_f1(
    spans_a: Sequence[SpanLike], spans_b: Sequence[SpanLike], mode: MatchMode = "exact", *, min_overlap: float = 0.0
) -> SpanF1:
    """Pairwise span F1 of two annotators' spans of one layer in one document.

    ``exact``: same start and end. ``overlap``: at least one shared character (or the
    ``min_overlap`` share of the union), one-to-one (see :func:`match_spans`). Duplicates count
    once. ``F1(a, b) == F1(b, a)`` exactly; F1 is ``None`` when both sides are empty.
    """
    sa, ea, _ = _unique_sorted(spans_a)
    sb, eb, _ = _unique_sorted(spans_b)
    ia, _ = match_arrays(sa, ea, sb, eb, mode, min_overlap)
    return span_f1_from_counts(len(ia), len(sa), len(sb))


# --------------------------------------------------------------------------- tokens
# (``token_bounds`` and ``WHITESPACE_CODEPOINTS``: annotator.word_bounds, which documents store at import)


def token_offsets(text: str) -> np.ndarray:
    """Whitespace tokens of ``text`` (the matches of the regex ``\\S+``) as an (n, 2) array of
    half-open ``[start, end)`` character offsets."""
    starts, ends = token_bounds(text)
    return np.stack([starts, ends], axis=1) if len(starts) else np.zeros((0, 2), dtype=np.int64)


def covered_tokens(
    tok_starts: np.ndarray, tok_ends: np.ndarray, span_starts: np.ndarray, span_ends: np.ndarray
) -> np.ndarray:
    """For each token, whether any of its characters lies inside one of the spans."""
    n = len(tok_starts)
    valid = span_ends > span_starts
    s, e = span_starts[valid], span_ends[valid]
    first = np.searchsorted(tok_ends, s, side="right")  # first token ending after the span starts
    stop = np.searchsorted(tok_starts, e, side="left")  # tokens starting before the span ends
    keep = first < stop
    delta = np.bincount(first[keep], minlength=n + 1)[: n + 1] - np.bincount(stop[keep], minlength=n + 1)[: n + 1]
    return np.cumsum(delta[:n]) > 0


def token_labels(
    text: str,
    spans_by_annotator: Sequence[Sequence[SpanLike] | None],
    *,
    label: str = "QUOTE",
    outside: str = "O",
    tokens: Any = None,
) -> list[list[str | None]]:
    """Reliability data (one row per annotator, one column per token) from character spans.

    ``tokens`` are ``(start, end)`` offsets (default: :func:`token_offsets`). A token gets a span's
    label when any of its characters is inside the span, else ``outside``. A span may be an object
    with ``start``/``end`` (labelled ``label``) or a tuple ``(start, end[, label])``; where spans of
    two labels cover one token, the later span in the list wins. ``None`` instead of a list of
    spans means the annotator did not do the document: that row is all missing (``None``).
    """
    if tokens is None:
        tok = token_offsets(text)
    else:
        tok = np.asarray(tokens, dtype=np.int64).reshape(-1, 2)
    order = np.argsort(tok[:, 0], kind="stable")
    if np.any(order != np.arange(len(tok))):
        raise ValueError("tokens must be sorted by start offset")
    ts, te = tok[:, 0], tok[:, 1]
    rows: list[list[str | None]] = []
    for spans in spans_by_annotator:
        if spans is None:
            rows.append([None] * len(tok))
            continue
        row: list[str | None] = [outside] * len(tok)
        for span in spans:
            s, e = _bounds(span)
            lab = label
            if not hasattr(span, "start") and len(span) > 2:
                lab = str(span[2])
            hit = covered_tokens(ts, te, np.array([s], dtype=np.int64), np.array([e], dtype=np.int64))
            for t in np.flatnonzero(hit):
                row[int(t)] = lab
        rows.append(row)
    return rows
