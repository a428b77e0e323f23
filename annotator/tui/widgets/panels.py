"""Side panels and the status line. Everything shown from the data is a ``Text`` built from plain
strings with control characters made visible (``annotator.display.safe``): never markup."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from annotator.display import safe
from annotator.scheme import LAYER_LABELS, Claim, Quote
from annotator.session import Progress

PREVIEW_CHARS = 240


def _field(out: Text, label: str, value: str | None, style: str = "") -> None:
    out.append(f"{label:<9}", style="bold")
    if value is None:
        out.append("-", style="dim")
    else:
        out.append(safe(value), style=style)
    out.append("\n")


def describe(item: Quote | Claim | None, index: int, total: int) -> Text:
    """The side panel text of the selected item."""
    out = Text()
    if item is None:
        out.append("No items in this document.\n", style="italic")
        out.append("Select text with v (or the mouse) to add one.")
        return out
    layer = "quotes" if isinstance(item, Quote) else "claims"
    out.append(f"{LAYER_LABELS[layer]} {index} of {total}", style="bold reverse")
    out.append(f"  {safe(item.id)}\n")
    _field(out, "status", item.status, "bold")
    _field(out, "span", f"{item.start}-{item.end}")
    if isinstance(item, Quote):
        _field(out, "kind", item.kind)
        _field(out, "cue", item.cue.text if item.cue else None, "bold")
        _field(out, "speaker", item.speaker.text if item.speaker else None, "italic")
        _field(out, "name", item.speaker.name if item.speaker else None, "bold")
        _field(out, "target", item.stance.target if item.stance else None)
        _field(out, "stance", item.stance.label if item.stance else None, "bold")
    else:
        _field(out, "check", "yes" if item.checkworthy else "no")
        _field(out, "speaker", item.speaker, "bold")
    text = item.text if len(item.text) <= PREVIEW_CHARS else item.text[:PREVIEW_CHARS] + "…"
    out.append("\n")
    out.append(safe(text), style="italic" if isinstance(item, Claim) else "")
    return out


class _TextPanel(Static):
    """A Static that re-lays out only when what it shows changed."""

    _shown: Text | None = None

    def show_text(self, text: Text) -> None:
        if self._shown is None or text != self._shown:
            self._shown = text
            self.update(text)


class ItemPanel(Widget):
    """Fields of the selected item: layer, kind, cue, speaker mention and name, stance, status.

    Changes on every keypress, so it has a fixed size and repaints without a re-layout of the screen.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def show(self, item: Quote | Claim | None, index: int, total: int) -> None:
        text = describe(item, index, total)
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        return self._text


def speakers_text(speakers: list[tuple[str, int]], current: str | None) -> Text:
    out = Text()
    out.append("name  quotes\n", style="dim")
    if not speakers:
        out.append("none yet", style="dim")
    for i, (name, count) in enumerate(speakers):
        if i:
            out.append("\n")
        mark = "▸ " if name == current else "  "
        out.append(mark)
        out.append(safe(name), style="bold reverse" if name == current else "")
        out.append(f"  {count}")
    return out


class SpeakerList(_TextPanel):
    """The article's canonical speakers with quote counts; the selected quote's speaker is marked."""

    def show(self, speakers: list[tuple[str, int]], current: str | None) -> None:
        self.show_text(speakers_text(speakers, current))


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def status_text(doc_id: str, progress: Progress, saving: int, error: str | None, mode: str = "") -> Text:
    out = Text()
    out.append(f"Document {progress.position} of {progress.total}", style="bold")
    out.append("  ")
    out.append(safe(doc_id))
    out.append(f"  [{progress.status.replace('_', ' ')}]")
    out.append(f"  items decided {progress.decided}/{progress.items}")
    out.append(f"  done {progress.done}/{progress.total}")
    out.append(f"  time {_clock(progress.seconds)}")
    out.append("  ")
    if error:
        out.append("✗ NOT SAVED: ", style="bold reverse")
        out.append(safe(error))
    elif saving:
        out.append(f"… saving ({saving})", style="italic")
    else:
        out.append("✓ saved", style="bold")
    if mode:
        out.append("  ")
        out.append(mode, style="bold reverse")
    return out


class StatusLine(Widget):
    """Document i of n, items decided, time on this document, the saved indicator (one line, no re-layout)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def show(self, text: Text) -> None:
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        return self._text
