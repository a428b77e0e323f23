"""Each annotator against the adjudicated version (``gold``): how close is everyone to the answer.

Reuses the pairwise comparison of :func:`compute_agreement` with the gold version as the first
(reference) annotator, so recall is ``tp / |gold spans|`` and precision ``tp / |annotator's spans|``
with the same exact and overlap matching as span F1. Speaker and stance accuracy are the shares of
the quotes matched to a gold quote (overlap matching) that have gold's canonical speaker (or, like
gold, none) and gold's stance label (``none`` included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from annotator.agreement.metrics import SpanF1
from annotator.agreement.report import compute_agreement
from annotator.agreement.results import ALL_LAYERS, AgreementReport
from annotator.errors import UserError
from annotator.scheme import Annotation

__all__ = ["GoldLayer", "AnnotatorVsGold", "GoldReport", "against_gold", "gold_report"]

Number = float | None


@dataclass(frozen=True, slots=True)
class GoldLayer:
    layer: str
    label: str | None
    exact: SpanF1  #: precision, recall and F1 with gold as the reference
    overlap: SpanF1

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "label": self.label, "exact": self.exact.to_dict(), "overlap": self.overlap.to_dict()}


@dataclass(frozen=True, slots=True)
class AnnotatorVsGold:
    annotator: str
    documents: int  #: documents both the annotator and gold did
    layers: tuple[GoldLayer, ...]
    speaker_matched: int  #: the annotator's quotes matched to a gold quote
    speaker_correct: int
    stance_matched: int
    stance_correct: int

    @property
    def speaker_accuracy(self) -> Number:
        return self.speaker_correct / self.speaker_matched if self.speaker_matched else None

    @property
    def stance_accuracy(self) -> Number:
        return self.stance_correct / self.stance_matched if self.stance_matched else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "documents": self.documents,
            "layers": [x.to_dict() for x in self.layers],
            "speaker": {"matched_quotes": self.speaker_matched, "correct": self.speaker_correct, "accuracy": self.speaker_accuracy},
            "stance": {"matched_quotes": self.stance_matched, "correct": self.stance_correct, "accuracy": self.stance_accuracy},
        }


@dataclass(frozen=True, slots=True)
class GoldReport:
    gold: str
    annotators: tuple[AnnotatorVsGold, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold, "annotators": [a.to_dict() for a in self.annotators]}


def against_gold(
    versions: Mapping[str, Mapping[str, Annotation]],
    gold: str,
    annotators: Sequence[str],
    layers: Sequence[str] = ALL_LAYERS,
) -> GoldReport:
    """Every annotator in ``annotators`` against ``gold`` on the documents both did (done versions)."""
    if not any(a.status == "done" for a in (versions.get(gold) or {}).values()):
        raise UserError(f"no done documents by {gold!r}: --against compares annotators with an adjudicated version")
    return gold_report(
        gold, annotators,
        lambda pair: compute_agreement({gold: versions[gold], pair[1]: versions.get(pair[1]) or {}}, layers, pair),
    )


def gold_report(gold: str, annotators: Sequence[str], report_of: Callable[[list[str]], AgreementReport]) -> GoldReport:
    """The :func:`against_gold` report from ``report_of([gold, name])``: the agreement report of one annotator
    and gold (e.g. ``compute_agreement_rows`` over the stored versions, streamed: one pass per annotator)."""
    names = [n for n in dict.fromkeys(annotators) if n != gold]
    if not names:
        raise UserError(f"--against {gold!r} needs at least one other annotator")
    rows = []
    for name in names:
        report = report_of([gold, name])
        spans = tuple(GoldLayer(x.layer, x.label, x.pairs[0].exact, x.pairs[0].overlap) for x in report.layers)
        sp = report.speakers.pairs[0] if report.speakers else None
        st = report.stance.pairs[0] if report.stance else None
        stance_correct = sum(st.confusion[i][i] for i in range(len(st.confusion))) if st else 0
        rows.append(
            AnnotatorVsGold(
                annotator=name,
                documents=report.documents.compared,
                layers=spans,
                speaker_matched=sp.matched_quotes if sp else 0,
                speaker_correct=sp.same + sp.both_missing if sp else 0,
                stance_matched=st.matched_quotes if st else 0,
                stance_correct=stance_correct,
            )
        )
    return GoldReport(gold, tuple(rows))
