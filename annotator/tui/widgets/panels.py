"""Side panels and the status line. Everything shown from the data is a ``Text`` built from plain
strings with control characters made visible (``annotator.display.visible``, as in the article: one rendering in the UI): never markup."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from annotator.display import visible
from annotator.scheme import LAYER_LABELS, Claim, Quote
from annotator.annotate.session import Progress

PREVIEW_CHARS = 240


def _field(out: Text, label: str, value: str | None, style: str = "", moving: bool = False) -> None:
    out.append(f"{label:<9}", style="bold reverse" if moving else "bold")
    if value is None:
        out.append("-", style="dim")
    else:
        out.append(visible(value), style=style)
    if moving:
        out.append("  ◂ [ ] { }", style="bold")
    out.append("\n")


def describe(item: Quote | Claim | None, index: int, total: int, part: str = "item") -> Text:
    """The side panel text of the selected item; ``part`` (what the bracket keys move) is marked ``◂ [ ]``."""
    out = Text()
    if item is None:
        out.append("No items in this document.\n", style="italic")
        out.append("Select text with v (or the mouse) to add one.")
        return out
    layer = "quotes" if isinstance(item, Quote) else "claims"
    out.append(f"{LAYER_LABELS[layer]} {index} of {total}", style="bold reverse")
    out.append(f"  {visible(item.id)}\n")
    _field(out, "status", item.status, "bold")
    if item.score is not None:  # the model's confidence in its suggestion
        _field(out, "score", f"{item.score:.2f}")
    _field(out, "span", f"{item.start}-{item.end}")
    if isinstance(item, Quote):
        _field(out, "kind", item.kind)
        _field(out, "cue", item.cue.text if item.cue else None, "bold", part == "cue")
        _field(out, "speaker", item.speaker.text if item.speaker else None, "italic", part == "speaker")
        _field(out, "name", item.speaker.name if item.speaker else None, "bold")
        _field(out, "target", item.stance.target if item.stance else None)
        _field(out, "stance", item.stance.label if item.stance else None, "bold")
    else:
        _field(out, "check", "yes" if item.checkworthy else "no")
        _field(out, "speaker", item.speaker, "bold")
    text = item.text if len(item.text) <= PREVIEW_CHARS else item.text[:PREVIEW_CHARS] + "…"
    out.append("\n")
    out.append(visible(text), style="italic" if isinstance(item, Claim) else "")
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

    def show(self, item: Quote | Claim | None, index: int, total: int, part: str = "item") -> None:
        text = describe(item, index, total, part)
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
        out.append(visible(name), style="bold reverse" if name == current else "")
        out.append(f"  {count}")
    return out


class SpeakerList(_TextPanel):
    """The article's canonical speakers with quote counts; the selected quote's speaker is marked."""

    def show(self, speakers: list[tuple[str, int]], current: str | None) -> None:
        self.show_text(speakers_text(speakers, current))


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def status_text(doc_id: str, progress: Progress, saving: int, error: str | None,
                mode: str = "") -> tuple[Text, Text]:
    """The status line in two parts: where you are (cut first on a narrow terminal) and, always shown,
    the time on the document, whether everything is saved, and the mode."""
    left = Text()
    if error:
        left.append(visible(error), style="bold")
        left.append("  ")
    left.append(f"Document {progress.position} of {progress.total}", style="bold")
    left.append("  ")
    left.append(visible(doc_id))
    left.append(f"  [{progress.status.replace('_', ' ')}]")
    left.append(f"  items decided {progress.decided}/{progress.items}")
    left.append(f"  done {progress.done}/{progress.total}")
    right = Text(f"time {_clock(progress.seconds)}  ")
    right.append_text(saved_indicator(saving, error))
    if mode:
        right.append("  ")
        right.append(mode, style="bold reverse")
    return left, right


def saved_indicator(saving: int, error: str | None) -> Text:
    """Whether every decision is stored: ``✗ NOT SAVED`` after a failure, ``… saving (n)``, ``✓ saved``
    (the same words on every decision screen)."""
    if error:
        return Text("✗ NOT SAVED", style="bold reverse")
    if saving:
        return Text(f"… saving ({saving})", style="italic")
    return Text("✓ saved", style="bold")


def fit(left: Text, right: Text, width: int) -> Text:
    """``left`` and ``right`` on one line of ``width`` cells: ``right`` whole, ``left`` cut with … if needed."""
    room = width - right.cell_len - 2
    if left.cell_len > room:
        left = left.copy()
        left.truncate(max(room, 0), overflow="ellipsis")
    gap = max(width - left.cell_len - right.cell_len, 2)
    return Text.assemble(left, " " * gap, right, no_wrap=True, end="")


class StatusLine(Widget):
    """Document i of n, items decided, time on this document, the saved indicator (one line, no re-layout).

    With a ``right`` part, that part is always shown whole at the right end (the saved indicator must
    never be cut off on an 80-column terminal); the left part is cut instead."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._right: Text | None = None

    def show(self, text: Text, right: Text | None = None) -> None:
        if text != self._text or right != self._right:
            self._text, self._right = text, right
            self.refresh()

    def render(self) -> Text:
        if self._right is None:
            return self._text
        return fit(self._text, self._right, self.content_size.width or self.size.width)
