"""The article: document text verbatim, quotes/cues/speakers/claims highlighted, scrolled with the selection.

A Line-API ``ScrollView``: the text is wrapped once per document and width (``ArticleLayout``), styled
spans are kept per line, and only the lines on screen are rendered, each cached as a ``Strip``. When
the selection moves only the lines of the old and new selected spans are re-rendered.

The article is data, never markup: it becomes ``rich.text.Text`` objects built from plain strings, and
control characters (ANSI escapes, carriage returns, bidi overrides) are shown as visible symbols of
the same length, so character offsets stay those of the stored text.

Layers are told apart without colour: quotes underlined, cues bold, speakers italic, claims between
``⟦ ⟧`` markers, rejected items struck through, the selected item in reverse video (colours come on
top from ``app.tcss`` through the component classes below). A decided item is followed by a mark:
✓ accepted, ✎ edited, ⊕ added, ✗ rejected (undecided suggestions have none).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import ClassVar, Iterable, Sequence

from rich.cells import cell_len
from rich.style import Style
from rich.text import Span, Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.display import visible
from annotator.scheme import Claim, Quote
from annotator.words import end_of, sentence_starts, words

CLAIM_OPEN, CLAIM_CLOSE = "⟦", "⟧"
#: Shown right after an item once it is decided, so decisions are visible without colour.
DECISION_MARKS = {"accepted": "✓", "edited": "✎", "added": "⊕", "rejected": "✗"}

_WORD_RE = re.compile(r"\S+\s*|\s+")


@dataclass
class ArticleLayout:
    """The document wrapped to a width, with claim markers inserted for display.

    ``display`` is the text shown (source text + markers); ``lines`` are display ranges ``[a, b)``.
    """

    display: str
    lines: list[tuple[int, int]]
    markers: list[tuple[int, str]]  # (source offset, marker char), display order
    marker_disp: list[int]  # display positions of the markers
    line_starts: list[int]
    marker_src: list[int] = field(default_factory=list)  # source offsets of the markers

    def __post_init__(self) -> None:
        self.marker_src = [p for p, _ in self.markers]

    @classmethod
    def build(cls, text: str, markers: Sequence[tuple[int, str]], width: int) -> "ArticleLayout":
        width = max(width, 4)
        markers = sorted(markers, key=lambda m: (m[0], m[1] == CLAIM_OPEN))  # at one offset: close, then open
        src = visible(text)
        parts: list[str] = []
        last = 0
        marker_disp = []
        for k, (pos, ch) in enumerate(markers):
            parts.append(src[last:pos])
            parts.append(ch)
            marker_disp.append(pos + k)
            last = pos
        parts.append(src[last:])
        display = "".join(parts)
        lines: list[tuple[int, int]] = []
        offset = 0
        for para in display.split("\n"):
            if not para:
                lines.append((offset, offset))
            else:
                start, col = offset, 0
                for m in _WORD_RE.finditer(para):
                    ws, word = offset + m.start(), m.group()
                    core = word.rstrip()
                    wlen = cell_len(core)
                    if col and col + wlen > width:
                        lines.append((start, ws))
                        start, col = ws, 0
                    if wlen > width:  # a "word" wider than the line: split it by cells
                        for i, ch in enumerate(core):
                            w = cell_len(ch)
                            if col and col + w > width:
                                lines.append((start, ws + i))
                                start, col = ws + i, 0
                            col += w
                        col += len(word) - len(core)
                    else:
                        col += cell_len(word)
                lines.append((start, offset + len(para)))
            offset += len(para) + 1
        return cls(display, lines, list(markers), marker_disp, [a for a, _ in lines])

    def to_display(self, src: int, end: bool = False) -> int:
        """Display offset of source offset ``src``: after the markers at ``src`` (before them for an ``end``)."""
        k = (bisect.bisect_left if end else bisect.bisect_right)(self.marker_src, src)
        return src + k

    def to_source(self, disp: int) -> int:
        k = bisect.bisect_left(self.marker_disp, disp)
        if k < len(self.marker_disp) and self.marker_disp[k] == disp:
            return self.markers[k][0]
        return disp - k

    def line_of(self, disp: int) -> int:
        return max(bisect.bisect_right(self.line_starts, disp) - 1, 0)


class ArticleView(ScrollView, can_focus=True):
    """The article text with highlighted items; owns the keyboard/mouse selection ("select mode")."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article--quote", "article--cue", "article--speaker", "article--claim", "article--marker",
        "article--rejected", "article--selected", "article--selection", "article--cursor", "article--marked",
    }
    #: Select-mode keys; active only while selecting, otherwise the screen's bindings apply.
    #: w/b/e/E and the arrows move the cursor end of the selection; ( ) and n/N (search matches) start a new one.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,w", "move_cursor(1)", "Word →"),
        Binding("left,b", "move_cursor(-1)", "Word ←"),
        Binding("down", "move_line(1)", "Line ↓", show=False),
        Binding("up", "move_line(-1)", "Line ↑", show=False),
        Binding("e", "extend(True)", "Extend to clause end", show=False),
        Binding("E", "extend(False)", "Extend to sentence end"),
        Binding("right_parenthesis", "sentence(1)", "Next sentence", key_display=")", show=False),
        Binding("left_parenthesis", "sentence(-1)", "Previous sentence", key_display="(", show=False),
        Binding("n", "match(1)", "Next search match", show=False),
        Binding("N", "match(-1)", "Previous search match", show=False),
        Binding("space", "anchor", "Restart selection here"),
        Binding("q", "choose('quotes')", "Add quote"),
        Binding("c", "choose('cues')", "Set cue"),
        Binding("s", "choose('speakers')", "Set speaker"),
        Binding("l", "choose('claims')", "Add claim"),
        Binding("escape", "cancel_select", "Cancel"),
    ]
    SELECT_ACTIONS = frozenset({"move_cursor", "move_line", "extend", "sentence", "match", "anchor", "choose",
                                "cancel_select"})

    class Clicked(Message):
        """A click on the article (not a drag): select the item there."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    class SpanChosen(Message):
        """A selection became a span of ``layer`` (quotes, cues, speakers, claims)."""

        def __init__(self, layer: str, start: int, end: int, doc_key: object = None) -> None:
            super().__init__()
            self.layer, self.start, self.end = layer, start, end
            #: The document shown when the span was chosen (its offsets belong to that text).
            self.doc_key = doc_key

    class SelectModeChanged(Message):
        def __init__(self, active: bool) -> None:
            super().__init__()
            self.active = active

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.doc_key: object = None
        self.quotes: tuple[Quote, ...] = ()
        self.claims: tuple[Claim, ...] = ()
        self.wrapped: ArticleLayout | None = None
        self._layout_key: tuple[object, ...] | None = None
        self._line_spans: list[list[Span]] = []
        self._cache: dict[int, Strip] = {}
        self._styles: dict[str, Style] = {}
        self.selected_ranges: list[tuple[int, int]] = []  # source ranges shown as selected
        self.marked_ranges: list[tuple[int, int]] = []  # source ranges marked (review: the disagreements)
        # select mode
        self.selecting = False
        self.tokens: list[tuple[int, int]] = []
        self._token_starts: list[int] = []
        self.select_anchor = 0
        self.cursor = 0
        self._drag_from: int | None = None
        #: Where the reader last moved to (select-mode cursor, search match, chosen span, selected item):
        #: the next ``v`` starts there. None: nowhere yet in this document.
        self.position: int | None = None
        #: The last search and its current match (source offsets).
        self.search_query = ""
        self.search_match: tuple[int, int] | None = None
        self._words: tuple[object, list[tuple[int, int]]] | None = None

    # -- data in --------------------------------------------------------------------------------

    def show(self, doc_key: object, text: str, quotes: tuple[Quote, ...], claims: tuple[Claim, ...]) -> None:
        """Show a document (or a new state of the same one): rebuild spans, re-wrap only if markers moved."""
        new_doc = doc_key != self.doc_key
        changed = set(self.quotes) ^ set(quotes) | set(self.claims) ^ set(claims)
        self.doc_key, self.text, self.quotes, self.claims = doc_key, text, quotes, claims
        if new_doc:
            self.position, self.search_match = None, None
            self.marked_ranges, self.selected_ranges = [], []  # offsets of the previous text
            if self.selecting:
                self.cancel_select()
        full = not self._rebuild(incremental=not new_doc)
        if new_doc:
            self._scroll_home()
        if full:
            return
        # Same document, same wrapping: repaint only the lines of items that changed.
        ranges: list[tuple[int, int]] = []
        for it in changed:
            ranges.append((it.start, it.end))
            if isinstance(it, Quote):
                ranges += [(s.start, s.end) for s in (it.cue, it.speaker) if s is not None]
        self._invalidate_ranges(ranges)

    def _scroll_home(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)

    def set_selected(self, item: Quote | Claim | None, scroll: bool = True) -> None:
        """Highlight the selected item (and its cue and speaker); re-renders only the affected lines."""
        ranges: list[tuple[int, int]] = []
        if item is not None:
            ranges.append((item.start, item.end))
            if isinstance(item, Quote):
                if item.cue is not None:
                    ranges.append((item.cue.start, item.cue.end))
                if item.speaker is not None:
                    ranges.append((item.speaker.start, item.speaker.end))
        self.select_ranges(ranges, scroll)

    def select_ranges(self, ranges: Sequence[tuple[int, int]], scroll: bool = True) -> None:
        """Show these source ranges as selected (``article--selected``; re-renders only the affected lines)
        and scroll the first one into view."""
        old, self.selected_ranges = self.selected_ranges, list(ranges)
        self._invalidate_ranges([*old, *self.selected_ranges])
        if scroll and self.selected_ranges:
            self.scroll_to_source(*self.selected_ranges[0])

    def set_marked(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Mark these source ranges (``article--marked``): the review screen's disagreements, beside the
        selected one. Marks are part of the text's styles: a change re-styles the whole text."""
        ranges = list(ranges)
        if ranges == self.marked_ranges:
            return
        self.marked_ranges = ranges
        if self.wrapped is not None:
            self._build_spans()
            self._cache.clear()
            self.refresh()

    # -- styles and layout ----------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"article--{name}", partial=True)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _markers(self) -> list[tuple[int, str]]:
        out = []
        for c in self.claims:
            out.append((c.start, CLAIM_OPEN))
            out.append((c.end, CLAIM_CLOSE))
        items: list[Quote | Claim] = [*self.quotes, *self.claims]
        for it in items:  # after a claim's closing bracket (stable sort)
            mark = DECISION_MARKS.get(it.status)
            if mark:
                out.append((it.end, mark))
        return out

    def _rebuild(self, incremental: bool = False) -> bool:
        """Re-wrap (if the markers or width changed) and re-style. Returns True when an incremental
        repaint is enough (the caller invalidates the changed lines), False after a full repaint."""
        width = self.scrollable_content_region.width or self.size.width
        if width <= 0:
            self.wrapped = None
            return False
        markers = self._markers()
        key = (self.doc_key, len(self.text), tuple(markers), width)
        relayout = key != self._layout_key or self.wrapped is None
        if relayout:
            self.wrapped = ArticleLayout.build(self.text, markers, width)
            self._layout_key = key
            self.virtual_size = Size(width, len(self.wrapped.lines))
        self._build_spans()
        if incremental and not relayout:
            return True
        self._cache.clear()
        self.refresh()
        return False

    def _build_spans(self) -> None:
        lay = self.wrapped
        assert lay is not None
        spans: list[tuple[int, int, Style]] = []
        rejected = self._style("rejected")

        def add(start: int, end: int, name: str, is_rejected: bool = False) -> None:
            style = self._style(name) + rejected if is_rejected else self._style(name)
            spans.append((lay.to_display(start), lay.to_display(end, end=True), style))

        for q in self.quotes:
            gone = q.status == "rejected"
            # A quote's span starts after markers at its start offset; ends before markers at its end.
            add(q.start, q.end, "quote", gone)
            if q.cue is not None:
                add(q.cue.start, q.cue.end, "cue", gone)
            if q.speaker is not None:
                add(q.speaker.start, q.speaker.end, "speaker", gone)
        for c in self.claims:
            add(c.start, c.end, "claim", c.status == "rejected")
        for start, end in self.marked_ranges:
            add(start, end, "marked")
        marker = self._style("marker")
        for d in lay.marker_disp:
            spans.append((d, d + 1, marker))
        per_line: list[list[Span]] = [[] for _ in lay.lines]
        for a, b, style in spans:
            self._spread(per_line, a, b, style)
        self._line_spans = per_line

    def _spread(self, per_line: list[list[Span]], a: int, b: int, style: Style) -> None:
        lay = self.wrapped
        assert lay is not None
        if b <= a:
            return
        first, last = lay.line_of(a), lay.line_of(max(b - 1, a))
        for i in range(first, last + 1):
            la, lb = lay.lines[i]
            s, e = max(a, la), min(b, lb)
            if e > s:
                per_line[i].append(Span(s - la, e - la, style))

    def on_resize(self, event: events.Resize) -> None:
        self._rebuild()
        if self.selected_ranges:
            a, b = self.selected_ranges[0]
            self.call_after_refresh(self.scroll_to_source, a, b)

    # -- rendering ------------------------------------------------------------------------------

    def _overlay(self, idx: int) -> list[Span]:
        lay = self.wrapped
        assert lay is not None
        la, lb = lay.lines[idx]
        out: list[Span] = []

        def add(start: int, end: int, style: Style) -> None:
            a, b = lay.to_display(start), lay.to_display(end, end=True)
            s, e = max(a, la), min(b, lb)
            if e > s:
                out.append(Span(s - la, e - la, style))

        if self.selecting and self.tokens:
            s, e = self.selection()
            add(s, e, self._style("selection"))
            cs, ce = self.tokens[self.cursor]
            add(cs, ce, self._style("cursor"))
        else:
            for s, e in self.selected_ranges:
                add(s, e, self._style("selected"))
        return out

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        lay = self.wrapped
        idx = y + self.scroll_offset.y
        if lay is None or idx >= len(lay.lines):
            return Strip.blank(width, self.rich_style)
        strip = self._cache.get(idx)
        if strip is None:
            a, b = lay.lines[idx]
            spans = self._line_spans[idx] + self._overlay(idx)
            text = Text(lay.display[a:b], spans=spans, end="", no_wrap=True)
            segments = list(text.render(self.app.console))
            strip = Strip(segments).apply_style(self.rich_style).crop_extend(0, width, self.rich_style)
            self._cache[idx] = strip
        return strip

    def _lines_of(self, start: int, end: int) -> range:
        lay = self.wrapped
        if lay is None:
            return range(0)
        a, b = lay.to_display(start), lay.to_display(end, end=True)
        return range(lay.line_of(a), lay.line_of(max(b - 1, a)) + 1)

    def _invalidate_ranges(self, ranges: Iterable[tuple[int, int]]) -> None:
        if self.wrapped is None:
            return
        top, height = self.scroll_offset.y, self.size.height
        for s, e in ranges:
            rows = self._lines_of(s, e)
            for i in rows:
                self._cache.pop(i, None)
            first, last = max(rows.start, top), min(rows.stop, top + height)
            if last > first:
                self.refresh_lines(first, last - first)

    def scroll_to_source(self, start: int, end: int) -> None:
        """Scroll so that the source range is in view (its start, if it is taller than the view)."""
        if self.wrapped is None:
            return
        rows = self._lines_of(start, end)
        top, height = self.scroll_offset.y, max(self.size.height, 1)
        if rows.start >= top and rows.stop <= top + height:
            return
        margin = 2 if len(rows) + 4 <= height else 0
        target = rows.start - margin if rows.start < top or len(rows) > height else rows.stop - height + margin
        self.scroll_to(y=max(target, 0), animate=False, immediate=True)

    def offset_at(self, x: int, y: int) -> int | None:
        """Source offset under widget cell (x, y)."""
        lay = self.wrapped
        idx = y + self.scroll_offset.y
        if lay is None or not 0 <= idx < len(lay.lines):
            return None
        a, b = lay.lines[idx]
        col = 0
        for d in range(a, b):
            col += cell_len(lay.display[d])
            if col > x:
                return lay.to_source(d)
        return lay.to_source(b)

    # -- select mode ------------------------------------------------------------------------------

    def words(self) -> list[tuple[int, int]]:
        """The words of the shown document (``annotator.words``: what every span key moves by)."""
        if self._words is None or self._words[0] != (self.doc_key, len(self.text)):
            self._words = ((self.doc_key, len(self.text)), words(self.text))
        return self._words[1]

    def top_offset(self) -> int:
        """Source offset of the first line in view."""
        lay = self.wrapped
        if lay is None or not lay.lines:
            return 0
        return lay.to_source(lay.lines[min(self.scroll_offset.y, len(lay.lines) - 1)][0])

    def selection(self) -> tuple[int, int]:
        """Source range from the anchor word to the cursor word (inclusive)."""
        i, j = sorted((self.select_anchor, self.cursor))
        return self.tokens[i][0], self.tokens[j][1]

    def _token_at(self, offset: int) -> int:
        i = bisect.bisect_right(self._token_starts, offset) - 1
        return min(max(i, 0), len(self.tokens) - 1)

    def start_select(self, offset: int, end: int | None = None) -> None:
        """Enter select mode with the cursor on the word at ``offset`` (selecting up to ``end``)."""
        tokens = self.words()
        if not tokens:
            self.notify("this document has no words to select", severity="warning")
            return
        self.tokens, self._token_starts = tokens, [s for s, _ in tokens]
        self.select_anchor = self._token_at(offset)
        self.cursor = self._token_at(max(end - 1, offset)) if end is not None else self.select_anchor
        if self.selecting:
            self._cache.clear()
            self.refresh()
            self._follow_cursor()
            return
        self.selecting = True
        self._cache.clear()
        self.refresh()
        self.refresh_bindings()
        self.post_message(self.SelectModeChanged(True))
        self._follow_cursor()

    def cancel_select(self) -> None:
        if not self.selecting:
            return
        self.selecting = False
        self._cache.clear()
        self.refresh()
        self.refresh_bindings()
        self.post_message(self.SelectModeChanged(False))

    def _follow_cursor(self) -> None:
        s, e = self.tokens[self.cursor]
        self.position = s
        self.scroll_to_source(s, e)

    def _move_cursor_to(self, index: int) -> None:
        before = [self.selection(), self.tokens[self.cursor]]
        self.cursor = min(max(index, 0), len(self.tokens) - 1)
        self._invalidate_ranges([*before, self.selection()])
        self._follow_cursor()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.SELECT_ACTIONS:
            return self.selecting
        return True

    def action_move_cursor(self, delta: int) -> None:
        self._move_cursor_to(self.cursor + delta)

    def action_move_line(self, delta: int) -> None:
        lay = self.wrapped
        if lay is None:
            return
        s, _ = self.tokens[self.cursor]
        d = lay.to_display(s)
        line = lay.line_of(d)
        target = min(max(line + delta, 0), len(lay.lines) - 1)
        col = cell_len(lay.display[lay.lines[line][0]:d])
        a, b = lay.lines[target]
        pos, used = a, 0
        while pos < b and used + cell_len(lay.display[pos]) <= col:
            used += cell_len(lay.display[pos])
            pos += 1
        self._move_cursor_to(self._token_at(lay.to_source(pos)))

    def action_anchor(self) -> None:
        before = self.selection()
        self.select_anchor = self.cursor
        self._invalidate_ranges([before])

    def action_extend(self, clause: bool) -> None:
        """Move the cursor to the last word of the clause (or sentence); again: of the next one."""
        _, here = self.tokens[self.cursor]
        end = end_of(self.text, here, clause)
        if end <= here:  # already there: the next clause or sentence
            end = end_of(self.text, min(here + 1, len(self.text)), clause)
        self._move_cursor_to(self._token_at(max(end - 1, 0)))

    def action_sentence(self, delta: int) -> None:
        """Start a new selection at the next (previous) sentence's first word."""
        starts = sentence_starts(self.text)
        here = self.tokens[self.cursor][0]
        if delta > 0:
            later = [s for s in starts if s > here]
            target = later[0] if later else None
        else:
            earlier = [s for s in starts if s < here]
            target = earlier[-1] if earlier else None
        if target is None:
            self.notify("no further sentence", timeout=2)
            return
        self.start_select(target)

    def search(self, query: str, delta: int = 1, fresh: bool = False) -> bool:
        """Select the next (``delta`` > 0) or previous match of ``query`` (literal, any case) after the
        current match (``fresh``: from where the reader is), wrapping around; False when there is none."""
        if fresh or query != self.search_query:
            self.search_match = None
        self.search_query = query
        if not query:
            return False
        hits = [(m.start(), m.end()) for m in re.finditer(re.escape(query), self.text, re.IGNORECASE)]
        if not hits:
            self.search_match = None
            return False
        here = self.search_match[0] if self.search_match is not None else (self.position if self.position is not None
                                                             else self.top_offset() - 1)
        if delta > 0:
            later = [h for h in hits if h[0] > here] if self.search_match is not None else [h for h in hits if h[0] >= here]
            hit = later[0] if later else hits[0]
        else:
            earlier = [h for h in hits if h[0] < here]
            hit = earlier[-1] if earlier else hits[-1]
        self.search_match = hit
        self.start_select(*hit)
        return True

    def action_match(self, delta: int) -> None:
        if not self.search_query:
            self.notify("Nothing searched yet: / searches the article.", timeout=3)
        elif not self.search(self.search_query, delta):
            self.notify(f"not found: {self.search_query}", severity="warning", timeout=3)

    def action_choose(self, layer: str) -> None:
        start, end = self.selection()
        after = max(self.select_anchor, self.cursor) + 1
        self.cancel_select()
        # the reader goes on after what they marked: the next v starts on the following word
        self.position = self.tokens[min(after, len(self.tokens) - 1)][0]
        self.post_message(self.SpanChosen(layer, start, end, self.doc_key))

    def action_cancel_select(self) -> None:
        self.cancel_select()

    # -- mouse ----------------------------------------------------------------------------------

    def _mouse_offset(self, event: events.MouseEvent, captured: bool = False) -> int | None:
        content = event.get_content_offset_capture(self) if captured else event.get_content_offset(self)
        return None if content is None else self.offset_at(max(content.x, 0), max(content.y, 0))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._mouse_offset(event)
        if offset is not None and event.button == 1:
            self._drag_from = offset
            self.capture_mouse()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        start, self._drag_from = self._drag_from, None
        self.capture_mouse(False)
        end = self._mouse_offset(event, captured=True)
        if start is None or end is None:
            return
        if abs(end - start) <= 1:
            self.post_message(self.Clicked(start))
        else:
            a, b = sorted((start, end))
            self.post_message(self.SelectionDragged(a, b))

    class SelectionDragged(Message):
        """The mouse selected ``[start, end)``: the screen enters select mode with it."""

        def __init__(self, start: int, end: int) -> None:
            super().__init__()
            self.start, self.end = start, end
