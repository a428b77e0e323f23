"""What ``compute_agreement`` returns (docs/contract.md section 6): plain frozen records with ``to_dict`` for ``--json``.

Kept apart from the computation (``report``) and the tables (``render``), so each of the three imports only
what it needs: ``render`` reads these records, ``report`` builds them, neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from annotator.agreement.metrics import SpanF1
from annotator.agreement.unitizing import UnitizingAlpha
from annotator.agreement.units import UnitAgreement
from annotator.scheme import QUOTE_KINDS

__all__ = [
    "AgreementReport",
    "DocumentCounts",
    "Exclusion",
    "LayerAgreement",
    "PairLayerAgreement",
    "OverallLayerAgreement",
    "TokenAgreement",
    "SpeakerAgreement",
    "SpeakerPair",
    "StanceAgreement",
    "StancePair",
    "StanceOverall",
    "ALL_LAYERS",
    "SPAN_LAYERS",
    "LAYER_LABELS",
    "NO_STANCE",
    "TOKENIZATION",
]

SPAN_LAYERS: tuple[str, ...] = ("quotes", "speakers", "cues", "claims")
ALL_LAYERS: tuple[str, ...] = ("quotes", "speakers", "cues", "claims", "stance")
#: Labels reported separately for a layer (besides the whole layer, label ``None``).
LAYER_LABELS: dict[str, tuple[str, ...]] = {
    "quotes": QUOTE_KINDS,
    "speakers": (),
    "cues": (),
    "claims": ("checkworthy", "not_checkworthy"),
}
NO_STANCE = "none"
#: The speaker value of a quote given no speaker (canonical names are never empty).
NO_SPEAKER = ""
TOKENIZATION = (
    "whitespace tokens (regex \\S+); a token has a label when any of its characters is inside a "
    "span with that label"
)

Number = float | None


@dataclass(frozen=True, slots=True)
class TokenAgreement:
    """Token-level agreement on one layer/label (units = tokens)."""

    tokens: int  #: tokens with at least two annotators' labels
    alpha: Number  #: Krippendorff's alpha, nominal
    cohen_kappa: Number  #: a pair's Cohen's kappa (overall: only with exactly two annotators)
    fleiss_kappa: Number  #: overall with >= 3 annotators, tokens of documents all of them did
    fleiss_tokens: int  #: tokens Fleiss' kappa was computed on (0 when not computed)
    ac1: Number  #: Gwet's AC1 (q = 2: the label or O)
    percent_agreement: Number

    def to_dict(self) -> dict[str, Any]:
        return {
            "tokens": self.tokens,
            "alpha": self.alpha,
            "cohen_kappa": self.cohen_kappa,
            "fleiss_kappa": self.fleiss_kappa,
            "fleiss_tokens": self.fleiss_tokens,
            "ac1": self.ac1,
            "percent_agreement": self.percent_agreement,
        }


@dataclass(frozen=True, slots=True)
class PairLayerAgreement:
    annotators: tuple[str, str]
    documents: int  #: documents both did
    spans: tuple[int, int]  #: each annotator's spans in those documents
    exact: SpanF1
    overlap: SpanF1
    token: TokenAgreement
    unitizing: UnitizingAlpha  #: Krippendorff's alpha_U on the documents both did

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "documents": self.documents,
            "spans": list(self.spans),
            "exact": self.exact.to_dict(),
            "overlap": self.overlap.to_dict(),
            "token": self.token.to_dict(),
            **self.unitizing.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class OverallLayerAgreement:
    """All annotators together. Span F1 is micro-averaged over the pairs (``f1 = 2 tp / (2 tp + fp + fn)``
    summed over pairs); precision and recall depend on the order of a pair and are left out."""

    documents: int
    spans: int  #: spans of all annotators in the compared documents
    exact: SpanF1
    overlap: SpanF1
    token: TokenAgreement
    unitizing: UnitizingAlpha  #: alpha_U of all annotators on the documents every one of them did
    unitizing_documents: int  #: those documents

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "spans": self.spans,
            "exact": self.exact.to_dict(),
            "overlap": self.overlap.to_dict(),
            "token": self.token.to_dict(),
            **self.unitizing.to_dict(),
            "unitizing_documents": self.unitizing_documents,
        }


@dataclass(frozen=True, slots=True)
class LayerAgreement:
    layer: str
    label: str | None  #: None: the whole layer, whatever the label
    pairs: tuple[PairLayerAgreement, ...]
    overall: OverallLayerAgreement

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "label": self.label,
            "pairs": [p.to_dict() for p in self.pairs],
            "overall": self.overall.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class SpeakerPair:
    annotators: tuple[str, str]
    matched_quotes: int  #: quotes matched across the pair (overlap matching)
    compared: int  #: matched quotes where at least one of the two named a speaker
    same: int  #: ... and both gave the same canonical name
    both_missing: int  #: matched quotes with no speaker from either
    agreement: Number  #: same / compared

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "matched_quotes": self.matched_quotes,
            "compared": self.compared,
            "same": self.same,
            "both_missing": self.both_missing,
            "agreement": self.agreement,
        }


@dataclass(frozen=True, slots=True)
class SpeakerAgreement:
    pairs: tuple[SpeakerPair, ...]
    overall: SpeakerPair  #: the pairs pooled; ``annotators`` is ("*", "*")

    def to_dict(self) -> dict[str, Any]:
        overall = self.overall.to_dict()
        del overall["annotators"]
        return {"pairs": [p.to_dict() for p in self.pairs], "overall": overall}


@dataclass(frozen=True, slots=True)
class StancePair:
    annotators: tuple[str, str]
    matched_quotes: int
    cohen_kappa: Number
    alpha: Number
    ac1: Number
    percent_agreement: Number
    confusion: tuple[tuple[int, ...], ...]  #: rows: first annotator's label, columns: second's
    target_compared: int  #: matched quotes where both gave a stance
    target_agreement: Number  #: share of those with the same target

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "matched_quotes": self.matched_quotes,
            "cohen_kappa": self.cohen_kappa,
            "alpha": self.alpha,
            "ac1": self.ac1,
            "percent_agreement": self.percent_agreement,
            "confusion": [list(r) for r in self.confusion],
            "target_compared": self.target_compared,
            "target_agreement": self.target_agreement,
        }


@dataclass(frozen=True, slots=True)
class StanceOverall:
    """All annotators over multi-annotator quote units (quotes matched across annotators, one unit
    per group; see :mod:`annotator.agreement.units`). Targets are pooled over the pairs."""

    matched_quotes: int  #: units with at least two annotators' quotes
    complete: int  #: units every annotator coded (Fleiss' kappa is computed on these)
    cohen_kappa: Number  #: with exactly two annotators
    fleiss_kappa: Number  #: with three or more, on the complete units
    alpha: Number  #: missing values where an annotator has no matching quote
    ac1: Number
    percent_agreement: Number
    coincidence: tuple[tuple[float, ...], ...]  #: Krippendorff's coincidence matrix of the units
    target_compared: int
    target_agreement: Number

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched_quotes": self.matched_quotes,
            "complete": self.complete,
            "cohen_kappa": self.cohen_kappa,
            "fleiss_kappa": self.fleiss_kappa,
            "alpha": self.alpha,
            "ac1": self.ac1,
            "percent_agreement": self.percent_agreement,
            "coincidence": [list(r) for r in self.coincidence],
            "target_compared": self.target_compared,
            "target_agreement": self.target_agreement,
        }


@dataclass(frozen=True, slots=True)
class StanceAgreement:
    labels: tuple[str, ...]  #: row/column order of the matrices
    pairs: tuple[StancePair, ...]
    overall: StanceOverall
    units: UnitAgreement  #: the same overall numbers, as for every attribute in ``report.units``

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "pairs": [p.to_dict() for p in self.pairs],
            "overall": self.overall.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Exclusion:
    doc_id: str
    reason: str
    annotator: str | None = None  #: set when only this annotator's version was left out

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "annotator": self.annotator, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class DocumentCounts:
    total: int  #: documents done by at least one of the annotators
    compared: int  #: done by at least two, same text, with tokens
    complete: int  #: compared documents every annotator did
    done: tuple[tuple[str, int], ...]  #: per annotator: compared documents they did
    missing: tuple[tuple[str, tuple[str, ...]], ...]  #: per annotator: compared documents they did not do
    excluded: tuple[Exclusion, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "compared": self.compared,
            "complete": self.complete,
            "done": {name: n for name, n in self.done},
            "missing": {name: list(ids) for name, ids in self.missing},
            "excluded": [e.to_dict() for e in self.excluded],
        }


@dataclass(frozen=True, slots=True)
class AgreementReport:
    annotators: tuple[str, ...]
    documents: DocumentCounts
    layers: tuple[LayerAgreement, ...]
    speakers: SpeakerAgreement | None
    stance: StanceAgreement | None
    units: tuple[UnitAgreement, ...] = ()  #: attributes of matched items over multi-annotator units
    tokenization: str = TOKENIZATION

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(combinations(self.annotators, 2))

    def layer(self, layer: str, label: str | None = None) -> LayerAgreement:
        for item in self.layers:
            if item.layer == layer and item.label == label:
                return item
        raise KeyError((layer, label))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: undefined statistics are ``None`` (JSON ``null``), never NaN."""
        return {
            "annotators": list(self.annotators),
            "pairs": [list(p) for p in self.pairs],
            "tokenization": self.tokenization,
            "documents": self.documents.to_dict(),
            "layers": [layer.to_dict() for layer in self.layers],
            "speakers": None if self.speakers is None else self.speakers.to_dict(),
            "stance": None if self.stance is None else self.stance.to_dict(),
            "units": {u.attribute: u.to_dict() for u in self.units},
        }
