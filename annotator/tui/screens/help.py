"""The help screen, generated from the BINDINGS of the screens and widgets (never written by hand)."""

from __future__ import annotations

from typing import ClassVar, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.tui.screens.dialogs import DismissOnce


def key_names(app, binding: Binding) -> str:  # type: ignore[no-untyped-def]
    """All keys of a binding as shown to users ("j / ↓ / tab")."""
    keys = [k.strip() for k in binding.key.split(",") if k.strip()]
    return " / ".join(app.get_key_display(Binding(k, binding.action, binding.description)) for k in keys)


def bindings_table(app, sections: Sequence[tuple[str, Sequence[BindingType]]]) -> Table:  # type: ignore[no-untyped-def]
    table = Table(box=None, show_header=False, padding=(0, 2), expand=False)
    table.add_column("key", justify="right", no_wrap=True)
    table.add_column("action")
    for i, (title, bindings) in enumerate(sections):
        if i:
            table.add_row("", "")
        table.add_row(Text(""), Text(title, style="bold underline"))
        for b in bindings:
            if isinstance(b, Binding) and b.description:
                table.add_row(Text(key_names(app, b), style="bold"), Text(b.description))
    return table


class HelpScreen(DismissOnce, ModalScreen[None]):
    """All keys, by section, as declared in BINDINGS."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help"),
    ]

    def __init__(self, sections: Sequence[tuple[str, Sequence[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys — press escape to close", style="bold"), id="help-title")
            yield Static(bindings_table(self.app, self.sections), id="help-table")

    def action_close(self) -> None:
        self.dismiss(None)
