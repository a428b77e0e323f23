"""Adjudication: find where annotators' versions of a document disagree and merge the resolutions.

Items of the same layer (quotes, claims) from all annotators are grouped when their spans overlap.
A group where every annotator has the same item (same span and attributes) is agreed and goes into
the result as is; every other group is a ``Disagreement`` the reviewer resolves by taking one
annotator's item (or none, if that annotator had none), or by editing. No Textual here: the review
screen and the tests drive the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from annotator.errors import UserError
from annotator.scheme import Annotation, Claim, Quote

Item = Quote | Claim


def _signature(item: Item) -> tuple:
    """What must be equal for two annotators to agree on an item (ids and statuses do not count)."""
    d = item.to_dict()
    d.pop("id", None)
    return tuple(sorted((k, repr(v)) for k, v in d.items()))


@dataclass(frozen=True)
class Disagreement:
    """One group of overlapping items on which annotators differ. ``options[name]`` may be None."""

    layer: str
    start: int
    end: int
    options: Mapping[str, Item | None]

    def describe(self) -> str:
        have = [n for n, it in self.options.items() if it is not None]
        missing = [n for n, it in self.options.items() if it is None]
        if missing:
            return f"{self.layer[:-1]} marked by {', '.join(have)} only"
        return f"{self.layer[:-1]} marked differently by {', '.join(have)}"


@dataclass(frozen=True)
class DocumentComparison:
    doc_id: str
    text: str
    meta: Mapping
    annotators: tuple[str, ...]
    agreed: tuple[Item, ...]
    disagreements: tuple[Disagreement, ...]


def _groups(per_annotator: Mapping[str, Sequence[Item]]) -> list[dict[str, list[Item]]]:
    """Single-link groups of overlapping items across annotators, in text order."""
    flat = sorted(
        ((it.start, it.end, name, it) for name, items in per_annotator.items() for it in items),
        key=lambda t: (t[0], t[1], t[2]),
    )
    groups: list[dict[str, list[Item]]] = []
    current: dict[str, list[Item]] = {}
    current_end = -1
    for start, end, name, it in flat:
        if current and start >= current_end:
            groups.append(current)
            current, current_end = {}, -1
        current.setdefault(name, []).append(it)
        current_end = max(current_end, end)
    if current:
        groups.append(current)
    return groups


def compare(versions: Mapping[str, Annotation]) -> DocumentComparison:
    """Agreed items and disagreements between annotators' versions of one document."""
    names = tuple(sorted(versions))
    if len(names) < 2:
        raise ValueError("adjudication needs at least two versions")
    first = versions[names[0]]
    agreed: list[Item] = []
    disagreements: list[Disagreement] = []
    for layer in ("quotes", "claims"):
        per = {n: list(getattr(versions[n].kept(), layer)) for n in names}
        for group in _groups(per):
            sigs = {n: [_signature(i) for i in group.get(n, [])] for n in names}
            if all(len(group.get(n, [])) == 1 for n in names) and len({tuple(s) for s in sigs.values()}) == 1:
                agreed.append(group[names[0]][0])
                continue
            # Several items of one annotator in one group: offer each annotator's first item here and
            # their others as separate disagreements, so nothing is hidden.
            rest = {n: items[1:] for n, items in group.items() if len(items) > 1}
            options = {n: (group[n][0] if n in group else None) for n in names}
            spans = [it for it in options.values() if it is not None]
            disagreements.append(Disagreement(layer, min(i.start for i in spans), max(i.end for i in spans), options))
            for n, extra in rest.items():
                for it in extra:
                    disagreements.append(Disagreement(layer, it.start, it.end, {m: (it if m == n else None) for m in names}))
    return DocumentComparison(
        doc_id=first.doc_id, text=first.text, meta=first.meta, annotators=names,
        agreed=tuple(agreed), disagreements=tuple(sorted(disagreements, key=lambda d: (d.start, d.end, d.layer))),
    )


def merge(
    comparison: DocumentComparison, resolutions: Mapping[int, Item | None], annotator: str = "gold"
) -> Annotation:
    """The adjudicated version: agreed items plus the chosen item of each resolved disagreement.

    ``resolutions`` maps a disagreement's index to the item to keep (None keeps nothing). Unresolved
    disagreements are left out. Items are renumbered q1.., c1.. in text order.
    """
    chosen: list[Item] = list(comparison.agreed)
    for index, item in resolutions.items():
        if not 0 <= index < len(comparison.disagreements):
            raise IndexError(f"no disagreement {index}")
        if item is not None:
            chosen.append(item)
    quotes = sorted((i for i in chosen if isinstance(i, Quote)), key=lambda i: (i.start, i.end))
    claims = sorted((i for i in chosen if isinstance(i, Claim)), key=lambda i: (i.start, i.end))
    layers: tuple[Sequence[Quote | Claim], ...] = (quotes, claims)
    for items in layers:
        for a, b in zip(items, items[1:]):
            if b.start < a.end:
                raise UserError(
                    f"the chosen items overlap: {a.text[:30]!r} and {b.text[:30]!r}; choose one of them"
                )
    return Annotation(
        doc_id=comparison.doc_id, text=comparison.text, annotator=annotator, status="done", meta=comparison.meta,
        quotes=tuple(replace(q, id=f"q{k + 1}", status="accepted") for k, q in enumerate(quotes)),
        claims=tuple(replace(c, id=f"c{k + 1}", status="accepted") for k, c in enumerate(claims)),
    )
