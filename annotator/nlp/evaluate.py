"""Score predicted annotations against gold: quotes, cues, speakers, stance, claims.

Definitions (all micro-averaged over the documents, matched by ``doc_id``; items with status "rejected"
are ignored, see ``Annotation.kept``):

- **Exact match**: same ``start`` and ``end``.
- **Overlap match**: character Jaccard ``|A ∩ B| / |A ∪ B|`` of the two half-open character ranges is at least
  ``OVERLAP_THRESHOLD`` (0.3). E.g. ``[0, 10)`` and ``[5, 20)`` overlap 5 / 20 = 0.25: no match.
- Matching is one-to-one, the same as agreement's (``agreement.metrics.match_spans``): as many pairs as
  possible and, among such matchings, the most shared characters; each gold and each predicted item is used at
  most once, and an item given twice on one side (same offsets) counts once in the matching.
- Precision = matched / predicted, recall = matched / gold, F1 = 2·matched / (gold + predicted); a ratio with
  a zero denominator is ``None``.
- Per quote kind (``direct``, ``indirect``, ``mixed``): gold and predictions of that kind only.
- Cues: the distinct cue spans of each side (a cue shared by two quotes counts once).
- Speaker accuracy: over quote pairs matched by overlap (any kind) whose gold quote has a speaker, the share
  whose predicted speaker has the same canonical name (case-insensitive; no predicted speaker is wrong).
- Stance accuracy: over overlap-matched pairs whose gold quote has a stance, the share with equal target
  and label (``stance_target`` counts the target only).
- Claims: check-worthy claims only (``checkworthy`` true), exact and overlap; ``claims_sentence`` scores
  sentences instead of spans (as ClaimBuster does): a sentence of the gold text (``sentence_ranges``) is
  check-worthy on a side when one of that side's check-worthy claims overlaps it.
- Stance with gold targets (``stance_favor``, ``stance_against``, ``stance_neutral`` and their macro F1
  ``macro_f1["stance"]``, as stance benchmarks report): over overlap-matched quote pairs whose gold quote has
  a stance, the predicted label toward the gold target (no prediction when the predicted target differs).
  ``accuracy["stance"]`` stays the stricter target+label measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, TypeVar

from annotator.agreement.metrics import match_spans
from annotator.scheme import QUOTE_KINDS, STANCE_LABELS, Annotation, Claim, Quote

OVERLAP_THRESHOLD = 0.3
T = TypeVar("T")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


def sentence_ranges(text: str) -> list[tuple[int, int]]:
    """Sentences of ``text`` as stripped ``(start, end)`` ranges: a break after final punctuation followed by
    whitespace, and at every line break (a heading or a paragraph never runs into the next one)."""
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(text)))
    ranges = []
    for a, b in out:
        piece = text[a:b]
        a2, b2 = a + len(piece) - len(piece.lstrip()), a + len(piece.rstrip())
        if b2 > a2:
            ranges.append((a2, b2))
    return ranges


def _sentence_prf(text: str, gold: Sequence[Claim], pred: Sequence[Claim]) -> "PRF":
    sentences = sentence_ranges(text)

    def marked(claims: Sequence[Claim]) -> set[int]:
        return {i for i, (a, b) in enumerate(sentences) for c in claims if c.start < b and a < c.end}

    g, p = marked(gold), marked(pred)
    return PRF(len(g), len(p), len(g & p))


def char_jaccard(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """|A ∩ B| / |A ∪ B| of two half-open character ranges (0.0 for two empty ranges)."""
    inter = max(0, min(a_end, b_end) - max(a_start, b_start))
    union = (a_end - a_start) + (b_end - b_start) - inter
    return inter / union if union > 0 else 0.0


def quote_matches(gold: Sequence[Any], pred: Sequence[Any], exact: bool,
                  threshold: float = OVERLAP_THRESHOLD) -> list[tuple[int, int]]:
    """``[(gold_index, pred_index), ...]`` of items with ``start``/``end``: exact, or by overlap with a character
    Jaccard of at least ``threshold``; the one matching of ``agreement.metrics.match_spans``."""
    return match_spans(gold, pred, "exact" if exact else "overlap", min_overlap=0.0 if exact else threshold)


@dataclass(frozen=True)
class PRF:
    """Counts and scores of one measure."""

    n_gold: int
    n_pred: int
    n_matched: int

    @property
    def precision(self) -> float | None:
        return self.n_matched / self.n_pred if self.n_pred else None

    @property
    def recall(self) -> float | None:
        return self.n_matched / self.n_gold if self.n_gold else None

    @property
    def f1(self) -> float | None:
        total = self.n_gold + self.n_pred
        return 2 * self.n_matched / total if total else None

    def __add__(self, other: "PRF") -> "PRF":
        return PRF(self.n_gold + other.n_gold, self.n_pred + other.n_pred, self.n_matched + other.n_matched)

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "n_gold": self.n_gold, "n_pred": self.n_pred, "n_matched": self.n_matched}


@dataclass(frozen=True)
class Accuracy:
    n: int
    correct: int

    @property
    def value(self) -> float | None:
        return self.correct / self.n if self.n else None

    def __add__(self, other: "Accuracy") -> "Accuracy":
        return Accuracy(self.n + other.n, self.correct + other.correct)


@dataclass(frozen=True)
class EvaluationReport:
    """Scores by measure name (``quotes_exact``, ``quotes_overlap``, ``direct_exact``, ..., ``cues_overlap``,
    ``claims_exact``, ``claims_overlap``) and accuracies (``speaker``, ``stance``, ``stance_target``)."""

    scores: Mapping[str, PRF]
    accuracy: Mapping[str, Accuracy]
    n_documents: int
    missing_predictions: tuple[str, ...] = ()
    unmatched_predictions: tuple[str, ...] = ()
    overlap_threshold: float = OVERLAP_THRESHOLD
    per_document: Mapping[str, Mapping[str, PRF]] = field(default_factory=dict)

    def f1(self, name: str) -> float | None:
        return self.scores[name].f1

    @property
    def macro_f1(self) -> dict[str, float | None]:
        """``{"stance": ...}``: the mean F1 of the stance labels toward gold targets (labels with gold or
        predictions only; ``None`` when there are none)."""
        f1s = [self.scores[f"stance_{k}"].f1 for k in STANCE_LABELS if f"stance_{k}" in self.scores]
        present = [f for f in f1s if f is not None]
        return {"stance": sum(present) / len(present) if present else None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_documents": self.n_documents,
            "overlap_threshold": self.overlap_threshold,
            "scores": {name: prf.to_dict() for name, prf in self.scores.items()},
            "accuracy": {name: acc.value for name, acc in self.accuracy.items()},
            "accuracy_counts": {name: {"n": acc.n, "correct": acc.correct} for name, acc in self.accuracy.items()},
            "macro_f1": self.macro_f1,
            "missing_predictions": list(self.missing_predictions),
            "unmatched_predictions": list(self.unmatched_predictions),
        }


def _prf(gold: Sequence[Any], pred: Sequence[Any], exact: bool) -> PRF:
    return PRF(len(gold), len(pred), len(quote_matches(gold, pred, exact)))


def _same_name(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def _score_pair(gold: Annotation, pred: Annotation) -> tuple[dict[str, PRF], dict[str, Accuracy]]:
    g, p = gold.kept(), pred.kept()
    scores: dict[str, PRF] = {}
    for mode in ("exact", "overlap"):
        exact = mode == "exact"
        scores[f"quotes_{mode}"] = _prf(g.quotes, p.quotes, exact)
        for kind in QUOTE_KINDS:
            scores[f"{kind}_{mode}"] = _prf([q for q in g.quotes if q.kind == kind],
                                            [q for q in p.quotes if q.kind == kind], exact)
        scores[f"cues_{mode}"] = _prf(g.layer_spans("cues"), p.layer_spans("cues"), exact)
        scores[f"claims_{mode}"] = _prf([c for c in g.claims if c.checkworthy],
                                        [c for c in p.claims if c.checkworthy], exact)
    scores["claims_sentence"] = _sentence_prf(gold.text, [c for c in g.claims if c.checkworthy],
                                              [c for c in p.claims if c.checkworthy])
    labels = {k: PRF(0, 0, 0) for k in STANCE_LABELS}
    speaker = stance = target = Accuracy(0, 0)
    for gi, pi in quote_matches(g.quotes, p.quotes, exact=False):
        gq: Quote = g.quotes[gi]
        pq: Quote = p.quotes[pi]
        if gq.speaker is not None:
            ok = pq.speaker is not None and _same_name(gq.speaker.name, pq.speaker.name)
            speaker += Accuracy(1, int(ok))
        if gq.stance is not None:
            same_target = pq.stance is not None and _same_name(gq.stance.target, pq.stance.target)
            target += Accuracy(1, int(same_target))
            stance += Accuracy(1, int(same_target and pq.stance is not None and pq.stance.label == gq.stance.label))
            predicted = pq.stance.label if same_target and pq.stance is not None else None
            for k in labels:
                labels[k] += PRF(int(gq.stance.label == k), int(predicted == k), int(gq.stance.label == k == predicted))
    scores.update({f"stance_{k}": v for k, v in labels.items()})
    return scores, {"speaker": speaker, "stance": stance, "stance_target": target}


def text_mismatches(gold: Sequence[Annotation], pred: Sequence[Annotation]) -> list[tuple[int, int]]:
    """``(pred_index, gold_index)`` of predictions whose text differs from the gold document with their id:
    their offsets point into another text, so scoring them would be meaningless."""
    gold_at: dict[str, int] = {}
    for gi, a in enumerate(gold):
        gold_at.setdefault(a.doc_id, gi)
    return [(pi, gold_at[p.doc_id]) for pi, p in enumerate(pred)
            if p.doc_id in gold_at and p.text != gold[gold_at[p.doc_id]].text]


def evaluate(gold: Sequence[Annotation], pred: Sequence[Annotation]) -> EvaluationReport:
    """Compare predictions with gold, document by document (matched by ``doc_id``)."""
    by_id: dict[str, Annotation] = {}
    for a in pred:
        by_id.setdefault(a.doc_id, a)
    gold_ids = {a.doc_id for a in gold}
    totals: dict[str, PRF] = {}
    accs: dict[str, Accuracy] = {}
    per_doc: dict[str, Mapping[str, PRF]] = {}
    missing = []
    for ga in gold:
        pa = by_id.get(ga.doc_id)
        if pa is None:
            missing.append(ga.doc_id)
            pa = Annotation(ga.doc_id, ga.text)
        scores, acc = _score_pair(ga, pa)
        per_doc[ga.doc_id] = scores
        for k, v in scores.items():
            totals[k] = totals.get(k, PRF(0, 0, 0)) + v
        for k, count in acc.items():
            accs[k] = accs.get(k, Accuracy(0, 0)) + count
    if not gold:
        empty, _ = _score_pair(Annotation("", ""), Annotation("", ""))
        totals = dict(empty)
        accs = {"speaker": Accuracy(0, 0), "stance": Accuracy(0, 0), "stance_target": Accuracy(0, 0)}
    return EvaluationReport(
        scores=totals, accuracy=accs, n_documents=len(gold), missing_predictions=tuple(missing),
        unmatched_predictions=tuple(sorted(i for i in by_id if i not in gold_ids)), per_document=per_doc,
    )
