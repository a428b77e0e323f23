"""``annotator annotate``: the App wires the annotation screen, the app-wide keys and the decision worker.

Decisions run one after another on ONE long-lived thread worker fed by a queue (``tui.saving``), so
the UI never waits for the database and decisions on a version are committed in the order the keys
were pressed. Quitting waits until every queued decision has been handled.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from annotator.annotate.session import AnnotationSession
from annotator.tui.notify import DataNotifications
from annotator.tui.saving import SerialSaves
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.help import HelpScreen, key_names
from annotator.tui.screens.speakers import SpeakersScreen
from annotator.tui.widgets.article import ArticleView


class AnnotatorApp(DataNotifications, SerialSaves, App[None]):
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

    def on_mount(self) -> None:
        self.start_saving()
        self.push_screen(AnnotateScreen(self.session))

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
                    yield SystemCommand(b.description, f"key: {key_names(self, b)}", partial(screen.run_action, b.action))
