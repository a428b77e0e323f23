"""One decision worker per app: every change to the database runs on ONE long-lived thread, in key order.

Used by both apps (``annotate`` and ``review``). A decision is queued synchronously when its key is
pressed, so it is stored even if the app stops right after: on quit the queue is drained first, and
when an unexpected error stops the app the worker, once cancelled, still handles every queued job
before it returns (Textual's event loop waits for its worker threads before ``App.run`` returns).
Each result goes back to the node that sent the job as a ``DecisionSaved`` / ``DecisionFailed`` message.
"""

from __future__ import annotations

import queue
from typing import Callable

from textual import work
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from annotator.errors import DatabaseError, SaveError, UserError
from annotator.tui.messages import DecisionFailed, DecisionSaved, QueueDrained

Job = tuple[MessagePump, str, Callable[[], object]]


class SerialSaves:
    """App mixin (before ``App`` in the bases); call ``start_saving`` in ``on_mount``."""

    _jobs: "queue.SimpleQueue[Job | None]"
    _quitting: bool = False

    def start_saving(self) -> None:
        self._jobs = queue.SimpleQueue()
        self._decision_worker()

    def submit_decision(self, target: MessagePump, description: str, fn: Callable[[], object]) -> None:
        """Queue one decision; its result is posted to ``target`` as DecisionSaved / DecisionFailed."""
        self._jobs.put((target, description, fn))

    @work(thread=True, name="decisions", group="decisions", exit_on_error=False)
    def _decision_worker(self) -> None:
        worker = get_current_worker()
        while True:
            try:
                job = self._jobs.get(timeout=0.1)
            except queue.Empty:
                if worker.is_cancelled:
                    return
                continue
            if job is None:
                self.post_message(QueueDrained())  # type: ignore[attr-defined]
                return
            target, description, fn = job
            try:
                result = fn()
            except (SaveError, DatabaseError) as exc:
                target.post_message(DecisionFailed(description, str(exc), "error"))
            except UserError as exc:  # refused (nothing selected, overlapping span): nothing was written
                target.post_message(DecisionFailed(description, str(exc), "warning"))
            except Exception as exc:  # noqa: BLE001  any other storage failure must be shown, never dropped
                target.post_message(DecisionFailed(description, f"{type(exc).__name__}: {exc}", "error"))
            else:
                target.post_message(DecisionSaved(description, result))

    async def action_quit(self) -> None:
        """Quit once every queued decision has been saved (or reported as failed)."""
        if self._quitting:
            return
        self._quitting = True
        running = [w for w in self.workers if w.group == "decisions" and not w.is_finished]  # type: ignore[attr-defined]
        if not running:
            self.exit()  # type: ignore[attr-defined]
            return
        self._jobs.put(None)

    def on_queue_drained(self, message: QueueDrained) -> None:
        self.exit()  # type: ignore[attr-defined]
