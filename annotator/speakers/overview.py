"""Who said what across a dataset, as one reader sees it: the one loader behind ``annotator speakers``
and the annotate screen's ``w`` view.

Blind annotation: an annotator's view reads only their own versions and the model's suggestions,
never another annotator's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from annotator.errors import NotFoundError
from annotator.scheme import Annotation
from annotator.speakers.canonical import CanonicalSpeaker, cross_outlet_speakers

if TYPE_CHECKING:  # a type only: the UI imports this module and must not load SQLAlchemy
    from annotator.db.repo import Repository


@dataclass(frozen=True)
class SpeakerOverview:
    """Canonical speakers of a dataset and the status of each of their quotes."""

    speakers: tuple[CanonicalSpeaker, ...]
    #: (document ext id, quote id) -> status of that quote ("suggested" where it is a model suggestion).
    statuses: Mapping[tuple[str, str], str]


def speaker_overview(repo: Repository, dataset: str, annotator: str | None = None,
                     only_own: bool = False) -> SpeakerOverview:
    """Canonical speakers over the whole dataset, with the user's merge corrections applied.

    No ``annotator``: the model's latest suggestions. With one: their version of each document, and
    where they have none the latest suggestions (``only_own``: their versions only; an annotator with
    no version at all is then a NotFoundError).
    """
    own: dict[str, Annotation] = {}
    if annotator is not None:
        try:
            own = {a.doc_id: a for a in repo.versions(dataset, annotator=annotator, status=None)}
        except NotFoundError:  # the annotator has no version anywhere yet
            if only_own:
                raise
    annotations: list[Annotation] = []
    statuses: dict[tuple[str, str], str] = {}
    if annotator is None or not only_own:
        for suggested in repo.suggestions(dataset):
            ann = own.pop(suggested.doc_id, None)
            if ann is None:
                ann = suggested
                statuses.update({(ann.doc_id, q.id): "suggested" for q in ann.quotes})
            annotations.append(ann)
    annotations.extend(own.values())  # documents without suggestions
    for ann in annotations:
        for q in ann.quotes:
            statuses.setdefault((ann.doc_id, q.id), q.status)
    speakers = cross_outlet_speakers(annotations, repo.speaker_corrections(dataset))
    return SpeakerOverview(tuple(speakers), statuses)
