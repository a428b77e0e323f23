"""The record filter: the CRF's records a logistic regression finds unlikely right are dropped before the
join, so a rule record they overlapped comes back; it learns from CRFs cross-fitted on halves of the
training texts (the shipped CRF's records on its own training texts are nearly all right).

What a CRF said is written by hand here (spans and content probabilities), so the tests show what the
filter learns from it; the cross-fitting trains two tiny CRFs on the brat fixture.
"""

from __future__ import annotations

import json
from pathlib import Path
import pytest
from spacy.language import Language
from spacy.tokens import Doc

from annotator.errors import InputError
from annotator.nlp import attribution as na
from annotator.nlp import attribution_records as ar
from annotator.nlp.attribution_clauses import ClauseModel
from annotator.nlp.common import ATTRIBUTIONS_EXT
from annotator.nlp.stacked import ScoredTagger
from annotator.training import attribution as ta
from tests.io.brat_fixture import write_plain, write_polnear
from tests.nlp.test_attribution_clauses import _gold

#: (text, cue, content, source, whether the gold has that attribution): reported speech is right, what
#: the "CRF" reads into a meal is not.
TEXTS = [
    ("The mayor said the plan would fail.", "said", "the plan would fail", "The mayor", True),
    ("The senator said the vote was rigged.", "said", "the vote was rigged", "The senator", True),
    ("Local farmers said the tax was unfair.", "said", "the tax was unfair", "Local farmers", True),
    ("The union said the strike would go on.", "said", "the strike would go on", "The union", True),
    ("The governor ate a large sandwich.", "ate", "a large sandwich", "The governor", False),
    ("The children ate a cold pizza.", "ate", "a cold pizza", "The children", False),
    ("The workers ate a quick lunch.", "ate", "a quick lunch", "The workers", False),
    ("The team ate a birthday cake.", "ate", "a birthday cake", "The team", False),
]


def _tokens(doc: Doc, piece: str) -> tuple[int, int]:
    start = doc.text.index(piece)
    span = doc.char_span(start, start + len(piece), alignment_mode="expand")
    assert span is not None
    return span.start, span.end


def _tagged(doc: Doc, cue: str, content: str, source: str) -> ta.Tagged:
    """What a CRF that tags the sentence as an attribution says: the spans, P(content) 0.9 inside."""
    spans = [(label, *_tokens(doc, piece), 0.9) for label, piece in (("SRC", source), ("CUE", cue), ("CON", content))]
    start, end = _tokens(doc, content)
    return spans, {i: 0.9 if start <= i < end else 0.05 for i in range(len(doc))}


@pytest.fixture(scope="module")
def record_model(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    gold = [_gold(i, text, cue, content, source) if right else _gold(i, text, None, None, None)
            for i, (text, cue, content, source, right) in enumerate(TEXTS)]
    docs = ta.parse(nlp, gold)
    tagged = [_tagged(doc, cue, content, source) for doc, (_t, cue, content, source, _r) in zip(docs, TEXTS)]
    out = tmp_path_factory.mktemp("records")
    facts = ta.train_records(docs, gold, out, params={"c": 10.0, "threshold": 0.5}, tagged=tagged)
    assert facts["candidates"] == 8 and facts["positives"] == 4
    return out


def test_the_filter_learns_which_crf_records_are_wrong_and_drops_them_before_the_join(
        record_model: Path, nlp: Language) -> None:
    model = ar.find(record_model)
    assert model is not None and model.threshold == 0.5
    text = "The council said the budget was late. The cook ate a hot soup."
    doc = nlp(text)
    learned = []
    for cue, content, source in (("said", "the budget was late", "The council"), ("ate", "a hot soup", "The cook")):
        spans, _content = _tagged(doc, cue, content, source)
        learned.extend(na.group(doc, [(k, s, e) for k, s, e, _p in spans]))
    content = _tagged(doc, "said", "the budget was late", "The council")[1]
    kept = ar.keep_records(doc, learned, model, content, na.sentence_index(doc))
    assert [text[r["start"]:r["end"]] for r in kept] == ["the budget was late"]


def test_the_component_filters_the_crfs_records_and_keeps_the_rules_ones(tmp_path: Path, nlp: Language) -> None:
    """A filter that rejects every record: what the component then gives is the rules' records alone."""
    model = tmp_path / "model"
    model.mkdir()
    for name in ("model.crfsuite", "cue_lemmas.json"):
        (model / name).write_bytes((na.DEFAULT_MODEL_DIR / name).read_bytes())
    text = "“We will win,” the senator said. Polls show voters are tired of the war."
    doc = nlp(text)
    rules = [dict(r) for r in doc._.get(ATTRIBUTIONS_EXT)]
    assert [r["kind"] for r in rules] == ["direct"]
    unfiltered = na.AttributionComponent(ScoredTagger(model))(nlp(text))._.get(ATTRIBUTIONS_EXT)
    assert len(unfiltered) > len(rules)  # the CRF adds what the polls show
    ClauseModel({}, -10.0, 0.5).save(model, ar.RECORD_FILE)
    component = na.AttributionComponent(ScoredTagger(model))
    assert component.keep is not None
    filtered = component(nlp(text))._.get(ATTRIBUTIONS_EXT)
    assert [(r["start"], r["end"], r["kind"]) for r in filtered] == [(r["start"], r["end"], r["kind"]) for r in rules]
    component.to_disk(tmp_path / "saved")  # a saved pipeline carries the filter
    assert json.loads((tmp_path / "saved" / ar.RECORD_FILE).read_text())["intercept"] == -10.0


def test_cross_fitting_tags_each_text_with_a_crf_trained_on_the_other_half(tmp_path: Path, nlp: Language) -> None:
    write_polnear(tmp_path / "polnear")
    write_plain(tmp_path / "plain")
    corpus = ta.load_corpus(tmp_path)
    docs = ta.parse(nlp, corpus.annotations)
    tagged = ta.cross_fit(docs, corpus.annotations, params={"max_iterations": 20, "feature.minfreq": 1})
    assert len(tagged) == 2
    for doc, (spans, content) in zip(docs, tagged):
        assert sorted(content) == [i for i, t in enumerate(doc) if i in content] and len(content) > len(doc) / 2
        assert all(0.0 <= p <= 1.0 for p in content.values())
    with pytest.raises(InputError, match="at least two training texts"):
        ta.cross_fit(docs[:1], corpus.annotations[:1])
    out = tmp_path / "out"
    out.mkdir()
    (out / ar.RECORD_FILE).write_text("{}", encoding="utf-8")  # a stale filter of an earlier run goes
    assert "skipped" in ta.train_records(docs[:1], corpus.annotations[:1], out)
    assert not (out / ar.RECORD_FILE).exists()
