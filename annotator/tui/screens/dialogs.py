"""Modal dialogs: a filterable picker (speakers, stance targets, documents) and a yes/no confirmation."""

from __future__ import annotations

from typing import ClassVar, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from annotator.display import visible


class DismissOnce:
    """Screen mixin (before the Screen class): a screen closes once, and only while it is on top.

    Keys that arrive together (key repeat, a pasted name ending in a newline) can ask a dialog to close
    twice before the first close is handled, and Textual's ``dismiss`` pops whatever screen is on top:
    the second call would close the screen underneath and leave a blank screen.
    """

    _dismissed = False

    def dismiss(self, result: object = None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:  # type: ignore[attr-defined]
            return AwaitComplete()
        self._dismissed = True
        return super().dismiss(result)  # type: ignore[misc]


class PickerScreen(DismissOnce, ModalScreen["str | None"]):
    """Pick one of ``choices`` (value, label); type to filter on the labels; with ``allow_new`` the typed
    text is an option too. (The document list, long, is ``goto.DocumentPicker``.)

    Enter takes the highlighted entry, escape cancels. Labels are shown literally (never markup).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "cursor(1)", "Next", show=False, priority=True),
        Binding("up", "cursor(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], allow_new: bool = False,
                 placeholder: str = "type to filter", highlight: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.allow_new = allow_new
        self.placeholder = placeholder
        self.initial = highlight
        self._values: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(Text(self.title_text, style="bold"), id="picker-title")
            yield Input(placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")
        if self.initial in self._values:
            self.query_one(OptionList).highlighted = self._values.index(self.initial)
        self.query_one(Input).focus()

    def _fill(self, typed: str) -> None:
        needle = typed.strip().casefold()
        options: list[Option] = []
        self._values = []
        exact = False
        for value, label in self.choices:
            if needle in label.casefold():
                options.append(Option(Text(visible(label))))
                self._values.append(value)
                exact = exact or value.casefold() == needle
        if self.allow_new and needle and not exact:
            options.append(Option(Text.assemble(("+ new: ", "bold"), visible(typed.strip()))))
            self._values.append(typed.strip())
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options(options)
        if options:
            ol.highlighted = 0

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None and ol.highlighted < len(self._values):
            self.dismiss(self._values[ol.highlighted])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._values[event.option_index])

    def action_cursor(self, delta: int) -> None:
        ol = self.query_one(OptionList)
        if self._values:
            ol.highlighted = ((ol.highlighted or 0) + delta) % len(self._values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(DismissOnce, ModalScreen[bool]):
    """A yes/no question: y or enter confirms, n or escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(Text(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class SearchScreen(DismissOnce, ModalScreen["str | None"]):
    """One line at the bottom for a search in the article: enter searches, escape cancels.

    The article stays visible above; the typed text is searched literally (no patterns)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, previous: str = "") -> None:
        super().__init__()
        self.previous = previous

    def compose(self) -> ComposeResult:
        with Horizontal(id="search"):
            yield Label("/", id="search-prompt")
            yield Input(value=self.previous, placeholder="search the article (enter; then n / N)", id="search-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
