"""The `g` document list: every document of the session, filtered as you type, at any dataset size.

Built for 100,000 documents: the list comes from one query an index covers (ids and titles, no texts), made
once a session (in the background when a large session starts; later opens only redo the search keys of
documents whose status changed); typing narrows the last result instead of scanning again (backspace finds
an earlier result remembered), and ``RowList`` draws only the rows on screen.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Sequence
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label
from textual.worker import Worker, WorkerState

from annotator.tui.screens.dialogs import DismissOnce
from annotator.tui.widgets.rows import RowList

if TYPE_CHECKING:
    from annotator.annotate.session import AnnotationSession

TITLE = "Go to document: type part of its id, status or first words"
LOADING = "reading the document list…"
#: Filter results kept for backspace (each a list of row numbers).
REMEMBERED = 32
#: Sessions of at least this many documents make their document list in the background (when they start,
#: or when the list opens before that is done); smaller ones make it when the list opens.
PREFETCH_FROM = 2_000


class SubstringFilter:
    """Rows whose key contains the typed text (stripped, case-folded), in row order.

    A result narrows the result of the longest remembered text inside the new one (typing on filters
    only what still matched), and recent results are kept, so backspace costs nothing.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = keys
        self._every = range(len(keys))
        self._results: dict[str, Sequence[int]] = {}

    def matching(self, typed: str) -> Sequence[int]:
        needle = typed.strip().casefold()
        if not needle:
            return self._every
        found = self._results.get(needle)
        if found is None:
            keys = self.keys
            narrower = [text for text in self._results if text in needle]
            if narrower:
                found = [row for row in self._results[max(narrower, key=len)] if needle in keys[row]]
            else:
                found = [row for row, key in enumerate(keys) if needle in key]
            if len(self._results) >= REMEMBERED:
                del self._results[next(iter(self._results))]
            self._results[needle] = found
        return found


class DocumentRows:
    """The session's documents in its order: row ``i`` is document number ``i + 1``.

    Made once per session (``of``); opening the list again compares the session's statuses with the ones
    the rows were made with (one dict comparison) and makes again only the search keys of documents whose
    status changed.
    """

    def __init__(self, doc_ids: Sequence[int], names: Sequence[str], titles: Sequence[str],
                 statuses: dict[int, str]) -> None:
        self.doc_ids, self.names, self.titles = doc_ids, names, titles
        self.row_of = {doc_id: row for row, doc_id in enumerate(doc_ids)}
        self._seen = dict(statuses)
        self.statuses = [_shown(statuses.get(doc_id)) for doc_id in doc_ids]
        # never the row number: typing 1999 finds art1999, not row 1999
        self.keys = [f"{n} {s} {t}".casefold() for n, s, t in zip(names, self.statuses, titles)]
        self.filter = SubstringFilter(self.keys)

    @classmethod
    def of(cls, session: AnnotationSession) -> DocumentRows:
        """The rows of ``session`` with its documents' current statuses (any thread; one builds, others wait)."""
        with _BUILDING:
            rows = cls.ready(session)
            if rows is None:
                titles = session.document_titles()
                doc_ids = list(session.doc_ids)
                pairs = [titles.get(doc_id) or (str(doc_id), "") for doc_id in doc_ids]
                rows = cls(doc_ids, [name for name, _ in pairs], [title for _, title in pairs], session.statuses)
                _SESSION_ROWS[session] = rows
            return rows

    @classmethod
    def ready(cls, session: AnnotationSession) -> DocumentRows | None:
        """The rows of ``session`` if already made (statuses brought up to date), else None."""
        rows = _SESSION_ROWS.get(session)
        if rows is None or rows.doc_ids != session.doc_ids:
            return None
        rows.update(session.statuses)
        return rows

    def update(self, statuses: dict[int, str]) -> None:
        """The search keys of documents whose status changed made again (and the filter started afresh)."""
        if statuses == self._seen:
            return
        changed = {doc_id for doc_id, _ in statuses.items() ^ self._seen.items()}
        self._seen = dict(statuses)
        for doc_id in changed:
            row = self.row_of.get(doc_id)
            if row is not None:
                self.statuses[row] = _shown(statuses.get(doc_id))
                self.keys[row] = f"{self.names[row]} {self.statuses[row]} {self.titles[row]}".casefold()
        self.filter = SubstringFilter(self.keys)

    def label(self, row: int) -> str:
        return f"{row + 1:>4}. {self.names[row]}  [{self.statuses[row]}]  {self.titles[row]}"


def _shown(status: str | None) -> str:
    return (status or "new").replace("_", " ")


#: Each session's rows, kept while the session lives.
_SESSION_ROWS: WeakKeyDictionary[AnnotationSession, DocumentRows] = WeakKeyDictionary()
_BUILDING = threading.Lock()


def prefetch(session: AnnotationSession) -> None:
    """Make a large session's rows in the background, so that the first `g` finds them ready (reading
    100,000 ids and titles takes a few hundred milliseconds); small sessions make them on `g`."""
    if len(session.doc_ids) >= PREFETCH_FROM and DocumentRows.ready(session) is None:
        threading.Thread(target=_make_quietly, args=(session,), name="document-list", daemon=True).start()


def _make_quietly(session: AnnotationSession) -> None:
    """The background load says nothing if it fails (the app quit and closed the database, say): opening
    the list makes the rows again and reports a failure there, on the screen."""
    try:
        DocumentRows.of(session)
    except Exception:  # noqa: BLE001 - a thread's traceback would be printed over the terminal UI
        pass


class DocumentPicker(DismissOnce, ModalScreen["int | None"]):
    """Pick a document by typing part of its id, status or first words; enter opens the highlighted one
    (its row number, 0-based, in the session's order), escape cancels.

    The screen opens at once; rows not made yet are made by a worker thread and shown when ready (filtered
    by whatever was typed meanwhile)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "cursor(1)", "Next", show=False, priority=True),
        Binding("up", "cursor(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(self, session: AnnotationSession, current: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.current = current
        self.rows: DocumentRows | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(Text(TITLE, style="bold"), id="picker-title")
            yield Input(placeholder=LOADING, id="picker-input")
            yield RowList(self._label, id="picker-options")

    @property
    def row_list(self) -> RowList:
        return self.query_one(RowList)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        rows = DocumentRows.ready(self.session)
        if rows is None and len(self.session.doc_ids) < PREFETCH_FROM:
            rows = DocumentRows.of(self.session)  # small: at once, as if it had always been there
        if rows is not None:
            self._loaded(rows)
        else:
            self.run_worker(partial(DocumentRows.of, self.session), thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, DocumentRows):
            self._loaded(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.query_one(Input).placeholder = f"the document list could not be read: {event.worker.error}"

    def _loaded(self, rows: DocumentRows) -> None:
        self.rows = rows
        typed = self.query_one(Input)
        typed.placeholder = "type to filter"
        if typed.value.strip():
            self.row_list.show(rows.filter.matching(typed.value), highlighted=0)
        else:
            self.row_list.show(rows.filter.matching(""), highlighted=self.current or 0)

    def _label(self, row: int) -> str:
        return self.rows.label(row) if self.rows is not None else ""

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self.rows is not None:
            self.row_list.show(self.rows.filter.matching(event.value), highlighted=0)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        rows = self.row_list
        if rows.highlighted is not None:
            self.dismiss(rows.shown[rows.highlighted])

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        self.dismiss(self.row_list.shown[event.position])

    def action_cursor(self, delta: int) -> None:
        rows = self.row_list
        if rows.shown:
            rows.highlighted = ((rows.highlighted or 0) + delta) % len(rows.shown)

    def action_cancel(self) -> None:
        self.dismiss(None)
