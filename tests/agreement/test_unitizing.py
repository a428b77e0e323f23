"""Krippendorff's unitizing alpha (alpha_U) against the published worked examples, and the coding
examples of Artstein & Poesio (2008) and Gwet (2008).

* Krippendorff (2004), *Content Analysis*, 2nd ed., p. 254: two observers, continuum 150-450,
  categories c and k. The values are those DKPro Agreement's ``Krippendorff2004Test`` asserts:
  D_o(c) 0.0144, D_e(c) 0.0532, alpha_c 0.7286; D_o(k) 0, D_e(k) 0.0490, alpha_k 1; alpha_U 0.8591.
* Krippendorff (1995), "On the reliability of unitizing contiguous data", p. 57: four pairs of
  observers (A-D) on a continuum of 24, stretched; values as in DKPro's ``Krippendorff1995Test``
  (with its tolerances: D_e and alpha are read from a figure).
* Artstein & Poesio (2008), pp. 558 and 568: Cohen's kappa 0.348; kappa 0.8013, alpha 0.800.
* Gwet (2008): a skewed two-category study, AC1 0.8658 where Scott's pi is 0.6078.
"""

from __future__ import annotations

import json
from typing import Sequence

import numpy as np
import pytest

from annotator.agreement import compute_agreement
from annotator.agreement.metrics import cohen_kappa, fleiss_kappa, gwet_ac1, krippendorff_alpha_nominal, percent_agreement
from annotator.agreement.unitizing import unitizing_alpha, unitizing_category
from annotator.scheme import Annotation, Claim, Quote


def krippendorff_2004():
    """Observer i and j on the continuum 150-450 (offsets here relative to 150)."""
    i = [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")]
    j = [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")]
    shift = lambda units: [(s - 150, e - 150, cat) for s, e, cat in units]  # noqa: E731
    return [(300, [shift(i), shift(j)])]


def krippendorff_1995(stretch: float):
    """(offset, length) per observer pair A-D, as in Krippendorff (1995, p. 57)."""
    pairs = {
        "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
        "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
        "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
        "D": ([(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)], [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)]),
    }
    f = lambda x: int(x * stretch)  # noqa: E731
    coders: list[list] = [[], []]
    for cat, per in pairs.items():
        for c in range(2):
            coders[c] += [(f(o), f(o) + f(n), cat) for o, n in per[c]]
    return [(f(24), coders)]


def test_krippendorff_2004_p254():
    result = unitizing_alpha(krippendorff_2004())
    c, k = result.categories["c"], result.categories["k"]
    assert c.observed == pytest.approx(0.0144, abs=1e-4)
    assert c.expected == pytest.approx(0.0532, abs=1e-4)
    assert c.alpha == pytest.approx(0.7286, abs=1e-4)
    assert k.observed == 0.0
    assert k.expected == pytest.approx(0.0490, abs=1e-4)
    assert k.alpha == 1.0
    assert result.alpha == pytest.approx(0.8591, abs=5e-4)


def test_krippendorff_1995_p57_observed_disagreement():
    per = unitizing_alpha(krippendorff_1995(1)).categories
    assert per["A"].observed == pytest.approx(0.03125, abs=1e-5)
    assert per["B"].observed == pytest.approx(2.26736, abs=1e-5)
    assert per["C"].observed == pytest.approx(0.02777, abs=1e-5)
    assert per["D"].observed == pytest.approx(0.38715, abs=1e-5)


def test_krippendorff_1995_p57_expected_disagreement_and_alpha():
    per = unitizing_alpha(krippendorff_1995(1200000 // 24)).categories
    for cat, d_e, alpha in (("A", 0.06990, 0.553), ("B", 1.17731, -0.926), ("C", 0.08642, 0.679), ("D", 0.41445, 0.066)):
        assert per[cat].observed == pytest.approx(unitizing_alpha(krippendorff_1995(1)).categories[cat].observed, abs=1e-5)
        assert per[cat].expected == pytest.approx(d_e, abs=5e-3), cat
        assert per[cat].alpha == pytest.approx(alpha, abs=2e-2), cat


def test_krippendorff_1995_varying_lengths():
    c = unitizing_category(krippendorff_1995(12 / 24), "C")
    assert c.observed == pytest.approx(0.02777, abs=1e-5)
    assert c.expected == pytest.approx(0.05494, abs=1e-5)
    assert c.alpha == pytest.approx(0.494, abs=2e-2)
    for stretch, d_e, alpha in ((120 / 24, 0.08234, 0.663), (1200 / 24, 0.08600, 0.677), (12000 / 24, 0.08638, 0.678)):
        c = unitizing_category(krippendorff_1995(stretch), "C")
        assert c.observed == pytest.approx(0.02777, abs=1e-5)
        assert c.expected == pytest.approx(d_e, abs=5e-3)
        assert c.alpha == pytest.approx(alpha, abs=2e-2)


def test_unitizing_edge_cases():
    # No unit at all: undefined. Identical units: perfect. Overlapping units of one coder are joined.
    assert unitizing_alpha([(10, [[], []])]).alpha is None
    same = [(0, 4, "x"), (6, 9, "x")]
    assert unitizing_alpha([(10, [same, same])]).alpha == 1.0
    joined = unitizing_alpha([(10, [[(0, 3, "x"), (2, 4, "x"), (6, 9, "x")], same])])
    assert joined.alpha == 1.0
    # Pooling documents: a gap ends with its document.
    one = unitizing_alpha([(10, [same, [(0, 4, "x")]])])
    two = unitizing_alpha([(10, [same, [(0, 4, "x")]]), (5, [[], []])])
    assert one.observed != two.observed
    with pytest.raises(ValueError):
        unitizing_alpha([(10, [same, same]), (10, [same])])


TEXT = "Lavrov said NATO was a threat. Blinken said talks would go on. Nobody else spoke today at all."


def test_report_has_unitizing_alpha_per_layer_label_and_pair_in_json():
    def ann(name, spans, claims=()):
        quotes = tuple(Quote(f"q{s}", s, e, TEXT[s:e], kind) for s, e, kind in spans)
        return Annotation("d1", TEXT, name, quotes=quotes, claims=tuple(Claim(f"c{s}", s, e, TEXT[s:e]) for s, e in claims))

    versions = {
        "a": {"d1": ann("a", [(12, 29, "indirect"), (45, 61, "indirect")], [(0, 30)])},
        "b": {"d1": ann("b", [(12, 29, "indirect"), (40, 61, "direct")], [(0, 30)])},
    }
    report = compute_agreement(versions)
    quotes = report.layer("quotes")
    pair = quotes.pairs[0]
    ref = unitizing_alpha([(len(TEXT), [[(12, 29, "q"), (45, 61, "q")], [(12, 29, "q"), (40, 61, "q")]])])
    assert pair.unitizing.alpha == pytest.approx(ref.alpha, abs=1e-12)
    assert quotes.overall.unitizing.alpha == pytest.approx(ref.alpha, abs=1e-12)
    direct = report.layer("quotes", "direct").overall.unitizing
    assert direct.observed > 0 and direct.alpha is not None and direct.alpha < 0
    assert report.layer("claims").overall.unitizing.alpha == 1.0
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    layer = next(x for x in data["layers"] if x["layer"] == "quotes" and x["label"] is None)
    for part in (layer["pairs"][0], layer["overall"]):
        assert {"unitizing_alpha", "unitizing_observed_disagreement", "unitizing_expected_disagreement"} <= set(part)
    assert layer["overall"]["unitizing_alpha"] == pytest.approx(ref.alpha)


# ------------------------------------------------------------------ coding examples


def multiply(counts: dict[tuple[str, str], int]) -> list[list[str]]:
    a, b = [], []
    for (x, y), n in counts.items():
        a += [x] * n
        b += [y] * n
    return [a, b]


def test_artstein_poesio_2008_example_1():
    """p. 558: STAT/IReq, 100 utterances; A_o 0.7, kappa 0.348."""
    rows = multiply({("STAT", "STAT"): 20, ("IReq", "STAT"): 20, ("STAT", "IReq"): 10, ("IReq", "IReq"): 50})
    assert percent_agreement(rows) == pytest.approx(0.7)
    assert cohen_kappa(*rows) == pytest.approx(0.348, abs=1e-3)
    assert fleiss_kappa(ratings=rows) == pytest.approx(0.341, abs=1e-3)  # Scott's pi


def test_artstein_poesio_2008_example_2():
    """p. 568: STAT/IReq/Chck; A_o 0.88, kappa 0.8013, pi 0.7995, alpha 0.800."""
    rows = multiply({("STAT", "STAT"): 46, ("IReq", "STAT"): 6, ("IReq", "IReq"): 32, ("IReq", "Chck"): 6, ("Chck", "Chck"): 10})
    assert percent_agreement(rows) == pytest.approx(0.88)
    assert cohen_kappa(*rows) == pytest.approx(0.8013, abs=1e-4)
    assert fleiss_kappa(ratings=rows) == pytest.approx(0.7995, abs=1e-4)
    assert krippendorff_alpha_nominal(rows) == pytest.approx(0.800, abs=1e-3)


def test_gwet_2008_ac1_where_pi_is_low():
    rows = multiply({("y", "y"): 8, ("n", "n"): 1, ("y", "n"): 1})
    assert gwet_ac1(rows) == pytest.approx(0.8658, abs=1e-4)
    assert fleiss_kappa(ratings=rows) == pytest.approx(0.6078, abs=1e-4)  # Scott's pi


def test_expected_disagreement_sum_is_exact_vectorised_or_unit_by_unit() -> None:
    """The D_e sum is exact integer arithmetic: vectorised where 64 bits hold every term, unit by unit
    beyond (a unit of a million characters); both equal the formula term by term."""
    import random

    from annotator.agreement.unitizing import _expected_sum

    def by_formula(lengths: list[int], gaps: list[int], n_c: int) -> int:
        return sum((n_c - 1) * (2 * l**3 - 3 * l**2 + l) // 3 + l * l * sum(g - l + 1 for g in gaps if g >= l)
                   for l in lengths)

    rng = random.Random(4)
    for scale in (10, 1_000, 3_000_000):
        lengths = [rng.randint(1, scale) for _ in range(40)]
        gaps = [rng.randint(0, 2 * scale) for _ in range(60)]
        assert _expected_sum(lengths, gaps, len(lengths)) == by_formula(lengths, gaps, len(lengths))


# The segment walk unitizing alpha was first computed with (one document, one coder pair at a time): the
# vectorised computation must give the same observed and expected disagreement.
def walk_merged(units: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
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


def walk_segments(units: list[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
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


def walk_pair_distance(a: list[tuple[int, int, bool]], b: list[tuple[int, int, bool]]) -> int:
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



def walk_observed_and_gaps(continua: Sequence[tuple[int, Sequence[Sequence[tuple[int, int, str]]]]],
                           category: str) -> tuple[int, list[int], list[int]]:
    observed = 0
    lengths: list[int] = []
    gaps: list[int] = []
    for length, per_coder in continua:
        segs = []
        for units in per_coder:
            merged = walk_merged([(s, e) for s, e, cat in units if cat == category], int(length))
            seg = walk_segments(merged, int(length))
            segs.append(seg)
            lengths.extend(e - s for s, e in merged)
            gaps.extend(e - s for s, e, is_unit in seg if not is_unit)
        for x in range(len(segs)):
            for y in range(x + 1, len(segs)):
                observed += walk_pair_distance(segs[x], segs[y])
    return observed, sorted(lengths), sorted(gaps)


def test_vectorised_unitizing_equals_the_segment_walk() -> None:
    import random

    from annotator.agreement.unitizing import _coder_segments, _pair_distance_arrays

    rng = random.Random(11)
    for _ in range(300):
        r = rng.randint(2, 4)
        continua = []
        for _d in range(rng.randint(1, 4)):
            length = rng.randint(1, 40)
            continua.append((length, [[(a, a + rng.randint(-2, 12), rng.choice("xy"))
                                       for a in (rng.randint(-3, length + 2) for _u in range(rng.randint(0, 5)))]
                                      for _c in range(r)]))
        observed, lengths, gaps = walk_observed_and_gaps(continua, "x")
        offsets = np.concatenate([[0], np.cumsum([c[0] for c in continua])]).astype(np.int64)
        segs = []
        for x in range(r):
            rows = [(d, s, e) for d, (_, units) in enumerate(continua) for s, e, cat in units[x] if cat == "x"]
            cols = np.array(rows, dtype=np.int64).reshape(-1, 3)
            segs.append(_coder_segments(offsets, cols[:, 0], cols[:, 1], cols[:, 2]))
        assert sum(_pair_distance_arrays(segs[x], segs[y]) for x in range(r) for y in range(x + 1, r)) == observed
        assert sorted(v for b, u in segs for v in np.diff(b)[u].tolist()) == lengths
        assert sorted(v for b, u in segs for v in np.diff(b)[~u].tolist()) == gaps
