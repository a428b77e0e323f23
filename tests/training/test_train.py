"""`annotator train`: spaCy span categorizers from accepted gold, scored against the rules, usable by preannotate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import UserError
from annotator.scheme import annotation_from_dict
from annotator.training.suggesters import candidate_spans
from annotator.training.train import split_documents
from tests.conftest import GOLD_FILE


def gold() -> list:
    return [annotation_from_dict(json.loads(line)) for line in GOLD_FILE.read_text(encoding="utf-8").splitlines()]


def test_split_is_deterministic_and_keeps_both_sides_non_empty() -> None:
    anns = gold()
    train, dev = split_documents(anns, 0.2, seed=0)
    assert len(dev) == 1 and len(train) == 4
    assert split_documents(list(reversed(anns)), 0.2, seed=0) == (train, dev)
    with pytest.raises(UserError, match="at least 2 done documents"):
        split_documents(anns[:1])


def test_candidates_cover_most_gold_quotes(nlp_base) -> None:  # type: ignore[no-untyped-def]
    """The suggester proposes the spans spancat can choose from: most gold quotes must be among them."""
    covered = total = 0
    for ann in gold():
        doc = nlp_base(ann.text)
        cands = {(doc[s:e].start_char, doc[s:e].end_char) for s, e in candidate_spans(doc)}
        for q in ann.quotes:
            total += 1
            covered += (q.start, q.end) in cands
    assert covered / total >= 0.6, (covered, total)  # 73 of 109 when written


@pytest.mark.slow
def test_a_failed_retraining_keeps_the_previous_model(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from annotator.training import train as train_mod

    out = tmp_path / "model"
    first = train_mod.train(gold(), out, max_steps=2)
    scores = (out / "scores.json").read_text()
    assert first.model_path.is_dir() and first.model_path.parent == out / "training"

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("interrupted while scoring")

    monkeypatch.setattr(train_mod, "compare_on_dev", broken)
    with pytest.raises(RuntimeError):
        train_mod.train(gold(), out, max_steps=2)
    assert (first.model_path / "meta.json").exists() and (out / "scores.json").read_text() == scores
    assert not list(out.glob(".training-*"))  # no half-built folder left behind

    mine = tmp_path / "mine"
    (mine / "training").mkdir(parents=True)
    (mine / "training" / "notes.txt").write_text("my notes")
    with pytest.raises(UserError, match="was not made by `annotator train`"):
        train_mod.train(gold(), mine, max_steps=2)
    assert (mine / "training" / "notes.txt").read_text() == "my notes"
