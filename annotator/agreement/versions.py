"""Which versions agreement compares: each annotator's done versions, the people among the annotators, and on
an assigned dataset only the documents given to two or more of them."""

from __future__ import annotations

from collections import Counter
from typing import Collection, Iterable, Mapping, Sequence

from annotator.errors import UserError
from annotator.records import GOLD, MODEL
from annotator.scheme import Annotation

Versions = dict[str, dict[str, Annotation]]


def versions_by_annotator(annotations: Iterable[Annotation]) -> Versions:
    """annotator name -> document id -> that annotator's version (e.g. of ``repo.versions(..., status="done")``)."""
    versions: Versions = {}
    for ann in annotations:
        versions.setdefault(str(ann.annotator), {})[ann.doc_id] = ann
    return versions


def compared_annotators(
    versions: Collection[str], dataset: str, names: Sequence[str] | None = None, against: str | None = None,
) -> list[str]:
    """The annotators to compare among ``versions`` (the annotators with done documents, e.g. the keys of
    :func:`versions_by_annotator`): ``names`` (each must have done documents), by default the people, i.e.
    everyone but the adjudicated version (``gold``), the model and ``against``. ``UserError`` when ``against``
    or a named annotator has no done document."""
    if against is not None and against not in versions:
        raise UserError(f"no done documents by {against!r} in {dataset!r}")
    if names is None:  # people only: the adjudicated version and the model are not annotators
        return sorted(n for n in versions if n not in (GOLD, MODEL, against))
    unknown = [n for n in names if n not in versions]
    if unknown:
        raise UserError(f"no done documents by {', '.join(map(repr, unknown))} in {dataset!r}")
    return list(names)


def assigned_overlap(
    versions: Mapping[str, Mapping[str, Annotation]], names: Sequence[str], assigned: Mapping[str, Iterable[str]]
) -> tuple[Versions, int]:
    """On a split dataset (``assigned``: annotator -> document ids) only the overlap can be compared: the
    versions of the documents assigned to two or more of ``names``, and how many documents those are."""
    overlapping = overlapping_documents(names, assigned)
    return {n: {d: a for d, a in v.items() if d in overlapping} for n, v in versions.items()}, len(overlapping)


def overlapping_documents(names: Sequence[str], assigned: Mapping[str, Iterable[str]]) -> set[str]:
    """The documents assigned to two or more of ``names`` (``assigned``: annotator -> document ids)."""
    counts = Counter(doc for n in names for doc in assigned.get(n, ()))
    return {doc for doc, c in counts.items() if c >= 2}


def blind_compared(blind: Mapping[str, Iterable[str]], versions: Mapping[str, Collection[str]],
                   names: Sequence[str]) -> dict[str, object] | None:
    """Which compared done versions were annotated blind (``annotate --blind``; ``blind``: annotator ->
    document ids, from ``Repository.blind_versions``; ``versions``: annotator -> ids of their done documents):
    per annotator the ids and a one-line note, or None."""
    docs = {n: sorted(set(blind.get(n, ())) & set(versions.get(n, {}))) for n in names}
    if not any(docs.values()):
        return None
    parts = [f"{n} {len(ids)} of {len(versions.get(n, {}))}" for n, ids in docs.items()]
    return {"versions": docs,
            "note": f"blind versions (annotated without model suggestions): {', '.join(parts)} done documents"}
