"""Agreement statistics against published worked examples and reference libraries.

Published examples:
* Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 observers x 12 units
  nominal example: alpha = 0.743.
* Fleiss (1971) / Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories,
  kappa = 0.210.
* Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: the datasets shipped as
  ``irrCAC.datasets`` (Python irrCAC 0.4.4, port of Gwet's R package irrCAC). Values are those
  printed by ``irrCAC.raw.CAC(data).gwet()`` / ``.krippendorff()`` (5 decimals), e.g. for
  ``raw_4raters`` (Gwet's version of Krippendorff's example) AC1 = 0.77544, pa = 0.81818,
  pe = 0.19032. irrCAC itself is not a test dependency (it pins old numpy/pandas); its numbers are
  copied here.
"""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from annotator.agreement.metrics import (
    WHITESPACE_CODEPOINTS,
    cohen_kappa,
    cohen_kappa_from_confusion,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac1_from_counts,
    krippendorff_alpha_from_counts,
    krippendorff_alpha_nominal,
    percent_agreement,
    ratings_to_counts,
)

N = None
# Krippendorff (2011), p. 3: observers A-D x units 1-12, "." missing.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# irrCAC.datasets.raw_4raters() (Gwet 2014): the same data, unit 12 rated by rater 3 instead of B.
GWET_RAW_4RATERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, N],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# irrCAC.datasets.raw_5observers() (Gwet 2014)
GWET_RAW_5OBSERVERS = [
    [1, 1, 2, N, 0, 0, 1, 1, 2, 2, N, 0, 1, 3, 1],
    [1, 1, 3, 0, 0, 0, 0, N, 2, 1, 1, 0, 2, 3, 1],
    [2, 0, 3, 0, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1],
    [N, 1, 3, N, N, N, N, 0, N, 1, 0, 0, 2, 2, N],
    [2, N, N, 0, 0, 0, 1, N, 2, N, N, N, N, 3, 1],
]
# irrCAC.datasets.raw_gender()
GWET_RAW_GENDER = [
    list("aaaaabbbcaaaaab"),
    list("aaaababccaaaaba"),
    list("abbcaabbcabbcaa"),
    list("ccccaabbcccccaa"),
]
# irrCAC.datasets.raw_ben_gerry()
GWET_BEN_GERRY = [
    list("aabbdcccedda"),
    ["b", "a", "b", "b", "b", "c", "c", "c", "e", N, "d", "d"],
]
# Fleiss (1971) as on Wikipedia: 10 subjects x 5 categories, 14 raters each.
FLEISS_1971 = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def to_float(rows):
    return np.array([[np.nan if v is None else float(v) for v in r] for r in rows])


# ------------------------------------------------------------------ published examples


def test_krippendorff_2011_example():
    assert round(krippendorff_alpha_nominal(KRIPPENDORFF_2011), 3) == 0.743
    assert krippendorff_alpha_nominal(KRIPPENDORFF_2011) == pytest.approx(0.74342, abs=5e-6)  # irrCAC


def test_krippendorff_example_matches_package_and_nan_input():
    ref = krippendorff.alpha(reliability_data=to_float(KRIPPENDORFF_2011), level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(KRIPPENDORFF_2011) == pytest.approx(ref, abs=1e-12)
    assert krippendorff_alpha_nominal(to_float(KRIPPENDORFF_2011)) == pytest.approx(ref, abs=1e-12)


def test_fleiss_1971_example():
    assert round(fleiss_kappa(FLEISS_1971), 3) == 0.210
    assert fleiss_kappa(FLEISS_1971) == pytest.approx(sm_fleiss_kappa(np.array(FLEISS_1971)), abs=1e-12)


@pytest.mark.parametrize(
    ("data", "ac1", "pa", "alpha"),
    [
        (GWET_RAW_4RATERS, 0.77544, 0.81818, 0.74342),
        (GWET_RAW_5OBSERVERS, 0.49662, 0.61556, 0.48053),
        (GWET_RAW_GENDER, 0.20808, 0.45556, 0.14341),
        (GWET_BEN_GERRY, 0.66144, 0.72727, 0.66489),
    ],
    ids=["raw_4raters", "raw_5observers", "raw_gender", "raw_ben_gerry"],
)
def test_gwet_2014_examples_as_computed_by_irrcac(data, ac1, pa, alpha):
    assert gwet_ac1(data) == pytest.approx(ac1, abs=5e-6)
    assert percent_agreement(data) == pytest.approx(pa, abs=5e-6)
    assert krippendorff_alpha_nominal(data) == pytest.approx(alpha, abs=5e-6)


def test_gwet_raw_4raters_chance_agreement():
    # pe = 0.19032 (irrCAC); recover it from AC1 and pa: pe = (pa - ac1) / (1 - ac1).
    ac1, pa = gwet_ac1(GWET_RAW_4RATERS), percent_agreement(GWET_RAW_4RATERS)
    assert (pa - ac1) / (1 - ac1) == pytest.approx(0.19032, abs=5e-6)


def test_ac1_uses_the_declared_scale():
    # With the full 5-point scale declared, q stays 5 even if a category is unused.
    data = [[1, 2, 2, 3], [1, 2, 3, 3]]
    assert gwet_ac1(data, categories=[1, 2, 3]) == pytest.approx(gwet_ac1(data))
    assert gwet_ac1(data, categories=[1, 2, 3, 4, 5]) != pytest.approx(gwet_ac1(data))
    with pytest.raises(ValueError):
        gwet_ac1(data, categories=[1, 2])


# ------------------------------------------------------------------ undefined values


def test_single_value_everywhere_is_undefined_not_nan():
    data = [["O"] * 5, ["O"] * 5, ["O", N, "O", "O", "O"]]
    assert krippendorff_alpha_nominal(data) is None
    assert cohen_kappa(data[0], data[1]) is None
    assert fleiss_kappa(ratings=data) is None
    assert gwet_ac1(data) is None  # one observed category: q = 1
    assert gwet_ac1(data, categories=["O", "QUOTE"]) == 1.0  # Gwet: paradox-free on the declared scale
    assert percent_agreement(data) == 1.0


def test_no_pairable_unit():
    data = [[1, N, N], [N, 2, N]]
    assert krippendorff_alpha_nominal(data) is None
    assert percent_agreement(data) is None
    assert gwet_ac1(data) is None
    assert cohen_kappa(data[0], data[1]) is None
    assert fleiss_kappa(ratings=data) is None
    assert krippendorff_alpha_nominal([[], []]) is None


def test_perfect_agreement():
    data = [[1, 2, 3, 1], [1, 2, 3, 1], [1, 2, 3, 1]]
    assert krippendorff_alpha_nominal(data) == 1.0
    assert cohen_kappa(data[0], data[1]) == 1.0
    assert fleiss_kappa(ratings=data) == 1.0
    assert gwet_ac1(data) == 1.0
    assert percent_agreement(data) == 1.0


def test_input_errors():
    with pytest.raises(ValueError):
        krippendorff_alpha_nominal([[1, 2], [1]])
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 1], [2, 1]])  # unequal raters per subject
    with pytest.raises(TypeError):
        fleiss_kappa()
    with pytest.raises(ValueError):
        cohen_kappa([1, 2], [1])


def test_whitespace_table_is_str_isspace():
    assert set(WHITESPACE_CODEPOINTS) == {cp for cp in range(0x110000) if chr(cp).isspace()}


# ------------------------------------------------------------------ against reference libraries

ratings_strategy = st.integers(2, 5).flatmap(
    lambda coders: st.integers(1, 25).flatmap(
        lambda units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(ratings_strategy)
def test_alpha_matches_krippendorff_package(data):
    ours = krippendorff_alpha_nominal(data)
    arr = to_float(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal")
    except (ValueError, ZeroDivisionError):
        ref = math.nan
    if ours is None:
        assert math.isnan(ref) or not np.isfinite(ref)
    else:
        assert ours == pytest.approx(ref, abs=1e-9)
        assert ours <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.lists(st.integers(0, 3), min_size=n, max_size=n),
                                                      st.lists(st.integers(0, 3), min_size=n, max_size=n))))
def test_cohen_matches_sklearn(pair):
    a, b = pair
    ours = cohen_kappa(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = cohen_kappa_score(a, b)
    if ours is None:
        assert math.isnan(ref) or len(set(a) | set(b)) == 1
    else:
        assert ours == pytest.approx(ref, abs=1e-9)
        assert -1.0 <= ours <= 1.0
    assert cohen_kappa(b, a) == ours or ours == pytest.approx(cohen_kappa(b, a), abs=1e-15)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda raters: st.lists(
            st.lists(st.integers(0, 3), min_size=raters, max_size=raters), min_size=1, max_size=20
        )
    )
)
def test_fleiss_matches_statsmodels(unit_ratings):
    # statsmodels: rows are subjects; ours: rows are coders.
    table, _ = aggregate_raters(np.array(unit_ratings))
    ours_table = fleiss_kappa(table)
    ours_ratings = fleiss_kappa(ratings=np.array(unit_ratings).T)
    assert ours_table == ours_ratings or ours_table == pytest.approx(ours_ratings, abs=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_fleiss_kappa(table)
    if ours_table is None:
        assert not np.isfinite(ref)
    else:
        assert ours_table == pytest.approx(ref, abs=1e-9)
        assert ours_table <= 1.0


def ac1_two_raters_gwet_2008(a, b, q):
    """Gwet (2008), eq. for two raters: pe = 1/(q-1) * sum_k pi_k (1 - pi_k), pi_k = (pA_k + pB_k)/2."""
    n = len(a)
    pa = sum(x == y for x, y in zip(a, b)) / n
    pe = sum(((a.count(k) + b.count(k)) / (2 * n)) * (1 - (a.count(k) + b.count(k)) / (2 * n)) for k in range(q)) / (q - 1)
    return (pa - pe) / (1 - pe)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.lists(st.integers(0, 3), min_size=n, max_size=n),
                                                      st.lists(st.integers(0, 3), min_size=n, max_size=n))))
def test_ac1_two_raters_matches_gwet_2008(pair):
    a, b = pair
    ours = gwet_ac1([a, b], categories=[0, 1, 2, 3])
    assert ours == pytest.approx(ac1_two_raters_gwet_2008(a, b, 4), abs=1e-12)
    assert ours <= 1.0
    assert gwet_ac1([b, a], categories=[0, 1, 2, 3]) == pytest.approx(ours, abs=1e-15)


@settings(max_examples=200, deadline=None)
@given(ratings_strategy)
def test_count_functions_accept_weights(data):
    counts, _ = ratings_to_counts(data)
    # Collapse identical rows into weights: same results.
    rows, weights = np.unique(counts, axis=0, return_counts=True) if len(counts) else (counts, np.zeros(0))
    for f in (krippendorff_alpha_from_counts, gwet_ac1_from_counts):
        plain, weighted = f(counts), f(rows, weights)
        assert (plain is None) == (weighted is None)
        if plain is not None:
            assert plain == pytest.approx(weighted, abs=1e-12)


def test_confusion_kappa_of_empty_matrix_is_none():
    assert cohen_kappa_from_confusion(np.zeros((2, 2))) is None
