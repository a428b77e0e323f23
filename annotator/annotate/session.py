"""The annotation controller: one annotator going through the documents of a dataset.

The terminal UI (``annotator.tui``) is a thin layer on top of this class; tests and scripts use it
directly. No Textual here. Every decision method computes the new state of ONE item from the
latest stored state, commits it with ``Repository.update_item`` (one transaction, one event) and
returns the new ``DocumentVersion``; nothing is kept only in memory.

Items are addressed by ``ItemKey`` (version id, layer, item id), captured when a key is pressed,
so decisions queued for a document still apply to that document after the session moved on.

Blind annotation: the session only ever reads the model's suggestions (through ``open_version``)
and this annotator's own version; other annotators' work is never loaded.

Thread use: the UI reads ``state``/``selected`` on its thread and runs decisions one at a time on a
single worker thread; attribute assignments are atomic, and decisions are never run concurrently.
"""

from __future__ import annotations

import threading
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
    """What an undo or redo did: the version after it, the item it changed and a one-line summary."""

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
        self.statuses: dict[int, str] = repo.annotator_statuses(dataset, annotator)
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
        self.state: DocumentVersion | None = None
        self.selected: ItemKey | None = None
        #: Held while session state changes (decision worker thread) and while the UI reads several
        #: fields that must agree (UI thread). Never held during database I/O.
        self.lock = threading.RLock()
        #: True once every document is done, flagged or skipped.
        self.finished = False
        self._opened_at = clock()
        #: Work on the open document in this session: gaps between actions, each capped at IDLE_CAP_SECONDS.
        self._worked, self._last_action = 0.0, self._opened_at
        #: Time spent on the open document in earlier sessions (from the event log).
        self._earlier_seconds = 0.0
        self._doc_names: dict[int, str] | None = None
        self._doc_openings: dict[int, str] | None = None
        #: Document id -> (layer, item id) selected when that document was last left (this session).
        self._where: dict[int, tuple[str, str]] = {}
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
        """Open a document where this annotator left it: the item selected when they left it in this
        session, else the item of their last recorded decision on it, else the first item."""
        if doc_id not in self.statuses:
            raise NotFoundError(f"no document with id {doc_id} in dataset {self.dataset!r}")
        with self.lock:
            if self.state is not None and self.selected is not None:  # remember where we leave this one
                self._where[self.state.document.id] = (self.selected.layer, self.selected.id)
        state = self.repo.open_version(doc_id, self.annotator, blind=self.blind)
        if self.auto_accept is not None:
            state = self._accept_confident(state, self.auto_accept)
        earlier = self.repo.time_spent(state.version_id)
        where = self._where.get(doc_id)
        if where is None:
            decided = [e["item_id"] for e in self.repo.events(state.version_id) if e["item_id"]]
            if decided:
                layer, _, item_id = decided[-1].partition(":")
                where = (layer, item_id)
        with self.lock:
            self._set_state(state, new_document=True)
            self._earlier_seconds = earlier
            if where is not None and self.item(ItemKey(state.version_id, *where)) is not None:
                self.selected = ItemKey(state.version_id, *where)
        return state

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

    def document_openings(self) -> dict[int, str]:
        """Document id -> the first words of its text on one line (loaded once, for the document list)."""
        if self._doc_openings is None:
            self._doc_openings = {i: " ".join(t.split()) for i, t in self.repo.document_openings(self.dataset).items()}
        return self._doc_openings

    def document_names(self) -> dict[int, str]:
        """Document id -> external id, in dataset order (loaded once)."""
        if self._doc_names is None:
            self._doc_names = self.repo.document_names(self.dataset)
        return self._doc_names

    def _set_state(self, state: DocumentVersion, new_document: bool = False) -> None:
        with self.lock:
            self._set_state_locked(state, new_document)

    def _set_state_locked(self, state: DocumentVersion, new_document: bool) -> None:
        if new_document or self.state is None or state.version_id != self.state.version_id:
            self._opened_at = self.clock()
            self._worked, self._last_action = 0.0, self._opened_at
            self.state = state
            first = self.items
            self.selected = self.key(first[0]) if first else None
        else:
            self.state = state
            if self.selected is not None and self.item(self.selected) is None:
                self.selected = None
                if self.items:
                    self.selected = self.key(self.items[0])
        self.statuses[state.document.id] = state.status

    def _require_state(self) -> DocumentVersion:
        if self.state is None:
            raise UserError("no document is open")
        return self.state

    # -- items and selection ----------------------------------------------------------------------

    @property
    def items(self) -> list[Item]:
        """Quotes and claims of the current version in text order."""
        if self.state is None:
            return []
        both: list[Item] = [*self.state.quotes, *self.state.claims]
        return sorted(both, key=lambda it: (it.start, it.end, isinstance(it, Claim)))

    def key(self, item: Item, version_id: int | None = None) -> ItemKey:
        vid = version_id if version_id is not None else self._require_state().version_id
        return ItemKey(vid, "quotes" if isinstance(item, Quote) else "claims", item.id)

    def item(self, key: ItemKey, state: DocumentVersion | None = None) -> Item | None:
        state = state or self.state
        if state is None or state.version_id != key.version_id:
            return None
        for it in state.quotes if key.layer == "quotes" else state.claims:
            if it.id == key.id:
                return it
        return None

    @property
    def selected_item(self) -> Item | None:
        return None if self.selected is None else self.item(self.selected)

    def select(self, key: ItemKey | None) -> None:
        with self.lock:
            self.selected = key

    def select_next(self, delta: int = 1) -> Item | None:
        """Move the selection ``delta`` items on (wrapping); returns the newly selected item."""
        items = self.items
        if not items:
            self.selected = None
            return None
        keys = [self.key(it) for it in items]
        i = keys.index(self.selected) if self.selected in keys else (-1 if delta > 0 else 0)
        self.selected = keys[(i + delta) % len(keys)]
        return items[(i + delta) % len(keys)]

    def select_undecided(self, delta: int = 1) -> Item | None:
        """Select the next (``delta`` > 0) or previous undecided item, wrapping; None when all are decided."""
        items = self.items
        keys = [self.key(it) for it in items]
        here = keys.index(self.selected) if self.selected in keys else (-1 if delta > 0 else len(keys))
        step = 1 if delta > 0 else -1
        for n in range(1, len(items) + 1):
            i = (here + step * n) % len(items)
            if items[i].status == UNDECIDED:
                self.selected = keys[i]
                return items[i]
        return None

    def select_at(self, offset: int) -> Item | None:
        """Select the (shortest) item covering character ``offset``."""
        hits = [it for it in self.items if it.start <= offset < it.end]
        if not hits:
            return None
        best = min(hits, key=lambda it: it.end - it.start)
        self.selected = self.key(best)
        return best

    def tokens(self) -> list[tuple[int, int]]:
        """The words of the current document (``annotator.words``: the same words every span key moves by)."""
        return words(self._require_state().document.text)

    def speakers(self) -> list[tuple[str, int]]:
        """The article's speakers (canonical names) with their numbers of kept quotes, most quoted first."""
        counts: Counter[str] = Counter()
        state = self.state
        if state is None:
            return []
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
        statuses = self.repo.annotator_statuses(self.dataset, self.annotator)
        with self.lock:
            self.statuses = statuses
        if self.state is not None and self.state.document.ext_id in outcome:
            self.reload()
        return outcome

    def reload(self) -> DocumentVersion:
        """Read the current version again (after changes made elsewhere, e.g. to aligned copies)."""
        state = self.repo.get_version(self._require_state().version_id)
        self._set_state(state)
        return state

    def progress(self) -> Progress:
        state = self._require_state()
        items = self.items
        return Progress(
            position=self.doc_ids.index(state.document.id) + 1,
            total=len(self.doc_ids),
            done=sum(1 for s in self.statuses.values() if s == "done"),
            decided=sum(1 for it in items if it.status != "suggested"),
            items=len(items),
            seconds=self._earlier_seconds + self._worked + self._idle(),
            status=state.status,
        )

    # -- decisions --------------------------------------------------------------------------------

    def _state_for(self, version_id: int) -> DocumentVersion:
        if self.state is not None and self.state.version_id == version_id:
            return self.state
        return self.repo.get_version(version_id)

    def _target(self, key: ItemKey | None) -> tuple[ItemKey, Item, DocumentVersion]:
        key = key or self.selected
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

    def _idle(self) -> float:
        """Seconds since the last action, at most IDLE_CAP_SECONDS."""
        return min(max(self.clock() - self._last_action, 0.0), IDLE_CAP_SECONDS)

    def _acted(self) -> None:
        self._worked += self._idle()
        self._last_action = self.clock()

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
        state = self._state_for(version_id) if version_id is not None else self._require_state()
        items: list[Quote | Claim] = [*state.quotes, *state.claims]
        return [self.key(it, state.version_id) for it in sorted(items, key=lambda it: (it.start, it.end))
                if it.status == "suggested"]

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
            new_key = ItemKey(vid, layer, edits.new_id(self._state_for(vid), "q" if layer == "quotes" else "c"))
            result = self._save(new_key, edits.new_item(layer, start, end, new_key.id), "add")
            with self.lock:
                if self.state is not None and self.state.version_id == vid:
                    self.selected = new_key
            return result
        key, _, _ = self._target(key)
        if layer == "cues":
            return self._save(key, edits.set_cue(start, end), "set_cue")
        return self._save(key, edits.set_speaker(start, end), "set_speaker")

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
        """Every distinct speaker mention of the current document's quotes, in text order."""
        state = self.state
        if state is None:
            return []
        seen: dict[tuple[int, int], SpeakerMention] = {}
        for q in state.quotes:
            if q.speaker is not None:
                seen.setdefault((q.speaker.start, q.speaker.end), q.speaker)
        return [seen[k] for k in sorted(seen)]

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
        with self.lock:
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
        """Undo (or redo) the last decision on a version; the item it changed becomes the selected one."""
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
        with self.lock:
            if self.state is not None and self.state.version_id == vid and key in new:
                self.selected = key
        return Change(state, key if key in new else None, summary)

    def _reopen_if_undecided(self, state: DocumentVersion) -> DocumentVersion:
        """A done document whose undo brought a suggestion back is in progress again (done means decided)."""
        if state.status == "done" and any(it.status == "suggested" for it in _items(state)):
            state = self.repo.set_status(state.version_id, "in_progress")
            with self.lock:
                self.statuses[state.document.id] = state.status
        self._after_save(state)
        return state

    def _finish(self, version_id: int, status: str) -> DocumentVersion:
        return self._open_next(self.repo.set_status(version_id, status))

    def _open_next(self, state: DocumentVersion) -> DocumentVersion:
        """After a document was finished (``state``): open the next unfinished one, if any."""
        self._after_save(state)
        with self.lock:
            self.statuses[state.document.id] = state.status
        nxt = self.next_unfinished(after=state.document.id)
        with self.lock:
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
