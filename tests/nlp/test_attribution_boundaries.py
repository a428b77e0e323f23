"""Content boundaries of the joined attribution output follow PolNeAR's conventions (exact-match scoring).

Each rule was measured on the PolNeAR training articles (numbers in the docstrings of
``annotator.nlp.attribution``); these texts are written for the tests.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp import attribution as na
from annotator.nlp import common as comp


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
