"""Notifications show data: one ``notify`` for both apps (annotate and review).

Every ``notify`` in Textual (``Widget.notify``, ``Screen.notify``) ends in ``App.notify``, so
overriding it here covers every notification of an app: a message is always a plain string (a rich
``Text`` is taken as its plain text; Textual 8 cannot render one), never markup, with control
characters made visible, so an article's ``[bold]``, ``[@click=...]`` or an ANSI escape in an error
message is shown verbatim and does nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual.notifications import SeverityLevel

from annotator.display import visible


def plain(message: object) -> str:
    """The text a notification shows for ``message`` (a str, a rich Text or anything printable)."""
    text = message.plain if isinstance(message, Text) else str(message)
    return visible(text)


class DataNotifications:
    """App mixin: ``notify`` with data shown verbatim and inert (put it before ``App`` in the bases)."""

    def notify(self, message: object, *, title: object = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Show a notification; ``markup`` is ignored: what our apps show is data, never markup."""
        super().notify(plain(message), title=plain(title), severity=severity,  # type: ignore[misc]
                       timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit a Textual app; say which key does. Textual's own hint is markup
        ("Press [b]ctrl+q[/b]..."), which ``notify`` above shows verbatim, and names ctrl+q, not our q."""
        bindings = self.active_bindings.items()  # type: ignore[attr-defined]
        keys = [key for key, active in bindings if active.binding.action in ("quit", "app.quit")]
        if keys:
            key = min(keys, key=len)  # the app's own key (q) before Textual's ctrl+q
            self.notify(f"Press {key} to quit (after every decision is saved).", title="Do you want to quit?")
