"""Disagreements between annotators are found item by item and merged into one gold version."""

from __future__ import annotations

from typing import Iterable

import pytest

from annotator.review.adjudication import compare, merge
from annotator.errors import UserError
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention

TEXT = "“Talks were useful,” Blinken said. Lavrov said NATO refused. About 100,000 troops are there."


def q(start: int, end: int, kind: str = "direct", name: str | None = None, qid: str = "q1") -> Quote:
    speaker = SpeakerMention(21, 28, "Blinken", name) if name else None
    return Quote(qid, start, end, TEXT[start:end], kind, None, speaker)


def c(start: int, end: int) -> Claim:
    return Claim("c1", start, end, TEXT[start:end])


def ann(name: str, quotes: Iterable[Quote] = (), claims: Iterable[Claim] = ()) -> Annotation:
    return Annotation("d", TEXT, name, "done", {}, tuple(quotes), tuple(claims))


def test_identical_items_are_agreed_and_differences_are_disagreements() -> None:
    claim = c(TEXT.index("About"), len(TEXT))
    a = ann("alice", [q(1, 18, name="Antony Blinken"), q(47, 59, "indirect", qid="q2")], [claim])
    b = ann("bob", [q(1, 18, name="Blinken"), q(47, 59, "indirect", qid="x9")], [claim])
    cmp = compare({"bob": b, "alice": a})
    assert cmp.annotators == ("alice", "bob")
    assert [i.text for i in cmp.agreed] == ["NATO refused", "About 100,000 troops are there."]
    (d,) = cmp.disagreements
    assert d.layer == "quotes" and d.options["alice"].speaker.name == "Antony Blinken"
    assert d.describe() == "quote marked differently by alice, bob"


def test_an_item_only_one_annotator_marked() -> None:
    cmp = compare({"alice": ann("alice", [q(1, 18)]), "bob": ann("bob")})
    (d,) = cmp.disagreements
    assert d.options == {"alice": cmp.disagreements[0].options["alice"], "bob": None}
    assert d.describe() == "quote marked by alice only"
    assert merge(cmp, {0: None}).quotes == ()
    assert merge(cmp, {0: d.options["alice"]}).quotes[0].text == "Talks were useful"


def test_merge_renumbers_and_refuses_overlapping_choices() -> None:
    a = ann("alice", [q(1, 6, qid="q1"), q(7, 18, qid="q2")])
    b = ann("bob", [q(1, 18)])
    cmp = compare({"alice": a, "bob": b})
    assert len(cmp.disagreements) == 2
    first, second = cmp.disagreements
    gold = merge(cmp, {0: first.options["alice"], 1: second.options["alice"]})
    assert [(x.id, x.text, x.status) for x in gold.quotes] == [("q1", "Talks", "accepted"), ("q2", "were useful", "accepted")]
    assert gold.annotator == "gold"
    with pytest.raises(UserError, match="overlap"):
        merge(cmp, {0: first.options["bob"], 1: second.options["alice"]})


def test_rejected_items_do_not_count() -> None:
    rejected = Quote("q1", 1, 18, TEXT[1:18], status="rejected")
    cmp = compare({"alice": ann("alice", [rejected]), "bob": ann("bob")})
    assert cmp.disagreements == () and cmp.agreed == ()
