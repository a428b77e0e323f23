"""The pipeline on the five sample articles against the hand-labelled gold: pinned scores.

Floors are the scores measured when the rules were written, minus a small margin, so a regression fails.
Re-measured after the issue-12 rule fixes, with the gold following PolNeAR (complementizer inside indirect
content; "said X and that Y" one quote): notes/rules.md has the before/after numbers.
The project targets are direct F1 >= 0.9, speaker accuracy >= 0.85 and indirect F1 >= 0.6 (overlap).
``JOINED_FLOORS`` are the default pipeline's (the rules joined with the learned PolNeAR model;
``FLOORS`` and the project targets are the rules', ``--rules-only``), re-measured when the model was
retrained on all 753 PolNeAR training articles (nothing was tuned on this gold: every choice was made on the
PolNeAR tuning split). The join keeps the rules' strengths here too: direct quotes and "according to" stay
the rules', learned contents without a source take the rules' speaker, and the rules' other records are kept
where the model has nothing, so indirect/mixed/speaker rose from 0.593/0.756/0.827 (first model) to
0.766/0.930/0.917. All quotes (0.834) and indirect (0.731) stay below the rules' (0.900/0.868) because the
model adds PolNeAR-style attributions this gold does not label (beliefs, noun cues, polls, and acts and stances
from the second pass: indirect precision 0.64) and follows PolNeAR's content boundaries; direct is 0.966
against the rules' 0.982 (one quote).
Numbers: /work/notes/attrib2.md and annotator/models/attribution/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from annotator.nlp.evaluate import evaluate
from annotator.nlp.pipeline import annotate
from annotator.scheme import annotation_from_dict

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "sample_gold.jsonl"
MARGIN = 0.03
FLOORS = {  # measured value of each score (overlap matching unless named _exact)
    ("scores", "direct_overlap"): 0.982,
    ("scores", "direct_exact"): 0.982,
    ("scores", "indirect_overlap"): 0.868,
    ("scores", "mixed_overlap"): 0.865,
    ("scores", "quotes_overlap"): 0.900,
    ("scores", "cues_exact"): 0.870,
    ("scores", "claims_overlap"): 0.569,
    ("scores", "claims_exact"): 0.276,
    ("accuracy", "speaker"): 0.955,
}


JOINED_FLOORS = {
    # re-measured with the CRF retrained with stronger L2 (c1 0.02, c2 0.1; PolNeAR tuning split F 0.728 ->
    # 0.735): indirect 0.729 -> 0.766, quotes 0.835 -> 0.856; cues exact 0.676 -> 0.663 and speaker (below)
    # 0.926 -> 0.917 (about one quote of ~95): a few cue boundaries and speakers of learned contents moved
    ("scores", "direct_overlap"): 0.966,
    ("scores", "direct_exact"): 0.966,
    # re-measured with the second pass over verb clauses (PolNeAR tuning split F 0.735 -> 0.747, indirect
    # 0.624 -> 0.648): here it adds six attributions this gold does not label, all PolNeAR-style readings
    # ("the EU rejected it out of hand", "The Kremlin seems to be expecting ...": "seem" is a PolNeAR cue in
    # 91 of its 225 verb-clause uses in training) and none it labels: indirect 0.766 -> 0.731 (precision
    # 0.69 -> 0.64, recall 0.860 unchanged), quotes 0.856 -> 0.834, cues exact 0.663 -> 0.645
    ("scores", "indirect_overlap"): 0.731,
    # re-measured with the CRF retrained at c2 3.0 (was 0.1; PolNeAR tuning split F 0.752 -> 0.759, exact
    # 0.537 -> 0.560): its contents are longer and fewer, so two gold mixed contents are now matched by wider
    # records (one of them exactly) but it adds one mixed content this gold does not label ("“face to face” in
    # the lobby"): mixed precision 0.909 -> 0.870, recall 0.952 unchanged. The rest rose and keeps its floors
    # (with the cue-noun second pass): indirect 0.731 -> 0.762 (fewer spurious short contents), quotes 0.834 ->
    # 0.851, cues exact 0.645 -> 0.663, speaker 0.917 -> 0.926, stance 0.363 -> 0.380
    ("scores", "mixed_overlap"): 0.909,
    ("scores", "quotes_overlap"): 0.834,
    ("scores", "cues_exact"): 0.645,
    # claims come from the ClaimBuster classifier (held-out ClaimBuster F1 0.50 -> 0.76 over the rules); on
    # these five articles it suggests more than the hand-tuned rule (rules: overlap 0.539, exact 0.243 here).
    # Re-pinned for its threshold 0.39 (tuned for a corpus-like and a balanced share of claims; was 0.46):
    # overlap 0.489 -> 0.507, by sentence 0.587 -> 0.603, exact 0.144 -> 0.141 (more, longer suggestions);
    # threshold 0.29 (the balanced share weighted twice, smoothed curve): overlap 0.529, exact 0.168, sentence 0.616
    ("scores", "claims_overlap"): 0.529,
    ("scores", "claims_exact"): 0.168,
    ("scores", "claims_sentence"): 0.616,
    ("accuracy", "speaker"): 0.917,
    # the NewsMTSC stance classifier with lexicon sentiment and negation scope: target and label right 0.441
    # (0.333 before, as the rules); 0.367 with the attribution model retrained on all of PolNeAR: the same
    # classifier, scored on the quotes the attribution matches, which changed (indirect F 0.593 -> 0.729,
    # mixed 0.756 -> 0.930: more reported contents, whose target and label are harder); not investigated further.
    # With the near-context field (12 words each side of the mention, NewsMTSC held-out 0.682 -> 0.690): 0.392
    # With the mention's parse features (NewsMTSC 5-fold CV 0.659 -> 0.668, dev 0.684 -> 0.696, held-out 0.690):
    # 0.388 (one quote of the 80 matched ones fewer; macro F1 toward gold targets 0.428 -> 0.417); with the
    # clause-sentiment and passive-agent marks (NewsMTSC through predict --keep-spans: held-out 0.691 -> 0.699,
    # dev 0.693 -> 0.701): 0.363 (two quotes fewer here; macro F1 toward gold targets 0.399)
    ("accuracy", "stance"): 0.363,
}


def _report(nlp: Language) -> dict[str, Any]:
    assert GOLD.exists(), f"the hand-labelled gold is part of the repository: {GOLD}"
    gold = [annotation_from_dict(json.loads(line)) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "sample_data").glob("*.txt")}
    for g in gold:
        assert texts[g.doc_id] == g.text
    pred = [a for _i, a, _t in annotate(nlp, [(texts[g.doc_id], g.doc_id) for g in gold])]
    return evaluate(gold, pred).to_dict()


@pytest.fixture(scope="module")
def report(nlp: Language) -> dict[str, Any]:
    return _report(nlp)


@pytest.fixture(scope="module")
def joined_report(joined_nlp: Language) -> dict[str, Any]:
    return _report(joined_nlp)


@pytest.mark.parametrize("where,name", sorted(FLOORS), ids=lambda v: v if isinstance(v, str) else None)
def test_score_not_below_floor(report: dict[str, Any], where: str, name: str) -> None:
    value = report[where][name]["f1"] if where == "scores" else report[where][name]
    assert value is not None and value >= FLOORS[(where, name)] - MARGIN, f"{name}: {value:.3f}"


@pytest.mark.parametrize("where,name", sorted(JOINED_FLOORS), ids=lambda v: v if isinstance(v, str) else None)
def test_default_pipeline_score_not_below_floor(joined_report: dict[str, Any], where: str, name: str) -> None:
    value = joined_report[where][name]["f1"] if where == "scores" else joined_report[where][name]
    assert value is not None and value >= JOINED_FLOORS[(where, name)] - MARGIN, f"{name}: {value:.3f}"


def test_project_targets(report: dict[str, Any]) -> None:
    assert report["scores"]["direct_overlap"]["f1"] >= 0.9
    assert report["accuracy"]["speaker"] >= 0.85
    assert report["scores"]["indirect_overlap"]["f1"] >= 0.6
