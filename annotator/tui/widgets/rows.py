"""A list of one-line rows drawn on demand, for lists too long to build as widgets or options.

Textual's ``OptionList`` measures every option (wrapping each prompt) when it is filled: 100,000 documents
took seconds to show and again on every filter keystroke. ``RowList`` holds only row numbers; a row's label
is asked for (``label(row)``) and rendered when it scrolls into view, one line each (cut with "…" where
it is wider than the list), so showing or filtering a list costs the same at 100 rows as at 100,000.
Labels are data: shown literally, control characters made visible (``annotator.display.visible``).
"""

from __future__ import annotations

from typing import Callable, ClassVar, Sequence

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.display import visible


class RowList(ScrollView, can_focus=False):
    """Rows ``shown`` (numbers into the caller's data, in display order) with one highlighted.

    The highlight is a position in ``shown``; the keys that move it belong to the screen (the focus stays in
    its filter input). A click on a row highlights it and posts ``RowList.Chosen``.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--row", "row-list--highlighted"}

    DEFAULT_CSS = """
    RowList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .row-list--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    highlighted: reactive[int | None] = reactive(None)

    class Chosen(Message):
        """A row was clicked: ``position`` in the shown rows."""

        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def __init__(self, label: Callable[[int], str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label = label
        self.shown: Sequence[int] = ()

    def show(self, rows: Sequence[int], highlighted: int | None = None) -> None:
        """Show ``rows`` (not copied: the caller does not change it afterwards), highlighting a position.

        The screen is laid out again only when the list's height can change: not while it stays full.
        """
        height = self.scrollable_content_region.height
        stays_full = len(self.shown) > height and len(rows) >= height > 0
        self.shown = rows
        size = Size(self.scrollable_content_region.width, len(rows))
        if stays_full:
            self.set_reactive(RowList.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
        self.set_reactive(RowList.highlighted, None)
        self.highlighted = highlighted if rows else None
        if self.highlighted is None:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh(layout=not stays_full)

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self.shown:
            return None
        return min(max(highlighted, 0), len(self.shown) - 1)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        if new is not None and self.is_mounted:
            self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True, immediate=True)
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.shown))
        self.watch_highlighted(None, self.highlighted)

    def render_line(self, y: int) -> Strip:
        position = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        component = "row-list--highlighted" if position == self.highlighted else "row-list--row"
        style = self.get_visual_style("row-list--row", component).rich_style
        if not 0 <= position < len(self.shown):
            return Strip.blank(width, style)
        text = Text(visible(self._label(self.shown[position])), no_wrap=True, end="")
        text.truncate(width, overflow="ellipsis", pad=True)  # in cells: wide letters count twice
        return Strip([Segment(text.plain, style)], width).apply_meta({"row": position})

    def on_click(self, event: events.Click) -> None:
        position = event.style.meta.get("row")
        if position is not None:
            self.highlighted = position
            self.post_message(self.Chosen(position))
