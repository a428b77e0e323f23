"""Content boundaries of the joined attribution output follow PolNeAR's conventions (exact-match scoring).

Each rule was measured on the PolNeAR training articles (numbers in the docstrings of
``annotator.nlp.attribution``); these texts are written for the tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp import attribution as na
from annotator.nlp import common as comp
from annotator.nlp import stacked
from annotator.nlp.stacked import ScoredTagger
from annotator.scheme import annotation_from_dict
from annotator.training import attribution as ta


def _tok(doc: Doc, word: str, nth: int = 0) -> int:
    return [t.i for t in doc if t.text == word][nth]


def _contents(doc: Doc, records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["kind"], doc.text[r["start"]:r["end"]]) for r in records]


def test_a_direct_quote_after_a_closing_mark_leaves_out_its_own_marks() -> None:
    """The mark found just before a tagged ``''B,''`` closes the quotation before it: the content is still the
    direct quote inside its own marks (before, the marks stayed in the span)."""
    text = "He cited ''60 Minutes.'' ''It posed no problem,'' he said."
    start = text.index("''It")
    end = text.index(",''") + 3
    inner = text.index("It posed")
    assert na.content_span(text, start, end) == (inner, text.index(",''") + 1, "direct")


def test_a_tagged_content_loses_a_trailing_conjunction_or_comma(nlp: Language) -> None:
    doc = nlp("Critics argued the plan was too costly and voters agreed.\n")
    argued, plan, and_ = _tok(doc, "argued"), _tok(doc, "the"), _tok(doc, "and")
    (rec,) = na.group(doc, [("SRC", 0, 1), ("CUE", argued, argued + 1), ("CON", plan, and_ + 1)])
    assert _contents(doc, [rec]) == [("indirect", "the plan was too costly")]
    comma = nlp("Critics argued the plan was too costly, and voters agreed.\n")
    c_and = _tok(comma, "and")
    (rec,) = na.group(comma, [("CUE", argued, argued + 1), ("CON", plan, c_and + 1)])
    assert _contents(comma, [rec]) == [("indirect", "the plan was too costly")]


def test_a_tagged_content_over_the_verbs_adverbial_starts_at_that(nlp: Language) -> None:
    doc = nlp("Trump announced on the convention floor that the delegates had delivered the votes he needed.\n")
    cue, on, end = _tok(doc, "announced"), _tok(doc, "on"), _tok(doc, "needed") + 1
    (rec,) = na.group(doc, [("SRC", 0, 1), ("CUE", cue, cue + 1), ("CON", on, end)])
    assert _contents(doc, [rec]) == [("indirect", "that the delegates had delivered the votes he needed")]
    # a content that starts with its own words before the clause keeps them ("the idea that ..." is no
    # verb's object: the clause's verb is inside the content)
    noun = nlp("Critics rejected the idea that the delegates had delivered the votes.\n")
    cue, idea = _tok(noun, "rejected"), _tok(noun, "the")
    (rec,) = na.group(noun, [("CUE", cue, cue + 1), ("CON", idea, _tok(noun, "votes") + 1)])
    assert _contents(noun, [rec]) == [("indirect", "the idea that the delegates had delivered the votes")]


def test_a_content_ends_before_a_verb_coordinated_with_its_cue(nlp: Language) -> None:
    """"criticized the tax and praised the budget": "praised" is a cue of its own (PolNeAR), so the content
    of "criticized" is "the new tax"; the conjunction, a comma and an adverb before the verb go with it."""
    for text in ("The senator criticized the new tax and praised the budget.\n",
                 "The senator criticized the new tax, and later praised the budget.\n"):
        doc = nlp(text)
        cue, the = _tok(doc, "criticized"), _tok(doc, "the")
        records = na.group(doc, [("SRC", 0, 2), ("CUE", cue, cue + 1), ("CON", the, _tok(doc, "budget") + 1)])
        assert _contents(doc, records)[0][1].endswith("praised the budget")  # as tagged
        (cut,) = na.before_coordinated_cue(doc, records)
        assert _contents(doc, [cut]) == [("indirect", "the new tax")]
        assert (cut["cue"], cut["speaker"]) == (records[0]["cue"], records[0]["speaker"])


def test_a_content_keeps_verbs_coordinated_inside_it_or_with_a_cue_inside_it(nlp: Language) -> None:
    """"said that taxes rose and prices fell": "fell" is coordinated with "rose", inside the content, not with
    the cue; a cue inside its own content (PolNeAR's "X, he said, and Y") and a direct quote are left alone."""
    doc = nlp("The senator said that taxes rose and prices fell.\n")
    cue = _tok(doc, "said")
    records = na.group(doc, [("CUE", cue, cue + 1), ("CON", _tok(doc, "that"), _tok(doc, "fell") + 1)])
    assert na.before_coordinated_cue(doc, records) == records
    inside = nlp("The senator criticized the new tax and praised the budget.\n")
    cue = _tok(inside, "criticized")
    record = {"start": 0, "end": inside.text.index("."), "kind": "indirect", "cue": [inside[cue].idx,
              inside[cue].idx + len(inside[cue])], "speaker": None, "name": None, "stance": None}
    assert na.before_coordinated_cue(inside, [record]) == [record]
    direct = {**record, "start": inside[_tok(inside, "the")].idx, "kind": "direct"}
    assert na.before_coordinated_cue(inside, [direct]) == [direct]


def test_a_content_is_not_cut_inside_a_quoted_fragment(nlp: Language) -> None:
    """The parser makes "threatens" a verb coordinated with "criticized", but it is inside the quoted words:
    the mixed content stays whole (before, it was cut before "and it threatens")."""
    text = "He criticized the plan as “costly and dangerous and it threatens the whole budget.”\n"
    doc = nlp(text)
    cue = _tok(doc, "criticized")
    assert doc[_tok(doc, "threatens")].head.i == cue and doc[_tok(doc, "threatens")].dep_ == "conj"
    record = {"start": text.index("the plan"), "end": text.index("”") + 1, "kind": "mixed",
              "cue": [doc[cue].idx, doc[cue].idx + len(doc[cue])], "speaker": None, "name": None, "stance": None}
    assert na.before_coordinated_cue(doc, [record]) == [record]


class _FixedTagger:
    """A CRF stand-in that tags "criticized" as cue and everything after it as one content."""

    model_dir = na.DEFAULT_MODEL_DIR

    def tag_all(self, doc: Doc) -> tuple[list[tuple[str, int, int, float]], dict[int, float]]:
        cue = _tok(doc, "criticized")
        return [("SRC", 0, 2, 1.0), ("CUE", cue, cue + 1, 1.0), ("CON", cue + 1, _tok(doc, "budget") + 1, 1.0)], {}


def test_the_component_and_predict_modes_cut_before_a_coordinated_cue(
        nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways the joined output is made (the pipeline component; the training code's modes, which the
    model card's numbers come from) end the content before "and praised"."""
    text = "The senator criticized the new tax and praised the budget.\n"
    component = na.AttributionComponent(ScoredTagger(na.DEFAULT_MODEL_DIR))
    component.tagger, component.clauses, component.keep = _FixedTagger(), None, None  # type: ignore[assignment]
    doc = component(nlp(text))
    assert [text[r["start"]:r["end"]] for r in doc._.get(comp.ATTRIBUTIONS_EXT)] == ["the new tax"]
    for name in ("model.crfsuite", "cue_lemmas.json"):  # a model folder without a second pass or filter
        shutil.copy(na.DEFAULT_MODEL_DIR / name, tmp_path / name)
    monkeypatch.setattr(stacked, "ScoredTagger", lambda _folder: _FixedTagger())
    gold = annotation_from_dict({"id": "t", "text": text, "quotes": []})
    for mode, (pred,) in ta.predict_modes([nlp(text)], [gold], tmp_path, modes=("joined", "learned")).items():
        assert [q.text for q in pred.quotes] == ["the new tax"], mode
