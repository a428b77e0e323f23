"""The annotation controller: one annotator going through the documents of a dataset.

The terminal UI (``annotator.tui``) is a thin layer on top of this class; tests and scripts use it
directly. No Textual here. Every decision method computes the new state of ONE item from the
latest stored state, commits it with ``Repository.update_item`` (one transaction, one event) and
returns the new ``DocumentVersion``; nothing is kept only in memory.

Items are addressed by ``ItemKey`` (version id, layer, item id), captured when a key is pressed,
so decisions queued for a document still apply to that document after the session moved on.

Blind annotation: the session only ever reads the model's suggestions (through ``open_version``)
and this annotator's own version; other annotators' work is never loaded.

No selection: which item is selected is the screen's business (``tui.screens.annotate``), and
every decision names its item. Thread use: the UI runs decisions one at a time on ONE worker thread and
draws the ``DocumentVersion`` each decision returns (carried back in a message), never ``state``. What
the UI thread does read here is replaced whole, never changed in place (``statuses`` with its count of done
documents, ``targets``, ``finished``, the timing tuple behind ``progress``), so it needs no lock.

``progress`` (the status line asks every second) costs the same at any dataset size: the done documents are
counted when the statuses are replaced (one document's change adjusts the count), and a document's place
in the session's order is a dictionary lookup.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from annotator.annotate import edits
from annotator.annotate.aligned import apply_to_aligned, undo_aligned
from annotator.records import IDLE_CAP_SECONDS, DocumentVersion, Edit, Item
from annotator.errors import NotFoundError, UserError
from annotator.scheme import (
    KEPT_STATUSES,
    QUOTE_KINDS,
    STANCE_LABELS,
    Annotation,
    Claim,
    Quote,
    SpeakerMention,
    Stance,
    trim_span,
)
from annotator.annotate.order import ordered
from annotator.speakers.canonical import AlignedStatement
from annotator.words import words

if TYPE_CHECKING:  # a type only: the UI imports this module and must not load SQLAlchemy
    from annotator.db.repo import Repository

#: Span layers a selection can become; cue and speaker attach to the selected quote.
SELECTION_LAYERS = ("quotes", "cues", "speakers", "claims")
#: What the boundary keys move: the item itself, or a quote's cue or speaker mention.
PARTS = edits.PARTS


@dataclass(frozen=True)
class ItemKey:
    """One item of one version: what a key press applies to."""

    version_id: int
    layer: str  # "quotes" | "claims"
    id: str


@dataclass(frozen=True)
class Progress:
    position: int  # 1-based index of the current document in the dataset
    total: int
    done: int  # documents this annotator finished
    decided: int  # items of this document that are no longer "suggested"
    items: int
    seconds: float  # time on this document: earlier sessions (event log) plus this one
    status: str


@dataclass(frozen=True)
class Change:
    """What an undo, redo or added item did: the version after it, the item it changed (the one the UI
    selects) and a one-line summary (empty: nothing to say)."""

    state: DocumentVersion
    key: ItemKey | None
    summary: str


#: The status of an item nobody has decided on yet (a model suggestion).
UNDECIDED = "suggested"


def describe_change(label: str, before: Item | None, after: Item | None) -> str:
    """``label`` (e.g. "quote q3") and how it differs between ``before`` and ``after``."""
    if before is None:
        return f"{label} is back"
    if after is None:
        return f"{label} removed"
    parts = []
    if before.status != after.status:
        parts.append(f"{before.status} → {after.status}")
    if (before.start, before.end) != (after.start, after.end):
        parts.append(f"span {before.start}-{before.end} → {after.start}-{after.end}")
    fields = ("kind", "cue", "speaker", "stance") if isinstance(before, Quote) else ("checkworthy", "speaker")
    parts += [name for name in fields if getattr(before, name) != getattr(after, name)]
    return f"{label}: {', '.join(parts) or 'unchanged'}"


class AnnotationSession:
    """State and decisions of one annotator on one dataset."""

    def __init__(self, repo: Repository, dataset: str, annotator: str,
                 clock: Callable[[], float] = time.monotonic, blind: bool = False,
                 order: str = "as-imported", auto_accept: float | None = None):
        annotator = annotator.strip()
        if not annotator:
            raise UserError("missing annotator name: --annotator NAME")
        self.repo, self.dataset, self.annotator, self.clock = repo, dataset, annotator, clock
        #: Blind annotation: documents this annotator opens for the first time start without suggestions.
        self.blind = blind
        self.targets: tuple[str, ...] = repo.get_dataset(dataset).stance_targets  # NotFoundError if unknown
        #: The annotator's documents: those assigned to them, or all when the dataset has no assignment.
        self.statuses = repo.annotator_statuses(dataset, annotator)
        self.doc_ids: list[int] = list(self.statuses)
        if not self.doc_ids:
            if repo.count_documents(dataset):
                raise UserError(f"no documents of {dataset!r} are assigned to {annotator!r} (see `annotator assign`)")
            raise UserError(f"dataset {dataset!r} has no documents: run `annotator import` first")
        if auto_accept is not None and not 0.0 <= auto_accept <= 1.0:
            raise UserError(f"--auto-accept must be a score between 0 and 1, not {auto_accept}")
        #: Suggestions scored at least this are accepted when a document opens, one logged decision each.
        self.auto_accept = auto_accept
        #: ``as-imported`` or ``uncertain`` (documents whose suggestions the model is least sure of first).
        self.order = order
        self.doc_ids = ordered(self.doc_ids, order, self._suggestions_by_id() if order != "as-imported" else {})
        #: Document id -> its place in ``doc_ids`` (the session's order never changes).
        self._place = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        #: The version last opened or saved by this session (the worker's view; the UI draws the versions
        #: the decisions return).
        self.state: DocumentVersion | None = None
        #: True once every document is done, flagged or skipped.
        self.finished = False
        #: Time on the open document, replaced whole: (earlier sessions' seconds from the event log, work
        #: in this session as gaps between actions each capped at IDLE_CAP_SECONDS, time of the last action).
        self._time = (0.0, 0.0, clock())
        self._doc_names: dict[int, str] | None = None
        self._doc_titles: dict[int, tuple[str, str]] | None = None
        #: Version id -> the item of this annotator's last recorded decision, read when it was opened.
        self._last_decided: dict[int, ItemKey | None] = {}
        self.open_first_unfinished()

    # -- documents --------------------------------------------------------------------------------

    def _suggestions_by_id(self) -> dict[int, Annotation]:
        ids = {ext: doc_id for doc_id, ext in self.repo.document_names(self.dataset).items()}
        return {ids[a.doc_id]: a for a in self.repo.suggestions(self.dataset) if a.doc_id in ids}

    def next_unfinished(self, after: int | None = None) -> int | None:
        """The first document (after ``after``, wrapping) in this session's order not finished yet."""
        statuses = self.repo.annotator_statuses(self.dataset, self.annotator)
        ids = [d for d in self.doc_ids if d in statuses]
        if after in ids:
            i = ids.index(after)
            ids = ids[i + 1:] + ids[: i + 1]
        return next((d for d in ids if statuses[d] in ("new", "in_progress")), None)

    def open_first_unfinished(self) -> DocumentVersion:
        """Resume: the first document this annotator has not finished (the first one if all are)."""
        doc_id = self.next_unfinished()
        self.finished = doc_id is None
        return self.open_document(self.doc_ids[0] if doc_id is None else doc_id)

    def open_document(self, doc_id: int) -> DocumentVersion:
        """Open this annotator's version of a document (``last_decided`` says where they left it)."""
        if doc_id not in self.statuses:
            raise NotFoundError(f"no document with id {doc_id} in dataset {self.dataset!r}")
        state = self.repo.open_version(doc_id, self.annotator, blind=self.blind)
        if self.auto_accept is not None:
            state = self._accept_confident(state, self.auto_accept)
        earlier = self.repo.time_spent(state.version_id)
        decided = [e["item_id"] for e in self.repo.events(state.version_id) if e["item_id"]]
        last = None
        if decided:
            layer, _, item_id = decided[-1].partition(":")
            last = ItemKey(state.version_id, layer, item_id)
        self._last_decided[state.version_id] = last if last is not None and item_of(state, last) else None
        self._set_state(state, new_document=True, earlier=earlier)
        return state

    def last_decided(self, version_id: int) -> ItemKey | None:
        """The item of this annotator's last recorded decision on a version opened by this session (where
        a restarted session resumes); read when it was opened, so asking costs no database read."""
        return self._last_decided.get(version_id)

    def _accept_confident(self, state: DocumentVersion, threshold: float) -> DocumentVersion:
        """Accept the still suggested items scored at least ``threshold``: one transaction, each item one
        logged decision."""
        todo: list[tuple[str, str, Edit]] = [
            (layer, item.id, edits.accept_suggested)
            for layer, items in (("quotes", state.quotes), ("claims", state.claims)) for item in items
            if item.status == "suggested" and item.score is not None and item.score >= threshold
        ]
        return self.repo.update_items(state.version_id, todo, "auto_accept") if todo else state

    def jump_to(self, index: int) -> DocumentVersion:
        """Open the document at ``index`` (0-based, this session's order)."""
        if not 0 <= index < len(self.doc_ids):
            raise UserError(f"no document number {index + 1} (the dataset has {len(self.doc_ids)})")
        return self.open_document(self.doc_ids[index])

    def document_titles(self) -> dict[int, tuple[str, str]]:
        """Document id -> (external id, the first words of its text), for the document list (loaded once)."""
        if self._doc_titles is None:
            self._doc_titles = self.repo.document_titles(self.dataset)
        return self._doc_titles

    def document_names(self) -> dict[int, str]:
        """Document id -> external id, in dataset order (loaded once)."""
        if self._doc_names is None:
            self._doc_names = self.repo.document_names(self.dataset)
        return self._doc_names

    def _set_state(self, state: DocumentVersion, new_document: bool = False, earlier: float = 0.0) -> None:
        if new_document or self.state is None or state.version_id != self.state.version_id:
            self._time = (earlier, 0.0, self.clock())
        self.state = state
        self._set_status(state)

    @property
    def statuses(self) -> dict[int, str]:
        """Document id -> this annotator's status ('new' where they have no version yet)."""
        return self._statuses[0]

    @statuses.setter
    def statuses(self, statuses: dict[int, str]) -> None:
        self._statuses = (statuses, sum(1 for s in statuses.values() if s == "done"))

    def _set_status(self, state: DocumentVersion) -> None:
        """Record a version's status (a new dict: the UI may be reading the old one); the done count is
        adjusted, not recounted."""
        statuses, done = self._statuses
        old = statuses.get(state.document.id)
        if old != state.status:
            done += (state.status == "done") - (old == "done")
            self._statuses = ({**statuses, state.document.id: state.status}, done)

    def position(self, doc_id: int) -> int:
        """0-based place of a document in this session's order."""
        return self._place[doc_id]

    def _require_state(self) -> DocumentVersion:
        if self.state is None:
            raise UserError("no document is open")
        return self.state

    # -- items ------------------------------------------------------------------------------------

    @property
    def items(self) -> list[Item]:
        """Quotes and claims of the session's current version in text order."""
        return [] if self.state is None else items_of(self.state)

    def key(self, item: Item, version_id: int | None = None) -> ItemKey:
        return key_of(item, version_id if version_id is not None else self._require_state().version_id)

    def item(self, key: ItemKey, state: DocumentVersion | None = None) -> Item | None:
        state = state or self.state
        return None if state is None else item_of(state, key)

    def tokens(self) -> list[tuple[int, int]]:
        """The words of the current document (``annotator.words``: the same words every span key moves by)."""
        return words(self._require_state().document.text)

    def speakers(self) -> list[tuple[str, int]]:
        """The current version's speakers (``speakers_of``)."""
        return [] if self.state is None else speakers_of(self.state)

    def apply_aligned(self, statement: AlignedStatement, status: str | None = None, kind: str | None = None,
                      stance: Stance | None = None) -> Mapping[str, str]:
        """Apply one decision to every copy of an aligned statement (``annotator.annotate.aligned``); returns
        doc_id -> "applied" / "not found". The current document is reloaded if one copy is in it."""
        return self._changed_elsewhere(apply_to_aligned(self.repo, self.dataset, self.annotator, statement,
                                                        status=status, kind=kind, stance=stance))

    def undo_aligned(self, doc_ids: Sequence[str]) -> Mapping[str, str]:
        """Take back one all-copies decision (``annotator.annotate.aligned.undo_aligned``); the current
        document is reloaded if one copy is in it."""
        return self._changed_elsewhere(undo_aligned(self.repo, self.dataset, self.annotator, doc_ids))

    def _changed_elsewhere(self, outcome: Mapping[str, str]) -> Mapping[str, str]:
        """After changes to other documents (doc_id -> outcome): statuses read again, and the current
        document if it is one of them."""
        self.statuses = self.repo.annotator_statuses(self.dataset, self.annotator)
        if self.state is not None and self.state.document.ext_id in outcome:
            self.reload()
        return outcome

    def reload(self) -> DocumentVersion:
        """Read the current version again (after changes made elsewhere, e.g. to aligned copies)."""
        state = self.repo.get_version(self._require_state().version_id)
        self._set_state(state)
        return state

    def progress(self, state: DocumentVersion | None = None) -> Progress:
        """Where the annotator is: ``state`` (the version the UI shows; default the current one) in the
        dataset, its decided items, and the time spent on the open document."""
        state = state or self._require_state()
        items = items_of(state)
        _, done = self._statuses
        earlier, worked, last = self._time
        return Progress(
            position=self._place[state.document.id] + 1,
            total=len(self.doc_ids),
            done=done,
            decided=sum(1 for it in items if it.status != "suggested"),
            items=len(items),
            seconds=earlier + worked + self._idle(last),
            status=state.status,
        )

    # -- decisions --------------------------------------------------------------------------------

    def _state_for(self, version_id: int) -> DocumentVersion:
        if self.state is not None and self.state.version_id == version_id:
            return self.state
        return self.repo.get_version(version_id)

    def _target(self, key: ItemKey | None) -> tuple[ItemKey, Item, DocumentVersion]:
        if key is None:
            raise UserError("no item selected")
        state = self._state_for(key.version_id)
        item = self.item(key, state)
        if item is None:
            raise UserError(f"item {key.id} is no longer in this document")
        return key, item, state

    def _save(self, key: ItemKey, edit: Edit, action: str) -> DocumentVersion:
        """One decision: the edit rule applied to the latest stored state of the item (``update_item``)."""
        state = self.repo.update_item(key.version_id, key.layer, key.id, edit, action)
        self._after_save(state)
        return state

    def _idle(self, last_action: float) -> float:
        """Seconds since the last action, at most IDLE_CAP_SECONDS."""
        return min(max(self.clock() - last_action, 0.0), IDLE_CAP_SECONDS)

    def _acted(self) -> None:
        earlier, worked, last = self._time
        self._time = (earlier, worked + self._idle(last), self.clock())

    def _after_save(self, state: DocumentVersion) -> None:
        if self.state is not None and self.state.version_id == state.version_id:
            self._acted()
            self._set_state(state)

    def accept(self, key: ItemKey | None = None) -> DocumentVersion:
        """The item is right: suggested/rejected -> accepted (edited and added items keep their status)."""
        key, _, _ = self._target(key)
        return self._save(key, edits.accept, "accept")

    def reject(self, key: ItemKey | None = None) -> DocumentVersion:
        """The item is wrong: it is kept as "rejected" (an item this annotator added is removed)."""
        key, _, _ = self._target(key)
        return self._save(key, edits.reject, "reject")

    def remaining(self, version_id: int | None = None) -> list[ItemKey]:
        return remaining_in(self._state_for(version_id) if version_id is not None else self._require_state())

    def accept_all_remaining(self, version_id: int | None = None, action: str = "accept_all",
                             status: str | None = None) -> DocumentVersion:
        """Accept every item still "suggested" in ONE transaction, one recorded decision each (with
        ``status``, the document's new status in the same transaction)."""
        vid = version_id if version_id is not None else self._require_state().version_id
        todo = [(key.layer, key.id, edits.accept_suggested) for key in self.remaining(vid)]
        if not todo and status is None:
            return self._state_for(vid)
        state = self.repo.update_items(vid, todo, action, status)
        self._after_save(state)
        return state

    def move_boundary(self, edge: str, delta: int, key: ItemKey | None = None, part: str = "item") -> DocumentVersion:
        """Move the start or end of a quote/claim, or of a quote's cue or speaker mention (``part``), by
        ``delta`` words (``annotator.words``; negative: to the left)."""
        edit = edits.move_boundary(edge, delta, part)
        key, _, _ = self._target(key)
        return self._save(key, edit, f"move_{edge}" if part == "item" else f"move_{part}_{edge}")

    def remove_part(self, part: str, key: ItemKey | None = None) -> DocumentVersion:
        """Remove the cue or the speaker of the selected item (a claim's speaker is a name: it goes too)."""
        edit = edits.remove_part(part)
        key, item, state = self._target(key)
        if isinstance(item, Claim) and part == "cue":
            raise UserError("a claim has no cue")
        if getattr(item, part) is None:
            return state
        return self._save(key, edit, f"remove_{part}")

    @staticmethod
    def trim(text: str, start: int, end: int, marks: bool = False) -> tuple[int, int]:
        """Strip whitespace (and with ``marks`` quotation marks) from both ends of a span."""
        return trim_span(text, start, end, marks)

    def guess_name(self, mention: str, state: DocumentVersion | None = None) -> str:
        """Canonical name for a new speaker mention: an existing name it matches, else the mention itself."""
        return edits.guess_name(state or self._require_state(), mention)

    def add_span(self, layer: str, start: int, end: int, key: ItemKey | None = None,
                 version_id: int | None = None) -> DocumentVersion:
        """Add a span from a selection: a new quote or claim, or the cue/speaker of the selected quote.

        Quote spans lose surrounding quotation marks (and become "direct" when they had them).
        """
        if layer not in SELECTION_LAYERS:
            raise ValueError(f"unknown layer {layer!r}")
        if layer in ("quotes", "claims"):
            vid = version_id if version_id is not None else (key.version_id if key else self._require_state().version_id)
            return self.add_item(layer, start, end, vid).state
        key, _, _ = self._target(key)
        if layer == "cues":
            return self._save(key, edits.set_cue(start, end), "set_cue")
        return self._save(key, edits.set_speaker(start, end), "set_speaker")

    def add_item(self, layer: str, start: int, end: int, version_id: int) -> Change:
        """A new quote or claim from a selection (see ``add_span``); the Change names the new item."""
        new_key = ItemKey(version_id, layer, edits.new_id(self._state_for(version_id), "q" if layer == "quotes" else "c"))
        return Change(self._save(new_key, edits.new_item(layer, start, end, new_key.id), "add"), new_key, "")

    def reassign_speaker(self, name: str, key: ItemKey | None = None,
                         mention: tuple[int, int] | None = None) -> DocumentVersion:
        """Give the selected quote (or claim) another speaker: a canonical name, and for a quote the mention
        (``edits.reassign_speaker``). Claims inside the quote attributed to its old speaker follow the
        change, in the same transaction (each one its own recorded decision).
        """
        name = name.strip()
        if not name:
            raise UserError("a speaker name cannot be empty")
        key, item, state = self._target(key)
        todo: list[tuple[str, str, Edit]] = [(key.layer, key.id, edits.reassign_speaker(name, mention))]
        old = item.speaker if isinstance(item, Quote) else None
        if old is not None and old.name != name:
            todo += [("claims", c.id, edits.claim_follows_speaker(old.name, name)) for c in state.claims
                     if c.speaker == old.name and item.start <= c.start and c.end <= item.end]
        result = self.repo.update_items(key.version_id, todo, "set_speaker")
        self._after_save(result)
        return result

    def speaker_mentions(self) -> list[SpeakerMention]:
        """The current version's speaker mentions (``speaker_mentions_of``)."""
        return [] if self.state is None else speaker_mentions_of(self.state)

    def set_stance(self, label: str | None = None, target: str | None = None, key: ItemKey | None = None,
                   new_target: bool = False) -> DocumentVersion:
        """Set the stance label and/or target of a quote (a label needs a target, kept from before).

        With ``new_target`` a target the dataset does not have yet is added to it first."""
        if label is not None and label not in STANCE_LABELS:
            raise ValueError(f"unknown stance label {label!r}")
        key, item, state = self._target(key)
        if new_target and target is not None and target.strip() not in self.targets:
            target = target.strip()
            self.add_target(target)
        if not isinstance(item, Quote):
            raise UserError("stance is set on quotes only")
        old = item.stance
        if old is not None and (target is None or target == old.target) and (label is None or label == old.label):
            return state  # nothing changes: no decision
        return self._save(key, edits.set_stance(label, target), "set_stance")

    def remove_stance(self, key: ItemKey | None = None) -> DocumentVersion:
        """The quote takes no stance (toward any target)."""
        key, item, state = self._target(key)
        if not isinstance(item, Quote):
            raise UserError("stance is set on quotes only")
        if item.stance is None:
            return state
        return self._save(key, edits.remove_stance, "set_stance")

    def add_target(self, name: str) -> tuple[str, ...]:
        """Add a stance target to the dataset (for every annotator); returns the dataset's targets."""
        name = name.strip()
        if not name:
            raise UserError("a stance target cannot be empty")
        if len(name) > 100 or any(not ch.isprintable() for ch in name):
            raise UserError("a stance target is one line of at most 100 printable characters")
        current = self.repo.get_dataset(self.dataset).stance_targets  # others may have added some meanwhile
        if name not in current:
            current = self.repo.set_stance_targets(self.dataset, [*current, name]).stance_targets
        self.targets = current
        return current

    def set_kind(self, kind: str, key: ItemKey | None = None) -> DocumentVersion:
        """Quote kind: direct, indirect or mixed (or their first letter)."""
        full = {k[0]: k for k in QUOTE_KINDS}.get(kind, kind)
        if full not in QUOTE_KINDS:
            raise ValueError(f"unknown quote kind {kind!r}")
        key, item, state = self._target(key)
        if not isinstance(item, Quote):
            raise UserError("kind is set on quotes only")
        if item.kind == full:
            return state
        return self._save(key, edits.set_kind(full), "set_kind")

    def toggle_checkworthy(self, key: ItemKey | None = None) -> DocumentVersion:
        """A claim is check-worthy or not (kept either way: the distinction is the annotation)."""
        key, _, _ = self._target(key)
        return self._save(key, edits.toggle_checkworthy, "set_checkworthy")

    def undo(self, version_id: int | None = None) -> DocumentVersion:
        return self.undo_or_redo("undo", version_id).state

    def redo(self, version_id: int | None = None) -> DocumentVersion:
        return self.undo_or_redo("redo", version_id).state

    def undo_or_redo(self, which: str, version_id: int | None = None) -> Change:
        """Undo (or redo) the last decision on a version; the Change names the item it changed (the UI
        selects it)."""
        vid = version_id if version_id is not None else self._require_state().version_id
        before = self._state_for(vid)
        state = self._reopen_if_undecided(self.repo.undo(vid) if which == "undo" else self.repo.redo(vid))
        old = {self.key(it, vid): it for it in _items(before)}
        new = {self.key(it, vid): it for it in _items(state)}
        changed = [k for k in (*old, *new) if old.get(k) != new.get(k)]
        if not changed:
            return Change(state, None, f"nothing to {which}")
        key = changed[0]
        label = f"{'quote' if key.layer == 'quotes' else 'claim'} {key.id}"
        summary = f"{which}: {describe_change(label, old.get(key), new.get(key))}"
        return Change(state, key if key in new else None, summary)

    def _reopen_if_undecided(self, state: DocumentVersion) -> DocumentVersion:
        """A done document whose undo brought a suggestion back is in progress again (done means decided)."""
        if state.status == "done" and any(it.status == "suggested" for it in _items(state)):
            state = self.repo.set_status(state.version_id, "in_progress")
            self._set_status(state)
        self._after_save(state)
        return state

    def _finish(self, version_id: int, status: str) -> DocumentVersion:
        return self._open_next(self.repo.set_status(version_id, status))

    def _open_next(self, state: DocumentVersion) -> DocumentVersion:
        """After a document was finished (``state``): open the next unfinished one, if any."""
        self._after_save(state)
        self._set_status(state)
        nxt = self.next_unfinished(after=state.document.id)
        self.finished = nxt is None
        return state if nxt is None else self.open_document(nxt)

    def mark_done(self, version_id: int | None = None) -> DocumentVersion:
        """Accept what is still suggested (each a recorded decision), mark done, open the next unfinished document."""
        vid = version_id if version_id is not None else self._require_state().version_id
        return self._open_next(self.accept_all_remaining(vid, action="done", status="done"))

    def flag(self, version_id: int | None = None) -> DocumentVersion:
        return self._finish(version_id if version_id is not None else self._require_state().version_id, "flagged")

    def skip(self, version_id: int | None = None) -> DocumentVersion:
        return self._finish(version_id if version_id is not None else self._require_state().version_id, "skipped")


def _items(state: DocumentVersion) -> list[Quote | Claim]:
    """A version's quotes then claims."""
    return [*state.quotes, *state.claims]


def key_of(item: Item, version_id: int) -> ItemKey:
    """The key of an item of a version."""
    return ItemKey(version_id, "quotes" if isinstance(item, Quote) else "claims", item.id)


def items_of(state: DocumentVersion) -> list[Item]:
    """A version's quotes and claims in text order (what j/k walk through)."""
    both: list[Item] = [*state.quotes, *state.claims]
    return sorted(both, key=lambda it: (it.start, it.end, isinstance(it, Claim)))


def item_of(state: DocumentVersion, key: ItemKey) -> Item | None:
    """The item ``key`` names, if it is in this version."""
    if state.version_id != key.version_id:
        return None
    return state.item(key.layer, key.id)


def remaining_in(state: DocumentVersion) -> list[ItemKey]:
    """The items of a version nobody has decided on yet, in text order."""
    items: list[Quote | Claim] = [*state.quotes, *state.claims]
    return [key_of(it, state.version_id) for it in sorted(items, key=lambda it: (it.start, it.end))
            if it.status == UNDECIDED]


def speakers_of(state: DocumentVersion) -> list[tuple[str, int]]:
    """A version's speakers (canonical names) with their numbers of kept quotes, most quoted first."""
    counts: Counter[str] = Counter()
    for q in state.quotes:
        if q.speaker is not None and q.status in KEPT_STATUSES:
            counts[q.speaker.name] += 1
    for q in state.quotes:  # speakers of rejected quotes still exist in the article
        if q.speaker is not None:
            counts.setdefault(q.speaker.name, 0)
    for c in state.claims:
        if c.speaker:
            counts.setdefault(c.speaker, 0)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))


def speaker_mentions_of(state: DocumentVersion) -> list[SpeakerMention]:
    """Every distinct speaker mention of a version's quotes, in text order."""
    seen: dict[tuple[int, int], SpeakerMention] = {}
    for q in state.quotes:
        if q.speaker is not None:
            seen.setdefault((q.speaker.start, q.speaker.end), q.speaker)
    return [seen[k] for k in sorted(seen)]
