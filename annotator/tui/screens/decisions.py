"""The base of the screens whose keys are decisions (annotate, who said what).

What they share and used to repeat: decisions go to the app's one decision worker (``tui.saving``)
through a typed accessor, are counted until saved, a failure is shown the same way (error notice,
``✗ NOT SAVED`` until the next save), and a stance target is picked with the same picker.
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

from textual.screen import Screen

from annotator.display import visible
from annotator.tui.messages import DecisionFailed
from annotator.tui.saving import SerialSaves
from annotator.tui.screens.dialogs import PickerScreen

ResultType = TypeVar("ResultType")
#: The target picker's "none" entry (a NUL cannot be typed into the picker, so no target is named so).
NO_STANCE = "\x00none"


class DecisionScreen(Screen[ResultType]):
    """A screen whose keys become decisions stored by the app's decision worker."""

    def __init__(self) -> None:
        super().__init__()
        #: Decisions queued and not yet reported back.
        self.pending = 0
        #: The last save failure, shown until a decision is saved again.
        self.error: str | None = None

    @property
    def saves(self) -> SerialSaves:
        """The app's decision worker (both apps have one)."""
        app = self.app
        if not isinstance(app, SerialSaves):
            raise TypeError(f"{type(app).__name__} has no decision worker")
        return app

    def queue(self, description: str, fn: Callable[[], object]) -> None:
        """Queue one decision on the worker; its result comes back as DecisionSaved / DecisionFailed."""
        self.pending += 1
        self.saves.submit_decision(self, description, fn)
        self.update_status()

    def update_status(self) -> None:
        """Redraw the status line (the save indicator); screens override it."""

    def decision_saved(self) -> None:
        self.pending = max(self.pending - 1, 0)
        self.error = None

    def decision_failed(self, message: DecisionFailed) -> None:
        """Count the decision as handled and say why it was not stored (a refusal is a warning only)."""
        self.pending = max(self.pending - 1, 0)
        error = message.severity == "error"
        if error:
            self.error = message.error
        self.notify(visible(message.error), title=f"{message.description}: not saved" if error else message.description,
                    severity="error" if error else "warning", markup=False, timeout=10 if error else 4)

    def pick_target(self, title: str, targets: Sequence[str], current: str | None,
                    then: Callable[[str], None], allow_new: bool = False, with_none: bool = False) -> None:
        """Pick a stance target (``then`` gets it; ``NO_STANCE`` for the "none" entry of ``with_none``)."""
        choices = [(t, t) for t in targets]
        if with_none:
            choices.insert(0, (NO_STANCE, "(none: remove the stance)"))

        def chosen(target: str | None) -> None:
            if target:
                then(target)

        self.app.push_screen(PickerScreen(title, choices, allow_new=allow_new,
                                          placeholder="filter, or a new target" if allow_new else "type to filter",
                                          highlight=current), chosen)
