"""Multi-annotator units: quotes (and claims) matched across annotators are one unit each, and the
attribute statistics (stance, speaker, kind, checkworthiness) are computed over those units.

Checked by hand on a small case, against the ``krippendorff`` package and statsmodels' Fleiss'
kappa on random cases of 3-5 annotators, and against Gwet's (2014, ch. 4) multi-rater AC1 formula.
"""

from __future__ import annotations

import random
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from annotator.agreement import compute_agreement
from annotator.agreement.units import group_units, unit_agreement, unit_agreement_of, unit_ratings
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention, Stance

STANCES = ("favor", "against", "neutral", "none")
KINDS = ("direct", "indirect", "mixed")
SLOT = 20  #: each slot is 20 characters; quotes of one slot overlap, quotes of two slots never do
TEXT = " ".join(["talks"] * 400)


def slot_quote(slot: int, stance: str, jitter: tuple[int, int] = (0, 0), kind: str = "direct", speaker: str | None = "A") -> Quote:
    s, e = slot * SLOT + jitter[0], slot * SLOT + 15 - jitter[1]
    return Quote(
        f"q{slot}", s, e, TEXT[s:e], kind, None,
        SpeakerMention(0, 5, TEXT[0:5], speaker) if speaker else None,
        None if stance == "none" else Stance("NATO", stance),
    )  # fmt: skip


def slot_versions(table: dict[str, dict[str, dict[int, tuple]]]) -> dict[str, dict[str, Annotation]]:
    """annotator -> doc -> slot -> (stance, jitter, kind, speaker): one quote per entry."""
    return {
        name: {
            doc: Annotation(doc, TEXT, name, quotes=tuple(slot_quote(slot, *v) for slot, v in sorted(slots.items())))
            for doc, slots in docs.items()
        }
        for name, docs in table.items()
    }


def reference_rows(table, names, docs, attribute, slots: int):
    """Coder x unit reliability data, one unit per (document, slot) somebody marked."""
    rows: list[list] = [[] for _ in names]
    for doc in docs:
        for slot in range(slots):
            values = [table[n].get(doc, {}).get(slot) for n in names]
            if all(v is None for v in values):
                continue
            done = [doc in table[n] for n in names]
            if sum(done) < 2:
                continue
            for i, v in enumerate(values):
                rows[i].append(None if v is None else (attribute(v) if callable(attribute) else v[attribute]))
    return rows


def ref_alpha(rows, labels):
    code = {lab: i for i, lab in enumerate(labels)}
    arr = np.array([[np.nan if v is None else code[v] for v in r] for r in rows], dtype=float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal", value_domain=list(range(len(labels))))
    except (ValueError, ZeroDivisionError):
        return None
    return value if np.isfinite(value) else None


def ref_fleiss(rows, labels):
    complete = [u for u in range(len(rows[0])) if all(r[u] is not None for r in rows)]
    if not complete:
        return None, 0
    code = {lab: i for i, lab in enumerate(labels)}
    table, _ = aggregate_raters(np.array([[code[r[u]] for r in rows] for u in complete]), n_cat=len(labels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = sm_fleiss_kappa(table)
    return (value if np.isfinite(value) else None), len(complete)


def ref_ac1(rows, labels):
    """Gwet (2014), ch. 4: pa over units with >= 2 ratings, pi_k over units with >= 1, q = |labels|."""
    units = list(zip(*rows))
    rated = [[v for v in u if v is not None] for u in units]
    two = [r for r in rated if len(r) >= 2]
    one = [r for r in rated if len(r) >= 1]
    if not two or len(labels) < 2:
        return None
    pa = sum(sum(r.count(k) * (r.count(k) - 1) for k in labels) / (len(r) * (len(r) - 1)) for r in two) / len(two)
    pi = {k: sum(r.count(k) / len(r) for r in one) / len(one) for k in labels}
    pe = sum(p * (1 - p) for p in pi.values()) / (len(labels) - 1)
    return 1.0 if pa == 1.0 else (pa - pe) / (1 - pe)


def close(ours, ref):
    if ref is None:
        return ours is None
    return ours is not None and ours == pytest.approx(ref, abs=1e-9)


# ------------------------------------------------------------------ the reported bug


def test_three_annotators_stance_alpha_is_over_units_not_pooled_pairs():
    """Issue 19: with three annotators, pooling matched pairs as two-coder units gave alpha the
    wrong pairable-value count (0.5058 where the krippendorff package gives 0.5128 on one such
    case). Each quote matched across annotators is one unit with up to three values."""
    rng = random.Random(19)
    names = ["ann", "bob", "cy"]
    table: dict = {n: {} for n in names}
    for d in range(12):
        doc = f"d{d:02d}"
        for slot in range(4):
            truth = rng.choice(STANCES)
            for n in names:
                if rng.random() < 0.2:
                    continue  # this annotator missed the quote: a missing value in that unit
                label = truth if rng.random() < 0.7 else rng.choice(STANCES)
                table[n].setdefault(doc, {})[slot] = (label, (rng.randint(0, 3), rng.randint(0, 3)))
    report = compute_agreement(slot_versions(table), annotators=names)
    rows = reference_rows(table, names, sorted(table["ann"]), 0, 4)
    stance = report.stance.overall
    assert stance.alpha == pytest.approx(ref_alpha(rows, STANCES), abs=1e-12)
    assert stance.matched_quotes == sum(1 for u in zip(*rows) if sum(v is not None for v in u) >= 2)
    fleiss, complete = ref_fleiss(rows, STANCES)
    assert stance.complete == complete and stance.fleiss_kappa == pytest.approx(fleiss, abs=1e-12)


def test_small_case_by_hand():
    """Three units: (favor, favor, favor), (favor, against, -), (against, against, none).

    Pairable values n = 8 (favor 4, against 3, none 1); coincidence diagonal 3 + 0 + 1 = 4, so
    alpha = 1 - (n-1)(n - 4) / (n^2 - (16 + 9 + 1)) = 1 - 28/38 = 10/38. Percent agreement: mean of
    1, 0 and 1/3 = 4/9. Fleiss on the two complete units: P = 2/3, Pe = 7/18, kappa = 5/11.
    AC1 (q = 4): pi = (1/2, 7/18, 0, 1/9), pe = 190/972, AC1 = (4/9 - pe) / (1 - pe) = 242/782.
    """
    table = {
        "a": {"d": {0: ("favor",), 1: ("favor",), 2: ("against",)}},
        "b": {"d": {0: ("favor",), 1: ("against",), 2: ("against",)}},
        "c": {"d": {0: ("favor",), 2: ("none",)}},
    }
    report = compute_agreement(slot_versions(table), layers=["stance"])
    o = report.stance.overall
    assert o.matched_quotes == 3 and o.complete == 2
    assert o.alpha == pytest.approx(10 / 38, abs=1e-12)
    assert o.percent_agreement == pytest.approx(4 / 9, abs=1e-12)
    assert o.fleiss_kappa == pytest.approx(5 / 11, abs=1e-12)
    assert o.ac1 == pytest.approx(242 / 782, abs=1e-12)
    labels = report.stance.labels
    coincidence = np.array(o.coincidence)
    assert coincidence.sum() == pytest.approx(8)
    assert coincidence[labels.index("favor"), labels.index("favor")] == pytest.approx(3)
    assert coincidence[labels.index("favor"), labels.index("against")] == pytest.approx(1)
    # The pairs keep their own two-coder statistics.
    ab = report.stance.pairs[0]
    assert ab.annotators == ("a", "b") and ab.matched_quotes == 3


# ------------------------------------------------------------------ random cases, 3-5 annotators


@st.composite
def slot_tables(draw):
    k = draw(st.integers(3, 5))
    names = [f"a{i}" for i in range(k)]
    n_docs = draw(st.integers(1, 4))
    slots = draw(st.integers(1, 5))
    table: dict = {n: {} for n in names}
    for d in range(n_docs):
        for n in names:
            if draw(st.booleans()) and draw(st.booleans()):
                continue  # did not do this document
            table[n][f"d{d}"] = {}
            for s in range(slots):
                if draw(st.integers(0, 3)) == 0:
                    continue
                table[n][f"d{d}"][s] = (
                    draw(st.sampled_from(STANCES)),
                    (draw(st.integers(0, 4)), draw(st.integers(0, 4))),
                    draw(st.sampled_from(KINDS)),
                    draw(st.sampled_from([None, "Lavrov", "Blinken"])),
                )
    return names, table, slots


@settings(max_examples=60, deadline=None)
@given(slot_tables())
def test_unit_statistics_match_reference_libraries(case):
    names, table, slots = case
    if sum(1 for n in names if table[n]) < 2:
        return
    versions = slot_versions(table)
    done_by_two = [d for d in sorted({d for n in names for d in table[n]}) if sum(d in table[n] for n in names) >= 2]
    if not done_by_two:
        return
    report = compute_agreement(versions, layers=["quotes", "speakers", "stance"], annotators=[n for n in names if table[n]])
    names = list(report.annotators)
    units = {u.attribute: u for u in report.units}
    speaker = lambda v: (v[3] or "").casefold()  # noqa: E731 -- no speaker is a value of its own
    for attribute, value, labels in (("stance", 0, STANCES), ("kind", 2, KINDS), ("speaker", speaker, None)):
        rows = reference_rows(table, names, done_by_two, value, slots)
        if labels is None:
            labels = tuple(sorted({v for r in rows for v in r if v is not None}))
        u = units[attribute]
        assert u.units == len(rows[0])
        assert close(u.alpha, ref_alpha(rows, labels)), attribute
        fleiss, complete = ref_fleiss(rows, labels)
        assert u.complete == complete
        assert close(u.fleiss_kappa, fleiss if len(names) >= 3 else None), attribute
        assert close(u.ac1, ref_ac1(rows, labels)), attribute
    assert report.stance.overall.alpha == units["stance"].alpha


# ------------------------------------------------------------------ grouping


def test_groups_never_hold_two_items_of_one_annotator():
    # a0~b0 and b0~c0 and a1~c0: joining all would put a0 and a1 in one unit.
    matches = {
        (0, 1): (np.array([0]), np.array([0]), np.array([10])),
        (1, 2): (np.array([0]), np.array([0]), np.array([8])),
        (0, 2): (np.array([1]), np.array([0]), np.array([9])),
    }
    units = group_units([2, 1, 1], matches)
    assert sorted(map(tuple, units.tolist())) == [(0, 0, -1), (1, -1, 0)]  # heaviest edges first
    for row in units.tolist():
        assert sum(i >= 0 for i in row) >= 1


def walked_units(sizes, matches):
    """The grouping as first written (every edge walked, heaviest first): the reference of the vectorised one."""
    from annotator.unionfind import DisjointSets

    k = len(sizes)
    offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(offset[-1])
    sets = DisjointSets(range(n))
    members = [1 << int(np.searchsorted(offset, i, side="right") - 1) for i in range(n)]
    edges = sorted((-int(s), a, i, b, j) for (a, b), (ia, ib, sh) in matches.items()
                   for i, j, s in zip(ia.tolist(), ib.tolist(), sh.tolist()))
    for _, a, i, b, j in edges:
        ra, rb = sets.find(int(offset[a]) + i), sets.find(int(offset[b]) + j)
        if ra == rb or members[ra] & members[rb]:
            continue
        if rb < ra:
            ra, rb = rb, ra
        sets.union(ra, rb)
        members[ra] |= members[rb]
    index, units = {}, []
    for a in range(k):
        for i in range(int(sizes[a])):
            u = index.setdefault(sets.find(int(offset[a]) + i), len(units))
            if u == len(units):
                units.append([-1] * k)
            units[u][a] = i
    return np.array(units, dtype=np.int64).reshape(len(units), k)


def test_vectorised_grouping_equals_the_walk_over_every_edge():
    """Random one-to-one pairwise matchings of 2-5 annotators (ties in weight, chains that would join two items
    of one annotator, annotators without items): the same units in the same order."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        k = int(rng.integers(2, 6))
        sizes = [int(rng.integers(0, 9)) for _ in range(k)]
        matches = {}
        for a in range(k):
            for b in range(a + 1, k):
                m = int(rng.integers(0, min(sizes[a], sizes[b]) + 1))
                ia = rng.permutation(sizes[a])[:m].astype(np.int64)
                ib = rng.permutation(sizes[b])[:m].astype(np.int64)
                matches[(a, b)] = (ia, ib, rng.integers(1, 4, size=m).astype(np.int64))
        expected = walked_units(sizes, matches)
        assert group_units(sizes, matches).tolist() == expected.tolist(), (sizes, matches)
        assert group_units(sizes, matches).shape == expected.shape


def test_agreement_from_unit_indices_equals_the_one_from_the_table_of_values():
    rng = np.random.default_rng(5)
    labels = ("favor", "against", "neutral", "none")
    for _ in range(100):
        k = int(rng.integers(2, 5))
        sizes = [int(rng.integers(0, 7)) for _ in range(k)]
        matches = {(a, b): (ia := rng.permutation(sizes[a])[:min(sizes[a], sizes[b]) // 2].astype(np.int64),
                            rng.permutation(sizes[b])[:len(ia)].astype(np.int64), np.ones(len(ia), dtype=np.int64))
                   for a in range(k) for b in range(a + 1, k)}
        units = group_units(sizes, matches)
        values = [[labels[int(x)] for x in rng.integers(0, 3, size=n)] for n in sizes]
        table = unit_agreement("stance", unit_ratings(units, values), labels)
        assert unit_agreement_of("stance", units, values, labels) == table


def test_two_annotators_units_are_the_pairwise_matching():
    matches = {(0, 1): (np.array([0, 2]), np.array([1, 0]), np.array([5, 5]))}
    units = group_units([3, 2], matches)
    assert sorted(map(tuple, units.tolist())) == [(0, 1), (1, -1), (2, 0)]


def test_claims_checkworthiness_over_units_and_json():
    claim = lambda s, cw: Claim(f"c{s}", s, s + 10, TEXT[s:s + 10], checkworthy=cw)  # noqa: E731
    versions = {
        n: {"d": Annotation("d", TEXT, n, claims=(claim(0, True), claim(40, cw)))}
        for n, cw in (("a", True), ("b", False), ("c", True))
    }
    report = compute_agreement(versions, layers=["claims"])
    (u,) = report.units
    assert u.attribute == "checkworthy" and u.units == 2 and u.complete == 2
    rows = [["checkworthy", x] for x in ("checkworthy", "not_checkworthy", "checkworthy")]
    assert u.alpha == pytest.approx(ref_alpha(rows, ("checkworthy", "not_checkworthy")), abs=1e-12)
    data = report.to_dict()
    assert set(data["units"]) == {"checkworthy"} and data["units"]["checkworthy"]["complete"] == 2
