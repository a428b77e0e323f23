"""`annotator train`: the shipped models updated on gold, scored base vs updated on held-out folds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest

from annotator.errors import UserError
from annotator.nlp.textmodel import FieldSpec, LinearTextModel
from annotator.scheme import annotation_from_dict
from annotator.training.finetune import finetune
from annotator.training.update import folds
from tests.conftest import GOLD_FILE


def gold() -> list:
    return [annotation_from_dict(json.loads(line)) for line in GOLD_FILE.read_text(encoding="utf-8").splitlines()]


def test_few_documents_are_held_out_one_by_one_and_many_in_five_interleaved_folds() -> None:
    assert folds(3) == [[0], [1], [2]]
    assert folds(12) == [[0, 5, 10], [1, 6, 11], [2, 7], [3, 8], [4, 9]]
    assert sorted(i for f in folds(12) for i in f) == list(range(12))
    with pytest.raises(UserError, match="at least 2 done documents"):
        folds(1)


def _tiny_model() -> LinearTextModel:
    rows = [["taxes rose sharply"], ["taxes fell"], ["unemployment rose"], ["I love my family"],
            ["we had a great time"], ["thank you all"], ["the deficit grew"], ["what a lovely day"]]
    labels = ["1", "1", "1", "0", "0", "0", "1", "0"]
    return LinearTextModel.fit(rows, labels, [FieldSpec(0, "word", (1, 1), min_df=1)], c=1.0)


def test_finetuning_moves_the_base_toward_new_examples_in_proportion_to_their_weight() -> None:
    base = _tiny_model()
    new = [["taxes were lovely"]] * 3
    p_base = base.predict_proba(new)[0, 1]
    light = finetune(base, new, ["0"] * 3, weight=0.01).predict_proba(new)[0, 1]
    heavy = finetune(base, new, ["0"] * 3, weight=50.0).predict_proba(new)[0, 1]
    assert p_base > 0.5 and abs(light - p_base) < 0.02  # a whisper of evidence leaves the base as it was
    assert heavy < 0.5  # strong evidence flips the decision
    assert finetune(base, [], []).coef is base.coef
    with pytest.raises(ValueError, match="not classes"):
        finetune(base, new, ["favor"] * 3)


def test_finetuning_a_three_class_model_follows_its_examples() -> None:
    rows = [["good deal"], ["bad deal"], ["a deal"], ["good plan"], ["bad plan"], ["a plan"]]
    base = LinearTextModel.fit(rows, ["favor", "against", "neutral"] * 2, [FieldSpec(0, "word", (1, 1), min_df=1)])
    new = [["good deal"]] * 4
    tuned = finetune(base, new, ["against"] * 4, weight=50.0)
    assert tuned.classes[int(np.argmax(tuned.predict_proba(new)[0]))] == "against"
    assert tuned.info["updated_on"] == 4


@pytest.mark.slow
def test_a_failed_retraining_keeps_the_previous_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.training import train as train_mod
    from annotator.training import update as up

    anns = [a for a in gold() if a.doc_id.startswith(("000", "004"))]  # the two shortest articles
    out = tmp_path / "model"
    first = train_mod.train(anns, out, folds=2, dataset="g")
    scores = (out / "scores.json").read_text()
    assert first.model_path == out and (out / "config.cfg").exists() and (out / "README.md").exists()
    assert set(first.scores) == {"base", "updated"} and first.folds == (("000_60b67c4313700902",), ("004_5e301fe25cad7829",))

    def broken(*_a: object, **_k: object) -> NoReturn:
        raise RuntimeError("interrupted while updating")

    monkeypatch.setattr(up, "update", broken)
    with pytest.raises(RuntimeError):
        train_mod.train(anns, out, folds=2)
    assert (out / "scores.json").read_text() == scores and (out / "meta.json").exists()
    assert not list(tmp_path.glob(".model.training-*"))  # no half-built folder left behind

    mine = tmp_path / "mine"
    (mine / "training").mkdir(parents=True)
    (mine / "training" / "notes.txt").write_text("my notes")
    with pytest.raises(UserError, match="was not made by `annotator train`"):
        train_mod.train(anns, mine, folds=2)
    assert (mine / "training" / "notes.txt").read_text() == "my notes"
