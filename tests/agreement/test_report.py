"""compute_agreement end to end: numbers against a naive per-document computation with the
reference libraries, edge cases, JSON and rich output."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import warnings

import krippendorff
import numpy as np
import pytest
from rich.console import Console
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from annotator.agreement import compute_agreement, span_f1, token_labels
from annotator.agreement.render import report_tables
from annotator.agreement.results import AgreementReport
from annotator.errors import UserError
from annotator.scheme import Annotation, Claim, Quote, Span, SpeakerMention, Stance

WORDS = "the minister said that talks would continue while officials warned of escalation".split()


def random_versions(seed: int, n_docs: int = 12, names=("ann", "bob", "cy")) -> dict[str, dict[str, Annotation]]:
    rng = random.Random(seed)
    versions: dict[str, dict[str, Annotation]] = {n: {} for n in names}
    for d in range(n_docs):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 60)))
        for name in names:
            if rng.random() < 0.2:
                continue
            quotes, claims, pos = [], [], 0
            while pos < len(text) - 5 and len(quotes) < 6:
                s = pos + rng.randint(0, 15)
                e = min(len(text), s + rng.randint(1, 25))
                if e <= s:
                    break
                sp_s = rng.randint(0, max(0, len(text) - 3))
                quotes.append(
                    Quote(
                        id=f"q{len(quotes)}", start=s, end=e, text=text[s:e],
                        kind=rng.choice(["direct", "indirect", "mixed"]),
                        cue=Span(sp_s, sp_s + 2, text[sp_s:sp_s + 2]) if rng.random() < 0.7 else None,
                        speaker=SpeakerMention(sp_s, sp_s + 3, text[sp_s:sp_s + 3], rng.choice(["A B", "a  b", "C"]))
                        if rng.random() < 0.8 else None,
                        stance=Stance(rng.choice(["NATO", "Russia"]), rng.choice(["favor", "against", "neutral"]))
                        if rng.random() < 0.6 else None,
                        status=rng.choice(["accepted", "accepted", "rejected", "edited"]),
                    )
                )  # fmt: skip
                pos = e + rng.randint(0, 10)
            if len(text) > 10 and rng.random() < 0.7:
                s = rng.randint(0, len(text) - 5)
                claims.append(Claim("c1", s, s + 5, text[s:s + 5], checkworthy=rng.random() < 0.5))
            versions[name][f"d{d:02d}"] = Annotation(f"d{d:02d}", text, name, quotes=tuple(quotes), claims=tuple(claims))
    return versions


def naive_reference(versions, names, layer, label=None):
    """Per document: regex tokens, token_labels(), then the reference libraries on the concatenation."""
    docs = sorted({d for n in names for d in versions[n]})
    rows = [[] for _ in names]
    tp = {"exact": {}, "overlap": {}}
    sizes = {}
    for d in docs:
        anns = [versions[n].get(d) for n in names]
        if sum(a is not None for a in anns) < 2 or not next(a for a in anns if a).text.strip():
            continue
        text = next(a for a in anns if a).text

        def layer_spans(ann):
            if ann is None:
                return None
            kept = ann.kept()
            if label is None:
                return ann.layer_spans(layer)
            if layer == "quotes":
                return sorted({q.as_span() for q in kept.quotes if q.kind == label}, key=lambda s: (s.start, s.end))
            return sorted({c.as_span() for c in kept.claims if c.checkworthy == (label == "checkworthy")},
                          key=lambda s: (s.start, s.end))  # fmt: skip

        per = [layer_spans(a) for a in anns]
        for i, r in enumerate(token_labels(text, per, label="X")):
            rows[i].extend(r)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                if per[i] is None or per[j] is None:
                    continue
                for mode in ("exact", "overlap"):
                    tp[mode][(i, j)] = tp[mode].get((i, j), 0) + span_f1(per[i], per[j], mode).tp
                sizes[(i, j)] = (sizes.get((i, j), (0, 0))[0] + len(per[i]), sizes.get((i, j), (0, 0))[1] + len(per[j]))
    return rows, tp, sizes


def ref_alpha(rows):
    arr = np.array([[np.nan if v is None else (1.0 if v == "X" else 0.0) for v in r] for r in rows])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal")
    except (ValueError, ZeroDivisionError):
        return None
    return None if not np.isfinite(value) else value


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(
    ("layer", "label"),
    [("quotes", None), ("quotes", "direct"), ("cues", None), ("speakers", None), ("claims", None), ("claims", "checkworthy")],
)
def test_report_matches_naive_reference(seed, layer, label):
    versions = random_versions(seed)
    names = ["ann", "bob", "cy"]
    report = compute_agreement(versions, annotators=names)
    item = report.layer(layer, label)
    rows, tp, sizes = naive_reference(versions, names, layer, label)

    alpha = ref_alpha(rows)
    assert (item.overall.token.alpha is None) == (alpha is None)
    if alpha is not None:
        assert item.overall.token.alpha == pytest.approx(alpha, abs=1e-9)

    complete = [u for u in range(len(rows[0])) if all(r[u] is not None for r in rows)]
    assert item.overall.token.fleiss_tokens == len(complete)
    if complete:
        table, _ = aggregate_raters(np.array([[rows[a][u] == "X" for a in range(3)] for u in complete], dtype=int))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sm_fleiss_kappa(table)
        if item.overall.token.fleiss_kappa is None:
            assert not np.isfinite(ref)
        else:
            assert item.overall.token.fleiss_kappa == pytest.approx(ref, abs=1e-9)

    for p, (i, j) in zip(item.pairs, [(0, 1), (0, 2), (1, 2)]):
        units = [u for u in range(len(rows[0])) if rows[i][u] is not None and rows[j][u] is not None]
        assert p.token.tokens == len(units)
        a = [rows[i][u] for u in units]
        b = [rows[j][u] for u in units]
        if len(set(a) | set(b)) > 1:
            assert p.token.cohen_kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)
        pair_alpha = ref_alpha([a, b])
        assert (p.token.alpha is None) == (pair_alpha is None)
        if pair_alpha is not None:
            assert p.token.alpha == pytest.approx(pair_alpha, abs=1e-9)
        if units:
            assert p.token.percent_agreement == pytest.approx(np.mean([x == y for x, y in zip(a, b)]))
        assert p.exact.tp == tp["exact"].get((i, j), 0)
        assert p.overlap.tp == tp["overlap"].get((i, j), 0)
        assert p.spans == sizes.get((i, j), (0, 0))


@pytest.mark.parametrize("seed", range(5))
def test_pair_order_does_not_change_results(seed):
    versions = random_versions(seed, names=("ann", "bob"))
    ab = compute_agreement(versions, annotators=["ann", "bob"]).to_dict()
    ba = compute_agreement(versions, annotators=["bob", "ann"]).to_dict()
    for x, y in zip(ab["layers"], ba["layers"]):
        px, py = x["pairs"][0], y["pairs"][0]
        for mode in ("exact", "overlap"):
            assert px[mode]["f1"] == py[mode]["f1"]
            assert px[mode]["precision"] == py[mode]["recall"]
        for stat in ("alpha", "cohen_kappa", "ac1", "percent_agreement"):
            assert px["token"][stat] == pytest.approx(py["token"][stat], abs=1e-12) if px["token"][stat] is not None else py["token"][stat] is None
    sx, sy = ab["stance"]["pairs"][0], ba["stance"]["pairs"][0]
    assert np.array(sx["confusion"]).T.tolist() == sy["confusion"]
    assert ab["speakers"]["pairs"][0]["same"] == ba["speakers"]["pairs"][0]["same"]


# ------------------------------------------------------------------ hand-made cases

TEXT = 'Lavrov said that "NATO is a threat to us all" on Monday. Blinken told reporters that Russia lies.'


def quote(s, e, speaker="Sergei Lavrov", label="against", target="NATO", kind="direct"):
    return Quote(
        id=f"q{s}", start=s, end=e, text=TEXT[s:e], kind=kind, cue=Span(7, 11, TEXT[7:11]),
        speaker=SpeakerMention(0, 6, TEXT[0:6], speaker) if speaker else None,
        stance=Stance(target, label) if label else None,
    )  # fmt: skip


def ann(name, *quotes, doc="d1", text=TEXT, claims=()):
    return Annotation(doc, text, name, quotes=tuple(quotes), claims=tuple(claims))


def test_perfect_agreement():
    a = ann("a", quote(18, 44), quote(84, 96, "Antony Blinken", "favor", "Russia", "indirect"))
    versions = {"a": {"d1": a}, "b": {"d1": ann("b", *a.quotes)}}
    report = compute_agreement(versions)
    for layer in ("quotes", "cues", "speakers"):
        o = report.layer(layer).overall
        assert o.exact.f1 == o.overlap.f1 == 1.0
        assert o.token.alpha == o.token.cohen_kappa == o.token.ac1 == o.token.percent_agreement == 1.0
    assert report.speakers.overall.agreement == 1.0
    assert report.stance.overall.matched_quotes == 2
    assert report.stance.overall.cohen_kappa == report.stance.overall.alpha == 1.0
    # Nobody marked a claim: alpha and kappa undefined, reported as null.
    claims = report.layer("claims").overall
    assert claims.token.alpha is None and claims.token.cohen_kappa is None and claims.exact.f1 is None
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    claims_json = next(x for x in data["layers"] if x["layer"] == "claims" and x["label"] is None)
    assert claims_json["overall"]["token"]["alpha"] is None
    assert claims_json["overall"]["exact"]["f1"] is None


def test_speaker_and_stance_on_matched_quotes():
    versions = {
        "a": {"d1": ann("a", quote(18, 44, "Sergei Lavrov", "against"), quote(84, 96, None, None))},
        "b": {"d1": ann("b", quote(17, 45, "sergei   LAVROV", "favor", "Russia"), quote(84, 95, None, None))},
    }
    report = compute_agreement(versions)
    sp = report.speakers.pairs[0]
    assert (sp.matched_quotes, sp.compared, sp.same, sp.both_missing, sp.agreement) == (2, 1, 1, 1, 1.0)
    st = report.stance.pairs[0]
    labels = report.stance.labels
    assert labels == ("favor", "against", "neutral", "none")
    conf = np.array(st.confusion)
    assert conf[labels.index("against"), labels.index("favor")] == 1
    assert conf[labels.index("none"), labels.index("none")] == 1
    assert st.cohen_kappa == pytest.approx(cohen_kappa_score(["against", "none"], ["favor", "none"]))
    assert (st.target_compared, st.target_agreement) == (1, 0.0)
    assert report.layer("quotes").pairs[0].exact.f1 == 0.0
    assert report.layer("quotes").pairs[0].overlap.f1 == 1.0


def test_missing_and_excluded_documents():
    q = quote(18, 44)
    versions = {
        "a": {"d1": ann("a", q), "d2": ann("a", q, doc="d2"), "solo": ann("a", doc="solo"), "e": ann("a", doc="e", text="")},
        "b": {"d1": ann("b", q), "d2": ann("b", q, doc="d2"), "e": ann("b", doc="e", text=""),
              "x": ann("b", doc="x", text="other text")},
        "c": {"d1": ann("c", q), "x": ann("c", doc="x", text="different text"),
              "p": Annotation("p", TEXT, "c", status="in_progress")},
    }  # fmt: skip
    report = compute_agreement(versions)
    docs = report.documents
    assert docs.compared == 2 and docs.complete == 1
    assert dict(docs.missing) == {"a": (), "b": (), "c": ("d2",)}
    reasons = {(e.doc_id, e.annotator): e.reason for e in docs.excluded}
    assert "only one annotator" in reasons[("solo", None)]
    assert "empty text" in reasons[("e", None)]
    assert "text differs" in reasons[("x", None)]
    assert "not 'done'" in reasons[("p", "c")]
    item = report.layer("quotes")
    ac = next(p for p in item.pairs if p.annotators == ("a", "c"))
    assert ac.documents == 1 and ac.spans == (1, 1)
    assert item.overall.token.fleiss_tokens == len(TEXT.split())
    assert item.overall.token.fleiss_kappa == 1.0
    json.dumps(report.to_dict(), allow_nan=False)


def test_only_empty_documents():
    versions = {"a": {"e": ann("a", doc="e", text="  ")}, "b": {"e": ann("b", doc="e", text="  ")}}
    report = compute_agreement(versions)
    assert report.documents.compared == 0
    o = report.layer("quotes").overall
    assert o.token.tokens == 0 and o.token.alpha is None and o.token.ac1 is None and o.exact.f1 is None
    assert report.stance.overall.cohen_kappa is None
    json.dumps(report.to_dict(), allow_nan=False)
    Console(file=open("/dev/null", "w")).print(*report_tables(report))


def test_fewer_than_two_annotators_is_a_user_error():
    one = {"a": {"d1": ann("a", quote(18, 44))}}
    with pytest.raises(UserError, match="at least two annotators"):
        compute_agreement(one)
    with pytest.raises(UserError, match="at least two annotators"):
        compute_agreement({**one, "b": {}})
    with pytest.raises(UserError, match="at least two annotators"):
        compute_agreement({})
    with pytest.raises(UserError, match="'zed'"):
        compute_agreement({**one, "b": {"d1": ann("b")}}, annotators=["a", "zed"])
    with pytest.raises(UserError, match="at least two annotators"):
        compute_agreement({**one, "b": {"d1": ann("b")}}, annotators=["a", "a"])
    with pytest.raises(UserError, match="unknown layer"):
        compute_agreement({**one, "b": {"d1": ann("b")}}, layers=["quotes", "tokens"])


def test_layer_selection():
    versions = {"a": {"d1": ann("a", quote(18, 44))}, "b": {"d1": ann("b", quote(18, 44))}}
    report = compute_agreement(versions, layers=["stance"])
    assert report.layers == () and report.speakers is None and report.stance is not None
    report = compute_agreement(versions, layers=["claims"])
    assert {x.layer for x in report.layers} == {"claims"} and report.stance is None


def test_three_annotators_json_shape_and_rich_output_is_literal():
    q = quote(18, 44)
    names = ["[bold]x[/]", "[red]y", "zoë"]
    versions = {n: {"d1": ann(n, q, claims=(Claim("c1", 57, 64, TEXT[57:64]),))} for n in names}
    report = compute_agreement(versions)
    assert isinstance(report, AgreementReport)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert set(data) == {"annotators", "pairs", "tokenization", "documents", "layers", "speakers", "stance", "units"}
    assert len(data["pairs"]) == 3
    layer = data["layers"][0]
    assert set(layer) == {"layer", "label", "pairs", "overall"}
    assert set(layer["overall"]["token"]) == {"tokens", "alpha", "cohen_kappa", "fleiss_kappa", "fleiss_tokens", "ac1", "percent_agreement"}
    assert layer["overall"]["token"]["fleiss_kappa"] == 1.0
    assert data["stance"]["overall"]["fleiss_kappa"] is None  # one label only: chance agreement 1
    console = Console(record=True, width=200, file=open("/dev/null", "w"))
    for table in report_tables(report, console.width):
        console.print(table)
    out = console.export_text()
    assert "[bold]x[/]" in out and "[red]y" in out and "zoë" in out


def test_agreement_package_imports_no_ui_or_database():
    code = (
        "import sys, annotator.agreement, annotator.agreement.render;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlalchemy')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_many_annotators_use_the_sparse_histogram():
    names = [f"a{i:02d}" for i in range(11)]
    versions = {n: {"d1": ann(n, quote(18, 44 if i % 2 else 40)), "d2": ann(n, doc="d2")} for i, n in enumerate(names)}
    del versions["a00"]["d2"]
    report = compute_agreement(versions)
    rows, _, _ = naive_reference(versions, names, "quotes")
    item = report.layer("quotes")
    assert item.overall.token.alpha == pytest.approx(ref_alpha(rows), abs=1e-9)
    assert len(item.pairs) == 55
    assert item.overall.token.fleiss_tokens == len(TEXT.split())
