"""Inputs that must never crash the pre-annotator."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from annotator.errors import ModelError
from annotator.nlp.quotes import find_quote_segments
from annotator.nlp.pipeline import annotate, load_pipeline, model_info

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def test_empty_and_whitespace_texts(nlp: Language) -> None:
    out = list(annotate(nlp, [("", "empty"), ("   \n\n\t ", "blank"), ("One word.", "short")]))
    assert [doc_id for doc_id, _a, _t in out] == ["empty", "blank", "short"]
    for doc_id, ann, tokens in out[:2]:
        assert ann.quotes == () and ann.claims == ()
        assert ann.annotator == "model" and ann.doc_id == doc_id
    assert out[0][2] == []


def test_text_without_quotes(nlp: Language) -> None:
    (_id, ann, _t), = annotate(nlp, [("The river rose after the storm. The bridge stayed open.", "x")])
    assert ann.quotes == ()


def test_unbalanced_quotation_marks_in_sample_article(nlp: Language) -> None:
    text = (SAMPLES / "002_a479c019d516b5dd.txt").read_text(encoding="utf-8")
    assert text.count("“") != text.count("”") and text.count('"') % 2 == 1  # really unbalanced
    (_id, ann, _t), = annotate(nlp, [(text, "002")])
    assert len([q for q in ann.quotes if q.kind == "direct"]) >= 10
    for q in ann.quotes:
        assert text[q.start : q.end] == q.text and "\n\n" not in q.text


def test_nine_unbalanced_marks_made_up(nlp: Language) -> None:
    text = " ".join(["He said “this never closes."] * 9) + " “A real quote here, finally,” Ann Lee said."
    assert len(find_quote_segments(text)) >= 1
    (_id, ann, _t), = annotate(nlp, [(text, "x")])
    assert any(q.text == "A real quote here, finally," for q in ann.quotes)


@pytest.mark.slow
def test_one_megabyte_article(nlp: Language) -> None:
    base = (SAMPLES / "000_60b67c4313700902.txt").read_text(encoding="utf-8") + "\n\n"
    text = (base * (1_000_000 // len(base) + 1))[:1_000_000]
    (_id, ann, tokens), = annotate(nlp, [(text, "big")])
    assert len(text) == 1_000_000 and ann.text == text
    assert len(ann.quotes) > 500
    assert tokens[-1][1] <= len(text)


def test_unknown_model_raises_model_error() -> None:
    with pytest.raises(ModelError, match="no_such_model"):
        load_pipeline("no_such_model_xyz")


def test_model_info(nlp: Language) -> None:
    name, version = model_info(nlp)
    assert name.startswith("en_core_web_sm") and version.count(".") == 2


def test_pipeline_from_path(nlp: Language, tmp_path: Path) -> None:
    import spacy

    base = spacy.load(nlp.meta["lang"] + "_" + nlp.meta["name"])
    base.to_disk(tmp_path / "model")
    loaded = load_pipeline(str(tmp_path / "model"))
    assert loaded.pipe_names[-5:] == ["annotator_quotes", "annotator_attribution", "annotator_speakers",
                                      "annotator_stance_clf", "annotator_checkworthy"]
    rules = load_pipeline(str(tmp_path / "model"), rules_only=True)
    assert rules.pipe_names[-4:] == ["annotator_quotes", "annotator_speakers", "annotator_stance", "annotator_claims"]


def test_two_processes_give_the_same_result(nlp: Language) -> None:
    items = [(p.read_text(encoding="utf-8"), p.stem) for p in sorted(SAMPLES.glob("*.txt"))[:2]]
    one = [(i, a.to_dict()) for i, a, _ in annotate(nlp, items, n_process=1)]
    two = [(i, a.to_dict()) for i, a, _ in annotate(nlp, items, n_process=2, batch_size=1)]
    assert one == two
