"""Messages from the decision worker (a thread, ``tui.saving``) to the screen or app that queued the decision."""

from __future__ import annotations

from textual.message import Message

from annotator.records import DocumentVersion


class DecisionSaved(Message):
    """A decision was committed; ``state`` is what the decision returned (the version after it, when annotating)."""

    def __init__(self, description: str, state: DocumentVersion | object | None) -> None:
        super().__init__()
        self.description = description
        self.state = state


class DecisionFailed(Message):
    """A decision was not stored (or refused); nothing changed in the database for it."""

    def __init__(self, description: str, error: str, severity: str = "error") -> None:
        super().__init__()
        self.description = description
        self.error = error
        self.severity = severity


class QueueDrained(Message):
    """Every queued decision has been handled and the worker stopped (sent when quitting)."""
