"""``annotator annotate``: the App wires the annotation screen, the app-wide keys and the decision worker.

Decisions run one after another on ONE long-lived thread worker fed by a queue, so the UI never
waits for the database and decisions on a version are committed in the order the keys were
pressed. Each result (saved or failed) goes back to the screen that sent it as a message.
Quitting waits until every queued decision has been handled.
"""

from __future__ import annotations

import queue
from functools import partial
from pathlib import Path
from typing import Callable, ClassVar, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import get_current_worker

from annotator.db.repo import VersionState
from annotator.errors import DatabaseError, SaveError, UserError
from annotator.session import AnnotationSession
from annotator.tui.messages import DecisionFailed, DecisionSaved, QueueDrained
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.speakers import SpeakersScreen
from annotator.tui.widgets.article import ArticleView

Job = tuple[Screen, str, Callable[[], VersionState]]


class AnnotatorApp(App[None]):
    """Accept or fix pre-annotations from the keyboard; every decision saved at once."""

    TITLE = "annotator"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: AnnotationSession) -> None:
        super().__init__()
        self.session = session
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._quitting = False

    def on_mount(self) -> None:
        self.push_screen(AnnotateScreen(self.session))
        self._decision_worker()

    # -- the decision worker ------------------------------------------------------------------------

    def submit_decision(self, screen: Screen, description: str, fn: Callable[[], VersionState]) -> None:
        """Queue one decision; its result is posted to ``screen`` as DecisionSaved / DecisionFailed."""
        self._jobs.put((screen, description, fn))

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
                self.post_message(QueueDrained())
                return
            screen, description, fn = job
            try:
                state = fn()
            except (SaveError, DatabaseError) as exc:
                screen.post_message(DecisionFailed(description, str(exc), "error"))
            except UserError as exc:  # refused (nothing selected, overlapping span): nothing was written
                screen.post_message(DecisionFailed(description, str(exc), "warning"))
            except Exception as exc:  # noqa: BLE001  any other storage failure must be shown, never dropped
                screen.post_message(DecisionFailed(description, f"{type(exc).__name__}: {exc}", "error"))
            else:
                screen.post_message(DecisionSaved(description, state))

    async def action_quit(self) -> None:
        """Quit once every queued decision has been saved (or reported as failed)."""
        if self._quitting:
            return
        self._quitting = True
        running = [w for w in self.workers if w.group == "decisions" and not w.is_finished]
        if not running:
            self.exit()
            return
        self._jobs.put(None)

    def on_queue_drained(self, message: QueueDrained) -> None:
        self.exit()

    # -- help and command palette --------------------------------------------------------------------

    def binding_sections(self) -> list[tuple[str, list[BindingType]]]:
        return [
            ("Annotate", list(AnnotateScreen.BINDINGS)),
            ("Select mode (after v or a mouse drag)", list(ArticleView.BINDINGS)),
            ("Who said what (w)", list(SpeakersScreen.BINDINGS)),
            ("Application", list(self.BINDINGS)),
        ]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            sections = self.binding_sections()
            if isinstance(self.screen, SpeakersScreen):  # the keys of the screen in use first
                sections.sort(key=lambda s: s[0] != "Who said what (w)")
            self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, (AnnotateScreen, SpeakersScreen)):
            for b in type(screen).BINDINGS:
                if isinstance(b, Binding) and b.description:
                    keys = b.key_display or b.key.split(",")[0]
                    yield SystemCommand(b.description, f"key: {keys}", partial(screen.run_action, b.action))
