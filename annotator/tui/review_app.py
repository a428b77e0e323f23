"""``annotator review``: the App around the review screen (``tui.screens.review``, its base screen), the
app-wide keys (help, quit) and the decision worker that stores each adjudicated document (``tui.saving``)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from annotator.review.session import ReviewSession
from annotator.tui.notify import DataNotifications
from annotator.tui.saving import SerialSaves
from annotator.tui.screens.dialogs import ConfirmScreen
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

    async def action_quit(self) -> None:
        """Quit after the saves; choices made in the document on screen are only stored by enter, so with
        some made and not being saved, ask first (before, q dropped them without a word)."""
        doc = self.session.current
        screen = self.screen
        if isinstance(screen, ConfirmScreen):
            return
        if doc is not None and doc.resolutions and not (isinstance(screen, ReviewScreen) and screen.saving):
            question = f"Quit and lose {len(doc.resolutions)} unsaved choice(s) in this document?"

            def answer(yes: bool | None) -> None:
                if yes:
                    self.call_later(partial(SerialSaves.action_quit, self))

            self.push_screen(ConfirmScreen(question), answer)
            return
        await super().action_quit()
