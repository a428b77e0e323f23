"""The annotation scheme (docs/contract.md section 1) as plain frozen dataclasses.

These are the only annotation types that cross module boundaries: storage converts
its rows into them, the NLP pipeline produces them, the UI, exporters and agreement
code consume them. Conversion to and from the gold JSONL dict shape lives here too,
so that every reader and writer agrees on one field order (byte-identical round trips).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping

QUOTE_KINDS: tuple[str, ...] = ("direct", "indirect", "mixed")
STANCE_LABELS: tuple[str, ...] = ("favor", "against", "neutral")
DOC_STATUSES: tuple[str, ...] = ("new", "in_progress", "done", "flagged", "skipped")
ITEM_STATUSES: tuple[str, ...] = ("suggested", "accepted", "rejected", "edited", "added")
#: Items with these statuses are part of an annotator's answer (exported, compared).
KEPT_STATUSES: frozenset[str] = frozenset({"suggested", "accepted", "edited", "added"})

#: Span layers and the span-group keys used in spaCy docs and DocBin exports.
LAYERS: tuple[str, ...] = ("quotes", "cues", "speakers", "claims")
LAYER_LABELS: dict[str, str] = {"quotes": "QUOTE", "cues": "CUE", "speakers": "SPEAKER", "claims": "CLAIM"}

DEFAULT_STANCE_TARGETS: tuple[str, ...] = ("Russia", "Ukraine", "NATO", "the United States")
#: Quotation marks (never the edge of a direct quote's span).
QUOTE_MARKS = "\"“”„‟«»‘’‚‛‹›'「」『』"

QuoteKind = Literal["direct", "indirect", "mixed"]
StanceLabel = Literal["favor", "against", "neutral"]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character span ``[start, end)`` of the document text."""

    start: int
    end: int
    text: str

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class SpeakerMention:
    """A source mention in the article ("he", "Mr Lavrov") and the canonical name it resolves to."""

    start: int
    end: int
    text: str
    name: str

    def as_span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "name": self.name}


@dataclass(frozen=True, slots=True)
class Stance:
    target: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "label": self.label}


@dataclass(frozen=True, slots=True)
class Quote:
    """Attributed content with its cue, speaker and stance (the attribution relation)."""

    id: str
    start: int
    end: int
    text: str
    kind: str = "direct"
    cue: Span | None = None
    speaker: SpeakerMention | None = None
    stance: Stance | None = None
    status: str = "accepted"
    #: A suggestion's confidence from the model (0-1; None: a rule or a person made it). Stored with the
    #: suggestions and versions, not part of gold JSONL.
    score: float | None = None

    def as_span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        """The gold JSONL shape (docs/contract.md section 2); status is not part of it."""
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "stance": self.stance.to_dict() if self.stance else None,
        }


@dataclass(frozen=True, slots=True)
class Claim:
    """A check-worthy factual assertion, optionally attributed to a speaker by name."""

    id: str
    start: int
    end: int
    text: str
    checkworthy: bool = True
    speaker: str | None = None
    status: str = "accepted"
    #: The check-worthiness classifier's score of a suggestion (see ``Quote.score``).
    score: float | None = None

    def as_span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "checkworthy": self.checkworthy,
            "speaker": self.speaker,
        }


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotator's (or the model's) version of one document: a gold JSONL line."""

    doc_id: str
    text: str
    annotator: str | None = None
    status: str = "done"
    meta: Mapping[str, Any] = field(default_factory=dict)
    quotes: tuple[Quote, ...] = ()
    claims: tuple[Claim, ...] = ()

    def kept(self) -> "Annotation":
        """The answer: items the annotator did not reject (itself when none was: ``replace`` is ~10 µs, and
        every export asks)."""
        if (type(self.quotes) is tuple and type(self.claims) is tuple
                and all(q.status in KEPT_STATUSES for q in self.quotes)
                and all(c.status in KEPT_STATUSES for c in self.claims)):
            return self
        return replace(
            self,
            quotes=tuple(q for q in self.quotes if q.status in KEPT_STATUSES),
            claims=tuple(c for c in self.claims if c.status in KEPT_STATUSES),
        )

    def layer_spans(self, layer: str) -> list[Span]:
        """Distinct spans of one layer (cues/speakers shared by several quotes count once)."""
        kept = self.kept()
        if layer == "quotes":
            spans = [q.as_span() for q in kept.quotes]
        elif layer == "cues":
            spans = [q.cue for q in kept.quotes if q.cue is not None]
        elif layer == "speakers":
            spans = [q.speaker.as_span() for q in kept.quotes if q.speaker is not None]
        elif layer == "claims":
            spans = [c.as_span() for c in kept.claims]
        else:
            raise ValueError(f"unknown layer {layer!r}")
        return sorted(set(spans), key=lambda s: (s.start, s.end))

    def to_dict(self) -> dict[str, Any]:
        """The gold JSONL line (docs/contract.md section 2), keys in contract order, rejected items dropped."""
        kept = self.kept()
        return {
            "id": self.doc_id,
            "text": self.text,
            "meta": dict(self.meta),
            "annotator": self.annotator,
            "status": self.status,
            "quotes": [q.to_dict() for q in kept.quotes],
            "claims": [c.to_dict() for c in kept.claims],
        }


#: A quote's values as ``quote_from_dict`` reads them (the one place stored and imported items are
#: normalised): id, start, end, text, kind, cue (start, end, text), speaker (start, end, text, name),
#: stance (target, label), status, score. Gold JSONL is written from these without the objects.
QuoteValues = tuple[str, int, int, str, str, tuple[int, int, str] | None, tuple[int, int, str, str] | None,
                    tuple[str, str] | None, str, float | None]
#: A claim's values (``claim_from_dict``): id, start, end, text, checkworthy, speaker, status, score.
ClaimValues = tuple[str, int, int, str, bool, Any, str, float | None]


def quote_values(d: Mapping[str, Any], index: int, status: str = "accepted") -> QuoteValues:
    cue = d.get("cue")
    speaker = d.get("speaker")
    stance = d.get("stance")
    return (
        str(d.get("id") or f"q{index + 1}"),
        int(d["start"]),
        int(d["end"]),
        str(d["text"]),
        str(d.get("kind") or "direct"),
        None if cue is None else (int(cue["start"]), int(cue["end"]), str(cue["text"])),
        None if speaker is None
        else (int(speaker["start"]), int(speaker["end"]), str(speaker["text"]), str(speaker["name"])),
        None if stance is None else (str(stance["target"]), str(stance["label"])),
        str(d.get("status") or status),
        _score(d.get("score")),
    )


def quote_from_dict(d: Mapping[str, Any], index: int, status: str = "accepted") -> Quote:
    qid, start, end, text, kind, cue, speaker, stance, item_status, score = quote_values(d, index, status)
    return Quote(
        qid, start, end, text, kind,
        cue=None if cue is None else Span(*cue),
        speaker=None if speaker is None else SpeakerMention(*speaker),
        stance=None if stance is None else Stance(*stance),
        status=item_status,
        score=score,
    )


def claim_values(d: Mapping[str, Any], index: int, status: str = "accepted") -> ClaimValues:
    return (
        str(d.get("id") or f"c{index + 1}"),
        int(d["start"]),
        int(d["end"]),
        str(d["text"]),
        bool(d.get("checkworthy", True)),
        d.get("speaker"),
        str(d.get("status") or status),
        _score(d.get("score")),
    )


def claim_from_dict(d: Mapping[str, Any], index: int, status: str = "accepted") -> Claim:
    return Claim(*claim_values(d, index, status))


def _score(value: Any) -> float | None:
    return None if value is None else float(value)


def annotation_from_dict(d: Mapping[str, Any], item_status: str = "accepted") -> Annotation:
    """Build an Annotation from an already validated gold JSONL dict."""
    return Annotation(
        doc_id=str(d["id"]),
        text=str(d["text"]),
        annotator=d.get("annotator"),
        status=str(d.get("status") or "done"),
        meta=dict(d.get("meta") or {}),
        quotes=tuple(quote_from_dict(q, i, item_status) for i, q in enumerate(d.get("quotes") or ())),
        claims=tuple(claim_from_dict(c, i, item_status) for i, c in enumerate(d.get("claims") or ())),
    )


def items_to_payload(quotes: tuple[Quote, ...], claims: tuple[Claim, ...]) -> dict[str, Any]:
    """Storage payload: like gold JSONL items, but keeping item ids and statuses."""
    return {"quotes": [item_to_payload(q) for q in quotes], "claims": [item_to_payload(c) for c in claims]}


def item_to_payload(item: "Quote | Claim") -> dict[str, Any]:
    """The stored shape of one item (one entry of :func:`items_to_payload`)."""
    if isinstance(item, Quote):
        return {**item.to_dict(), "status": item.status, **_scored(item.score)}
    return {"id": item.id, **item.to_dict(), "status": item.status, **_scored(item.score)}


def _scored(score: float | None) -> dict[str, float]:
    return {} if score is None else {"score": score}


def items_from_payload(payload: Mapping[str, Any]) -> tuple[tuple[Quote, ...], tuple[Claim, ...]]:
    quotes = tuple(quote_from_dict(q, i) for i, q in enumerate(payload.get("quotes") or ()))
    claims = tuple(claim_from_dict(c, i) for i, c in enumerate(payload.get("claims") or ()))
    return quotes, claims


def trim_span(text: str, start: int, end: int, marks: bool = False) -> tuple[int, int]:
    """Strip whitespace (and with ``marks`` quotation marks) from both ends of ``text[start:end]``."""
    strip = " \t\r\n\u00a0" + (QUOTE_MARKS if marks else "")
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def first_overlap(
    items: "tuple[Quote, ...] | tuple[Claim, ...]", item_id: str, start: int, end: int
) -> "Quote | Claim | None":
    """The first kept item other than ``item_id`` that overlaps ``[start, end)`` (one layer never overlaps)."""
    for other in items:
        if other.id != item_id and other.status in KEPT_STATUSES and other.start < end and start < other.end:
            return other
    return None
