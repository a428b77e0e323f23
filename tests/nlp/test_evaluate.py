"""evaluate() on tiny hand-made cases with known numbers."""

from __future__ import annotations

from typing import Iterable

import pytest

from annotator.nlp.evaluate import OVERLAP_THRESHOLD, char_jaccard, evaluate, quote_matches
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention, Span, Stance

TEXT = "x" * 200


def q(start: int, end: int, kind: str = "direct", name: str | None = None, cue: tuple[int, int] | None = None,
      status: str = "accepted", stance: Stance | None = None) -> Quote:
    speaker = SpeakerMention(150, 155, TEXT[150:155], name) if name else None
    cue_span = Span(cue[0], cue[1], TEXT[cue[0] : cue[1]]) if cue else None
    return Quote("", start, end, TEXT[start:end], kind, cue_span, speaker, stance, status)


def ann(doc_id: str, quotes: Iterable[Quote] = (), claims: Iterable[Claim] = ()) -> Annotation:
    return Annotation(doc_id, TEXT, "a", "done", {}, tuple(quotes), tuple(claims))


def test_char_jaccard() -> None:
    assert char_jaccard(0, 10, 5, 20) == pytest.approx(5 / 20)
    assert char_jaccard(0, 10, 0, 10) == 1.0
    assert char_jaccard(0, 10, 10, 20) == 0.0
    assert OVERLAP_THRESHOLD == 0.3


def test_greedy_one_to_one_matching() -> None:
    gold = [Span(0, 10, ""), Span(12, 20, "")]
    pred = [Span(0, 9, ""), Span(1, 10, ""), Span(30, 40, "")]
    # (0,9) and (1,10) both overlap gold 0 by 0.9; the tie goes to the earlier prediction; gold 1 unmatched
    assert quote_matches(gold, pred, exact=False) == [(0, 0)]
    assert quote_matches(gold, pred, exact=True) == []


def test_known_numbers() -> None:
    gold = [ann("d1", [q(0, 10, name="Ann Lee", cue=(12, 16)), q(20, 40, "indirect", name="Bob", cue=(50, 54)),
                       q(60, 70, "mixed"), q(80, 90, status="rejected")],
                [Claim("c1", 100, 120, TEXT[100:120])])]
    pred = [ann("d1", [q(0, 10, name="ann lee", cue=(12, 16)),          # exact, same speaker (case-insensitive)
                       q(22, 40, "indirect", name="Carl", cue=(50, 55)),  # overlap 18/20, wrong speaker
                       q(60, 70, "indirect"),                            # right span, wrong kind
                       q(170, 180)],                                     # spurious
                [Claim("c1", 100, 110, TEXT[100:110]), Claim("c2", 130, 140, TEXT[130:140])])]
    r = evaluate(gold, pred)
    s = r.scores
    assert (s["quotes_exact"].n_gold, s["quotes_exact"].n_pred, s["quotes_exact"].n_matched) == (3, 4, 2)
    assert s["quotes_overlap"].n_matched == 3
    assert s["quotes_overlap"].precision == pytest.approx(3 / 4) and s["quotes_overlap"].recall == 1.0
    assert s["quotes_overlap"].f1 == pytest.approx(6 / 7)
    assert (s["direct_exact"].n_gold, s["direct_exact"].n_pred, s["direct_exact"].n_matched) == (1, 2, 1)
    assert s["indirect_exact"].n_matched == 0 and s["indirect_overlap"].n_matched == 1
    assert s["indirect_overlap"].n_pred == 2
    assert s["mixed_overlap"].n_gold == 1 and s["mixed_overlap"].n_pred == 0 and s["mixed_overlap"].precision is None
    assert s["cues_exact"].n_matched == 1 and s["cues_overlap"].n_matched == 2
    assert s["claims_overlap"].n_matched == 1 and s["claims_exact"].n_matched == 0
    assert s["claims_overlap"].f1 == pytest.approx(2 / 3)
    assert r.accuracy["speaker"].value == pytest.approx(1 / 2)  # two matched quotes with a gold speaker
    d = r.to_dict()
    assert d["scores"]["quotes_overlap"]["f1"] == pytest.approx(6 / 7) and d["accuracy"]["speaker"] == 0.5


def test_stance_accuracy_and_missing_documents() -> None:
    gold = [ann("d1", [q(0, 10, stance=Stance("Russia", "against")), q(20, 30, stance=Stance("NATO", "favor"))]),
            ann("d2", [q(0, 10)])]
    pred = [ann("d1", [q(0, 10, stance=Stance("russia", "against")), q(20, 30, stance=Stance("NATO", "neutral"))]),
            ann("d3", [q(0, 10)])]
    r = evaluate(gold, pred)
    assert r.accuracy["stance"].value == 0.5 and r.accuracy["stance_target"].value == 1.0
    assert r.missing_predictions == ("d2",) and r.unmatched_predictions == ("d3",)
    assert r.scores["quotes_exact"].n_gold == 3 and r.scores["quotes_exact"].n_matched == 2


def test_empty_inputs() -> None:
    r = evaluate([], [])
    assert r.scores["quotes_exact"].f1 is None and r.accuracy["speaker"].value is None
    r = evaluate([ann("d1")], [ann("d1")])
    assert r.scores["quotes_overlap"].to_dict()["f1"] is None


def test_claims_are_also_scored_by_sentence() -> None:
    from annotator.nlp.evaluate import sentence_ranges

    text = "Prices rose 5%. Wages fell.\nHeading\nTaxes went up 2% in May. Thanks to you all."
    assert [text[a:b] for a, b in sentence_ranges(text)] == [
        "Prices rose 5%.", "Wages fell.", "Heading", "Taxes went up 2% in May.", "Thanks to you all."]

    def claim(part: str, checkworthy: bool = True) -> Claim:
        start = text.index(part)
        return Claim("", start, start + len(part), part, checkworthy)

    gold = Annotation("d", text, "a", "done", {}, (), (claim("Prices rose 5%."), claim("Taxes went up 2% in May."),
                                                       claim("Wages fell.", checkworthy=False)))
    # a clause of the first sentence, the last sentence (wrong), and a non-check-worthy candidate (not counted)
    pred = Annotation("d", text, "m", "done", {}, (), (claim("rose 5%"), claim("Thanks to you all."),
                                                       claim("Taxes went up 2% in May.", checkworthy=False)))
    s = evaluate([gold], [pred]).scores["claims_sentence"]
    assert (s.n_gold, s.n_pred, s.n_matched) == (2, 2, 1)
    assert evaluate([gold], [pred]).scores["claims_exact"].n_matched == 0


def test_stance_with_gold_targets_is_a_macro_f1_over_labels_apart_from_target_and_label() -> None:
    gold = [ann("d1", [q(0, 10, stance=Stance("Russia", "against")), q(20, 30, stance=Stance("NATO", "favor")),
                       q(40, 50, stance=Stance("Ukraine", "neutral")), q(60, 70, stance=Stance("Russia", "against"))])]
    pred = [ann("d1", [q(0, 10, stance=Stance("Russia", "against")),   # right
                       q(20, 30, stance=Stance("NATO", "against")),    # wrong label
                       q(40, 50, stance=Stance("Russia", "neutral")),  # other target: no label toward Ukraine
                       q(60, 70, stance=Stance("russia", "against"))])]  # right (names case-insensitive)
    r = evaluate(gold, pred)
    against, favor, neutral = (r.scores[f"stance_{k}"] for k in ("against", "favor", "neutral"))
    assert (against.n_gold, against.n_pred, against.n_matched) == (2, 3, 2)
    assert (favor.n_gold, favor.n_pred, favor.n_matched) == (1, 0, 0)
    assert (neutral.n_gold, neutral.n_pred, neutral.n_matched) == (1, 0, 0)
    assert r.macro_f1["stance"] == pytest.approx((0.8 + 0.0 + 0.0) / 3)
    assert r.accuracy["stance"].value == pytest.approx(2 / 4) and r.accuracy["stance_target"].value == pytest.approx(3 / 4)
    assert r.to_dict()["macro_f1"] == {"stance": pytest.approx(0.8 / 3)}
