"""One version as labelled character regions and the relations between them, for span-and-relation tools.

doccano's relation projects and Label Studio both model an annotation as labelled character spans
("entities", "regions") plus directed, labelled links between them. This module is that view of an
Annotation and its inverse, shared by their exporters (``doccano.py``, ``label_studio.py``):

- a ``QUOTE`` region per quote (attributes ``id``, ``kind``, ``stance``), a ``CLAIM`` region per claim
  (``id``, ``checkworthy``, ``speaker``), a ``CUE`` region per distinct cue span (a cue shared by several
  quotes appears once) and a ``SPEAKER`` region per distinct speaker mention and name (``name``);
- links ``ATTRIBUTED_TO`` (QUOTE -> SPEAKER) and ``CUED_BY`` (QUOTE -> CUE), the names the Prodigy export uses.

Character offsets are the annotated ones (no tokens), so :func:`annotation_from_regions` gives back the
version exactly (rejected items aside, as in every export).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from annotator.errors import InputError
from annotator.scheme import LAYER_LABELS, Annotation, Claim, Quote, SpeakerMention, Span, Stance

QUOTE, CUE, SPEAKER, CLAIM = (LAYER_LABELS[k] for k in ("quotes", "cues", "speakers", "claims"))
LABELS: tuple[str, ...] = (QUOTE, CUE, SPEAKER, CLAIM)
REL_SPEAKER = "ATTRIBUTED_TO"
REL_CUE = "CUED_BY"
RELATIONS: tuple[str, ...] = (REL_SPEAKER, REL_CUE)


@dataclass(frozen=True, slots=True)
class Region:
    """A labelled character span; ``index`` is its position in the version's region list."""

    index: int
    label: str
    start: int
    end: int
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Link:
    """A directed relation between two regions (by index)."""

    head: int
    child: int
    label: str


def regions_of(ann: Annotation) -> tuple[list[Region], list[Link]]:
    """The regions and links of a version (rejected items left out), in item order."""
    kept = ann.kept()
    regions: list[Region] = []
    links: list[Link] = []
    shared: dict[tuple[Any, ...], int] = {}

    def add(label: str, start: int, end: int, key: tuple[Any, ...] | None = None, **attrs: Any) -> int:
        if key is not None and key in shared:
            return shared[key]
        regions.append(Region(len(regions), label, start, end, attrs))
        if key is not None:
            shared[key] = len(regions) - 1
        return len(regions) - 1

    for q in kept.quotes:
        qi = add(QUOTE, q.start, q.end, id=q.id, kind=q.kind, stance=q.stance.to_dict() if q.stance else None)
        if q.speaker:
            sp = q.speaker
            si = add(SPEAKER, sp.start, sp.end, (SPEAKER, sp.start, sp.end, sp.name), name=sp.name)
            links.append(Link(qi, si, REL_SPEAKER))
        if q.cue:
            ci = add(CUE, q.cue.start, q.cue.end, (CUE, q.cue.start, q.cue.end))
            links.append(Link(qi, ci, REL_CUE))
    for c in kept.claims:
        add(CLAIM, c.start, c.end, id=c.id, checkworthy=c.checkworthy, speaker=c.speaker)
    return regions, links


def annotation_from_regions(
    doc_id: str, text: str, annotator: str | None, status: str, meta: Mapping[str, Any],
    regions: Iterable[Region], links: Iterable[Link], where: str = "",
) -> Annotation:
    """The version the regions describe (the inverse of :func:`regions_of`).

    Quotes without an ``id`` get ``q1``, ``q2``... in order, claims ``c1``...; a quote without a ``kind``
    is direct. ``where`` names the record in error messages (``file:line``).
    """
    by_index = {r.index: r for r in regions}
    linked: dict[int, dict[str, Region]] = {}
    for link in links:
        if link.head not in by_index or link.child not in by_index:
            raise InputError(f"relation {link.label} points at a region that does not exist", where)
        linked.setdefault(link.head, {})[link.label] = by_index[link.child]

    def span(r: Region) -> Span:
        return Span(r.start, r.end, text[r.start:r.end])

    quotes: list[Quote] = []
    claims: list[Claim] = []
    for r in sorted(by_index.values(), key=lambda r: r.index):
        if r.label == QUOTE:
            links_of = linked.get(r.index, {})
            cue = span(links_of[REL_CUE]) if REL_CUE in links_of else None
            speaker = None
            if REL_SPEAKER in links_of:
                s = links_of[REL_SPEAKER]
                speaker = SpeakerMention(s.start, s.end, text[s.start:s.end], str(s.attrs.get("name") or text[s.start:s.end]))
            st = r.attrs.get("stance")
            stance = Stance(str(st["target"]), str(st["label"])) if st else None
            quotes.append(Quote(str(r.attrs.get("id") or f"q{len(quotes) + 1}"), r.start, r.end, text[r.start:r.end],
                                str(r.attrs.get("kind") or "direct"), cue, speaker, stance))
        elif r.label == CLAIM:
            claims.append(Claim(str(r.attrs.get("id") or f"c{len(claims) + 1}"), r.start, r.end, text[r.start:r.end],
                                bool(r.attrs.get("checkworthy", True)), r.attrs.get("speaker")))
        elif r.label not in LABELS:
            raise InputError(f"unknown label {r.label!r} (expected one of {', '.join(LABELS)})", where)
    return Annotation(doc_id, text, annotator, status, dict(meta), tuple(quotes), tuple(claims))
