"""Messages from the decision worker (a thread, ``tui.saving``) to the screen or app that queued the decision.

They are how results cross from the worker thread to the UI thread: the worker only posts (Textual's
``post_message`` is thread-safe), the handler runs on the UI thread and is the only code that changes
what is shown.
"""

from __future__ import annotations

from textual.message import Message

from annotator.annotate.session import Change
from annotator.records import DocumentVersion


class DecisionSaved(Message):
    """A decision was committed; ``result`` is what the decision returned (when annotating: the
    ``DocumentVersion`` after it, or a ``Change`` that holds it)."""

    def __init__(self, description: str, result: object) -> None:
        super().__init__()
        self.description = description
        self.result = result

    @property
    def version(self) -> DocumentVersion | None:
        """The version after the decision, if it returned one (what the annotate screen draws)."""
        if isinstance(self.result, Change):
            return self.result.state
        return self.result if isinstance(self.result, DocumentVersion) else None


class DecisionFailed(Message):
    """A decision was not stored (or refused); nothing changed in the database for it."""

    def __init__(self, description: str, error: str, severity: str = "error") -> None:
        super().__init__()
        self.description = description
        self.error = error
        self.severity = severity


class QueueDrained(Message):
    """Every queued decision has been handled and the worker stopped (sent when quitting)."""
