"""``annotator review``: the App around the review screen (``tui.screens.review``, its base screen), the
app-wide keys (help, quit) and the decision worker that stores each adjudicated document (``tui.saving``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from annotator.review.session import ReviewSession
from annotator.tui.notify import DataNotifications
from annotator.tui.saving import SerialSaves
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.review import ReviewScreen


class ReviewApp(DataNotifications, SerialSaves, App[None]):
    """`annotator review`: walk documents with disagreements and store the adjudicated version."""

    TITLE = "annotator review"
    CSS_PATH = [Path(__file__).with_name("app.tcss"), Path(__file__).with_name("review.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: ReviewSession):
        super().__init__()
        self.session = session

    def get_default_screen(self) -> ReviewScreen:
        """The review screen is the app's base screen (dialogs and help go on top of it)."""
        return ReviewScreen(self.session)

    def on_mount(self) -> None:
        self.start_saving()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen([("Review", [*ReviewScreen.BINDINGS, *self.BINDINGS])]))
