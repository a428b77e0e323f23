"""The second attribution pass: verb clauses the CRF left alone, read as cue (the verb), content (its
complement, object or prepositional object) and source (its subject), kept when a logistic regression finds
them likely PolNeAR attributions ("sued the party", "backed the bill", "called for an inquiry"); and the
clauses after cue nouns ("the senator's claim that ...": cue the noun, source its possessor).

A tiny classifier is trained here on sentences written for the test; the shipped one runs through
`annotator predict` in a fresh process in tests/nlp/test_attribution.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from annotator.errors import ModelError
from annotator.nlp import attribution as na
from annotator.nlp.attribution_clauses import CLAUSE_FILE, ClauseModel, candidates
from annotator.nlp.common import ATTRIBUTIONS_EXT
from annotator.nlp.convert import doc_to_annotation
from annotator.nlp.stacked import ScoredTagger
from annotator.scheme import Annotation, annotation_from_dict
from annotator.training import attribution as ta

#: (sentence, cue, content, source) of acts and stances PolNeAR attributes; None: no attribution in it.
TRAIN = [
    ("The union backed the strike.", "backed", "the strike", "The union"),
    ("The mayor backed the new stadium plan.", "backed", "the new stadium plan", "The mayor"),
    ("Local farmers opposed the water tax.", "opposed", "the water tax", "Local farmers"),
    ("The senator opposed the trade deal with Mexico.", "opposed", "the trade deal with Mexico", "The senator"),
    ("The company sued the city over the permit.", "sued", "the city", "The company"),
    ("The campaign sued the party last week.", "sued", "the party", "The campaign"),
    ("The governor ate a sandwich at noon.", None, None, None),
    ("The children painted the fence on Sunday.", None, None, None),
    ("The workers ate lunch in the park.", None, None, None),
    ("The team painted the office blue.", None, None, None),
    ("Officials closed the bridge for repairs.", None, None, None),
    ("The driver closed the door quietly.", None, None, None),
]


#: The same for cue nouns: "claim" and "warning" head attributions twice each, so they become cue nouns; "plan"
#: never does.
NOUN_TRAIN = [
    ("The senator's claim that the bridge was safe was wrong.", "claim", "that the bridge was safe", "The senator"),
    ("Her claim that the vote was fair was false.", "claim", "that the vote was fair", "Her"),
    ("His warning that prices would rise went unheeded.", "warning", "that prices would rise", "His"),
    ("The minister's warning that the dam could break came too late.", "warning", "that the dam could break",
     "The minister"),
    ("The claim for damages was filed on Monday.", None, None, None),
    ("The cook's plan for dinner was simple.", None, None, None),
    ("Their plan to build a bridge was approved.", None, None, None),
]


def _gold(i: int, text: str, cue: str | None, content: str | None, source: str | None) -> Annotation:
    quotes: list[dict[str, Any]] = []
    if cue and content and source:
        def span(piece: str) -> dict[str, Any]:
            start = text.index(piece)
            return {"start": start, "end": start + len(piece), "text": piece}

        quotes.append({**span(content), "kind": "indirect", "cue": span(cue),
                       "speaker": {**span(source), "name": source}})
    return annotation_from_dict({"id": f"t{i}", "text": text, "quotes": quotes})


@pytest.fixture(scope="module")
def tiny_clauses(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    gold = [_gold(i, *row) for i, row in enumerate(TRAIN)]
    docs = ta.parse(nlp, gold)
    out = tmp_path_factory.mktemp("clauses")
    facts = ta.train_clauses(docs, gold, out, params={"c": 10.0, "threshold": 0.5})
    # "sued the city over the permit": both "the city" and "the city over the permit" match the gold content
    assert facts["positives"] == 7 and facts["candidates"] >= 12
    return out


@pytest.fixture(scope="module")
def tiny_noun_clauses(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    gold = [_gold(i, *row) for i, row in enumerate(TRAIN + NOUN_TRAIN)]
    docs = ta.parse(nlp, gold)
    out = tmp_path_factory.mktemp("noun_clauses")
    facts = ta.train_clauses(docs, gold, out, params={"c": 10.0, "threshold": 0.5})
    assert facts["cue_nouns"] == 2
    return out


def _cands(doc: Doc, nouns: frozenset[str] = frozenset()) -> set[tuple[str, str, str]]:
    return {(c.variant, doc[c.verb:c.cue_end].text, doc[c.start:c.end].text) for c in candidates(doc, nouns=nouns)}


def test_a_verb_gives_its_object_complement_or_prepositional_object_as_candidate_contents(nlp: Language) -> None:
    sued = _cands(nlp("The campaign sued the party in federal court."))
    assert ("core", "sued", "the party") in sued
    assert ("full", "sued", "the party in federal court") in sued  # the object with what completes it
    called = _cands(nlp("The mayor called for an independent inquiry."))
    assert ("prep:for", "called for", "an independent inquiry") in called  # the preposition joins the cue
    said = _cands(nlp("He said that taxes would rise."))
    assert ("core", "said", "that taxes would rise") in said  # PolNeAR: the complementizer inside the content


def test_a_cue_noun_gives_the_clause_or_prepositional_object_after_it_as_candidate_content(nlp: Language) -> None:
    claim = nlp("The council's claim that the budget was balanced was wrong.")
    assert ("n:acl", "claim", "that the budget was balanced") in _cands(claim, frozenset({"claim"}))
    assert not any(v.startswith("n:") for v, _cue, _content in _cands(claim))  # not a cue noun: no candidate
    criticism = nlp("The coach's criticism of the referee drew a fine.")
    assert ("n:prep:of", "criticism of", "the referee") in _cands(criticism, frozenset({"criticism"}))


def test_the_trained_pass_adds_a_noun_cue_attribution_with_the_possessor_as_source(
        tiny_noun_clauses: Path, nlp: Language) -> None:
    """The cue nouns are learnt from the training cues and saved with the weights; "plan" headed no
    attribution, so "the cook's plan for dinner" is not even a candidate."""
    model = ClauseModel.find(tiny_noun_clauses)
    assert model is not None and model.cue_nouns == {"claim", "warning"}
    text = "The council's claim that the budget was balanced was wrong. The cook's plan for dinner was simple."
    doc = nlp(text)
    records = na.add_clauses(doc, [], model, doc._.get(ATTRIBUTIONS_EXT))
    doc._.set(ATTRIBUTIONS_EXT, records)
    quotes = doc_to_annotation(doc, "t").quotes
    assert [(q.text, q.kind, q.cue.text if q.cue else None, q.speaker.text if q.speaker else None)
            for q in quotes] == [("that the budget was balanced", "indirect", "claim", "The council")]


def test_the_trained_pass_adds_an_act_attribution_with_the_verb_as_cue_and_its_subject_as_source(
        tiny_clauses: Path, nlp: Language) -> None:
    model = ClauseModel.find(tiny_clauses)
    assert model is not None and model.threshold == 0.5
    text = "The council backed the budget. The cook ate a sandwich."
    doc = nlp(text)
    records = na.add_clauses(doc, [], model, doc._.get(ATTRIBUTIONS_EXT))
    assert [(text[r["start"]:r["end"]], r["kind"], text[r["cue"][0]:r["cue"][1]],
             text[r["speaker"][0]:r["speaker"][1]]) for r in records] == [
        ("the budget", "indirect", "backed", "The council")]


def test_the_pass_leaves_contents_already_found_alone(tiny_clauses: Path, nlp: Language) -> None:
    model = ClauseModel.find(tiny_clauses)
    assert model is not None
    text = "The council backed the budget."
    doc = nlp(text)
    start = text.index("the budget")
    found = {"start": start, "end": start + len("the budget"), "kind": "indirect", "cue": None,
             "speaker": None, "name": None, "stance": None}
    assert na.add_clauses(doc, [found], model, []) == [found]


def test_the_classifier_is_saved_as_json_weights_and_a_broken_file_is_a_user_error(tiny_clauses: Path,
                                                                                   tmp_path: Path) -> None:
    data = json.loads((tiny_clauses / CLAUSE_FILE).read_text(encoding="utf-8"))
    assert data["weights"]["lemma=back"] > 0 > data["weights"]["lemma=eat"]
    assert ClauseModel.find(tmp_path) is None  # a model folder without it: the CRF works alone
    (tmp_path / CLAUSE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=f"cannot read .*{CLAUSE_FILE}"):
        ClauseModel.find(tmp_path)


def test_a_saved_component_carries_the_second_pass(tiny_clauses: Path, tmp_path: Path) -> None:
    """``nlp.to_disk`` copies ``clauses.json`` with the CRF; the component loaded from there uses it."""
    model = tmp_path / "model"
    model.mkdir()
    for name in ("model.crfsuite", "cue_lemmas.json"):
        (model / name).write_bytes((na.DEFAULT_MODEL_DIR / name).read_bytes())
    (model / CLAUSE_FILE).write_bytes((tiny_clauses / CLAUSE_FILE).read_bytes())
    na.AttributionComponent(ScoredTagger(model)).to_disk(tmp_path / "saved")
    saved = tmp_path / "saved" / CLAUSE_FILE
    assert saved.read_bytes() == (tiny_clauses / CLAUSE_FILE).read_bytes()
    component = na.AttributionComponent(ScoredTagger(na.DEFAULT_MODEL_DIR)).from_disk(tmp_path / "saved")
    assert component.clauses is not None and component.clauses.weights == json.loads(saved.read_text())["weights"]
