"""The annotation screen: the article, the selected item, the article's speakers, and every key.

The screen owns what it shows: ``version`` (the ``DocumentVersion`` drawn) and ``selected`` (which item
is selected), both changed only on the UI thread. Actions capture what they apply to (the selected
item's ``ItemKey`` or the version id) when the key is pressed and hand the decision to the app's single
decision worker; the worker posts the version after the decision back in ``DecisionSaved`` and
``apply`` draws it (harlequin's pattern: a worker returns data in a message, the handler changes the
UI). So nothing the screen reads is changed by another thread, and no lock is needed.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer

from annotator.records import DocumentVersion, Item
from annotator.scheme import Quote
from annotator.annotate.session import (
    UNDECIDED,
    AnnotationSession,
    Change,
    ItemKey,
    item_of,
    items_of,
    key_of,
    remaining_in,
    speaker_mentions_of,
    speakers_of,
)
from annotator.tui.messages import DecisionFailed, DecisionSaved
from annotator.tui.screens.decisions import NO_STANCE, DecisionScreen
from annotator.tui.screens.dialogs import ConfirmScreen, PickerScreen, SearchScreen
from annotator.tui.screens.goto import DocumentPicker, prefetch
from annotator.tui.screens.speakers import SpeakersScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.panels import ItemPanel, SpeakerList, StatusLine, status_text

#: Decisions that open another document (their version is shown even though it is not the one shown now).
OPENING = frozenset({"done", "flag", "skip", "open document"})
#: Speaker picker values that are mentions in the text ("\x00mention:start:end:name"), not names.
MENTION = "\x00mention:"


def mention_label(text: str, start: int, end: int, name: str, context: int = 3) -> str:
    """A speaker mention as the picker lists it: the words around it and the name it stands for."""
    before = text[:start].split()[-context:]
    after = text[end:].split()[:context]
    return f"“{text[start:end]}” = {name}   …{' '.join(before)} [{text[start:end]}] {' '.join(after)}…"


class AnnotateScreen(DecisionScreen[None]):
    """Accept, reject or fix the model's suggestions, one keypress per decision."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down,right,tab", "move(1)", "Next item", key_display="j"),
        Binding("k,up,left,shift+tab", "move(-1)", "Prev item", key_display="k", show=False),
        Binding("J", "undecided(1)", "Next undecided item", show=False),
        Binding("K", "undecided(-1)", "Prev undecided item", show=False),
        Binding("a", "accept", "Accept"),
        Binding("x", "reject", "Reject"),
        Binding("A", "accept_all", "Accept all remaining", show=False),
        Binding("left_square_bracket", "boundary('start', -1)", "Start one word left", key_display="[", show=False),
        Binding("right_square_bracket", "boundary('start', 1)", "Start one word right", key_display="]", show=False),
        Binding("left_curly_bracket", "boundary('end', -1)", "End one word left", key_display="{", show=False),
        Binding("right_curly_bracket", "boundary('end', 1)", "End one word right", key_display="}", show=False),
        Binding("p", "part", "Brackets move: quote / cue / speaker", show=False),
        Binding("backspace,delete", "remove_part", "Remove the cue or speaker (after p)", show=False),
        Binding("v", "select", "Select"),
        Binding("slash", "search", "Search the article", key_display="/", show=False),
        Binding("s", "speaker", "Speaker", show=False),  # the footer fits 80 columns; every key is in help
        Binding("1", "stance('favor')", "Stance: favor", show=False),
        Binding("2", "stance('against')", "Stance: against", show=False),
        Binding("3", "stance('neutral')", "Stance: neutral", show=False),
        Binding("0", "no_stance", "Stance: none (remove it)", show=False),
        Binding("t", "target", "Stance target", show=False),
        Binding("d", "kind('direct')", "Kind: direct", show=False),
        Binding("i", "kind('indirect')", "Kind: indirect", show=False),
        Binding("m", "kind('mixed')", "Kind: mixed", show=False),
        Binding("c", "checkworthy", "Claim: check-worthy or not", show=False),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r", "redo", "Redo", show=False),
        Binding("enter,n", "done", "Done, next", key_display="n"),
        Binding("f", "flag", "Flag, next", show=False),
        Binding("S", "skip", "Skip, next", show=False),
        Binding("g", "goto", "Go to document", show=False),
        Binding("w", "who_said_what", "Who said what", show=False),
    ]

    def __init__(self, session: AnnotationSession) -> None:
        super().__init__()
        self.session = session
        state = session.state
        if state is None:
            raise ValueError("the session has no open document")
        #: The version shown (replaced by ``apply`` only).
        self.version: DocumentVersion = state
        #: The selected item of ``version`` (None: the document has no items).
        self.selected: ItemKey | None = None
        #: Document id -> the item selected when that document was last left (this session).
        self._where: dict[int, ItemKey] = {}
        self.selected = self._opening_selection(state)
        self.selecting = False
        #: What the bracket keys move on the selected item ("item", "cue" or "speaker"; ``p`` cycles).
        self.part = "item"
        self._part_of: object = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="body"):
            yield ArticleView(id="article")
            with Vertical(id="side"):
                yield ItemPanel(id="item")
                with VerticalScroll(id="speakers-scroll"):
                    yield SpeakerList(id="speakers")
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p and every key: in help (?)

    def on_mount(self) -> None:
        self.query_one(ArticleView).border_title = "Article"
        self.query_one(ItemPanel).border_title = "Selected item"
        self.query_one("#speakers-scroll").border_title = "Speakers"
        self.redraw()
        self.query_one(ArticleView).focus()
        self.set_interval(1.0, self.update_status)
        prefetch(self.session)  # the `g` list of a large dataset

    # -- drawing ----------------------------------------------------------------------------------

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def items(self) -> list[Item]:
        """The items of the version shown, in text order (what j/k walk through)."""
        return items_of(self.version)

    @property
    def selected_item(self) -> Item | None:
        return None if self.selected is None else item_of(self.version, self.selected)

    def select(self, key: ItemKey | None) -> None:
        """Select an item of the version shown (None: nothing) and show it."""
        self.selected = key
        self.show_selection()

    def _opening_selection(self, state: DocumentVersion) -> ItemKey | None:
        """Where a document opens: the item selected when it was left in this session, else the item of
        the annotator's last recorded decision on it, else the first item."""
        for key in (self._where.get(state.document.id), self.session.last_decided(state.version_id)):
            if key is not None and key.version_id == state.version_id and item_of(state, key) is not None:
                return key
        first = items_of(state)
        return key_of(first[0], state.version_id) if first else None

    def apply(self, state: DocumentVersion, select: ItemKey | None = None, opens: bool = False) -> None:
        """Show the version a decision returned (on the UI thread, from its DecisionSaved); ``select``: the
        item to select (an added item, the one an undo changed). With ``opens`` (done, flag, skip, go to)
        another document opens where it was left; without, a version of a document already left (a
        decision queued before the move was saved after it) is stored but not shown."""
        if state.version_id != self.version.version_id:
            if not opens:
                return
            if self.selected is not None:
                self._where[self.version.document.id] = self.selected
            self.version = state
            self.selected = self._opening_selection(state)
        else:
            self.version = state
        if select is not None and item_of(state, select) is not None:
            self.selected = select
        elif self.selected is not None and item_of(state, self.selected) is None:
            first = self.items
            self.selected = key_of(first[0], state.version_id) if first else None
        self.redraw()

    def redraw(self) -> None:
        """Show ``version`` (after a decision or a change of document)."""
        state = self.version
        self.article.show(state.version_id, state.document.text, state.quotes, state.claims)
        self.show_selection()

    def show_selection(self, scroll: bool = True) -> None:
        item = self.selected_item
        if self.selected != self._part_of:  # another item: the brackets move the item again
            self.part, self._part_of = "item", self.selected
        self.article.set_selected(item, scroll=scroll)
        items = self.items
        index = items.index(item) + 1 if item is not None else 0
        self.query_one(ItemPanel).show(item, index, len(items), self.part)
        speaker = item.speaker.name if isinstance(item, Quote) and item.speaker else \
            (item.speaker if item is not None and not isinstance(item, Quote) else None)
        self.query_one(SpeakerList).show(speakers_of(self.version), speaker)
        self.update_status()

    def update_status(self) -> None:
        state = self.version
        mode = " ".join(m for m in ("BLIND" if self.session.blind else "", "SELECT MODE" if self.selecting else "") if m)
        self.query_one(StatusLine).show(
            *status_text(state.document.ext_id, self.session.progress(state), self.pending, self.error, mode))

    # -- decisions go to the worker -----------------------------------------------------------------

    def submit(self, description: str, fn: Callable[[], object]) -> None:
        self.queue(description, fn)

    def on_decision_saved(self, message: DecisionSaved) -> None:
        self.decision_saved()
        result, version = message.result, message.version
        if version is None:
            self.redraw()
            return
        self.apply(version, select=result.key if isinstance(result, Change) else None,  # scrolls to it
                   opens=message.description in OPENING)
        if isinstance(result, Change) and result.summary:  # an undo / redo says what it changed
            self.notify(result.summary, timeout=4)
        if message.description in OPENING - {"open document"} and self.session.finished:
            self.notify("Every document is done, flagged or skipped. Press q to quit or g to go to one.",
                        title="Finished", markup=False)

    def on_decision_failed(self, message: DecisionFailed) -> None:
        self.decision_failed(message)
        self.redraw()

    def _selected_key(self) -> ItemKey | None:
        key = self.selected
        if key is None:
            self.notify("No item selected: add one with v.", severity="warning", markup=False)
        return key

    def _version(self) -> int:
        return self.version.version_id

    # -- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.selecting and action in _SCREEN_ACTIONS and action != "search":
            return False  # select mode: only the article's keys (and help, palette) work
        return True

    def _moved_to_selection(self) -> None:
        """The reader moved to the selected item: show it, and the next ``v`` starts there."""
        item = self.selected_item
        if item is not None:
            self.article.position = item.start
        self.show_selection()

    def _select_next(self, delta: int) -> None:
        """Move the selection ``delta`` items on (wrapping)."""
        keys = [key_of(it, self.version.version_id) for it in self.items]
        if not keys:
            self.selected = None
            return
        i = keys.index(self.selected) if self.selected in keys else (-1 if delta > 0 else 0)
        self.selected = keys[(i + delta) % len(keys)]

    def _select_undecided(self, delta: int) -> bool:
        """Select the next (``delta`` > 0) or previous undecided item, wrapping; False when all are decided."""
        items = self.items
        keys = [key_of(it, self.version.version_id) for it in items]
        here = keys.index(self.selected) if self.selected in keys else (-1 if delta > 0 else len(keys))
        step = 1 if delta > 0 else -1
        for n in range(1, len(items) + 1):
            i = (here + step * n) % len(items)
            if items[i].status == UNDECIDED:
                self.selected = keys[i]
                return True
        return False

    def action_move(self, delta: int) -> None:
        self._select_next(delta)
        self._moved_to_selection()

    def action_undecided(self, delta: int) -> None:
        if not self._select_undecided(delta):
            self.notify("Every item of this document is decided.", timeout=3)
        self._moved_to_selection()

    def _advance(self) -> None:
        items = self.items
        item = self.selected_item
        if item is not None and items and items[-1] is not item:
            self._select_next(1)
        self._moved_to_selection()

    def action_accept(self) -> None:
        key = self._selected_key()
        if key is not None:
            self.submit("accept", partial(self.session.accept, key))
            self._advance()

    def action_reject(self) -> None:
        key = self._selected_key()
        if key is not None:
            self.submit("reject", partial(self.session.reject, key))
            self._advance()

    def action_accept_all(self) -> None:
        version = self._version()
        n = len(remaining_in(self.version))
        if not n:
            self.notify("Nothing left to accept.", markup=False)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.submit("accept all", partial(self.session.accept_all_remaining, version))

        self.app.push_screen(ConfirmScreen(f"Accept all {n} remaining suggestion(s) of this document?"), answer)

    def action_boundary(self, edge: str, delta: int) -> None:
        key = self._selected_key()
        if key is not None:
            what = edge if self.part == "item" else f"{self.part} {edge}"
            self.submit(f"move {what}", partial(self.session.move_boundary, edge, delta, key, self.part))

    def action_part(self) -> None:
        """Cycle what the bracket keys move: the item, its cue, its speaker mention (quotes only)."""
        item = self.selected_item
        if not isinstance(item, Quote):
            self.notify("Only a quote has a cue and a speaker mention to move.", severity="warning", markup=False)
            return
        order = ("item", "cue", "speaker")
        self.part = order[(order.index(self.part) + 1) % len(order)]
        self.notify(f"[ ] {{ }} now move the {'quote' if self.part == 'item' else self.part}", timeout=2,
                    markup=False)
        self.show_selection(scroll=False)

    def action_remove_part(self) -> None:
        key = self._selected_key()
        if key is None:
            return
        if self.part == "item":
            self.notify("Choose the cue or the speaker with p first (x rejects the whole item).",
                        severity="warning", markup=False)
            return
        self.submit(f"remove {self.part}", partial(self.session.remove_part, self.part, key))

    def action_select(self) -> None:
        """Select mode from where the reader last moved to (the selected item, the end of the last marked
        span, a search match), else the selected item, else the top of the view."""
        item = self.selected_item
        article = self.article
        if article.position is not None:
            offset = article.position
        elif item is not None:
            offset = item.start
        else:
            offset = article.top_offset()
        article.start_select(offset)

    def action_search(self) -> None:
        article = self.article

        def chosen(query: str | None) -> None:
            if query and not article.search(query, fresh=True):
                self.notify(f"not found: {query}", severity="warning", timeout=3, markup=False)

        self.app.push_screen(SearchScreen(article.search_query), chosen)

    def on_article_view_select_mode_changed(self, message: ArticleView.SelectModeChanged) -> None:
        self.selecting = message.active
        self.refresh_bindings()
        if not message.active:
            self.show_selection(scroll=False)
        self.update_status()

    def on_article_view_span_chosen(self, message: ArticleView.SpanChosen) -> None:
        state = self.version
        if message.doc_key != state.version_id:
            # a queued "done" / "go to" changed the document after the selection was made
            self.notify("The document changed before the span was added; select it again.", severity="warning",
                        markup=False)
            return
        if message.layer in ("quotes", "claims"):  # the new item is selected once saved (Change.key)
            self.submit(f"add {message.layer[:-1]}", partial(
                self.session.add_item, message.layer, message.start, message.end, state.version_id))
            return
        key = self.selected
        if key is None or key.layer != "quotes" and message.layer == "cues":
            self.notify("Select a quote first (j/k), then mark its cue.", severity="warning", markup=False)
            return
        self.submit(f"set {message.layer[:-1]}", partial(
            self.session.add_span, message.layer, message.start, message.end, key))

    def on_article_view_clicked(self, message: ArticleView.Clicked) -> None:
        """Select the (shortest) item covering the clicked character."""
        self.article.position = message.offset
        hits = [it for it in self.items if it.start <= message.offset < it.end]
        if hits:
            self.selected = key_of(min(hits, key=lambda it: it.end - it.start), self.version.version_id)
            self.show_selection(scroll=False)

    def on_article_view_selection_dragged(self, message: ArticleView.SelectionDragged) -> None:
        self.article.start_select(message.start, message.end)

    def action_speaker(self) -> None:
        """Pick the speaker: a name (the mention follows it, see ``reassign_speaker``), a mention in the
        text (re-points the quote's mention and takes its name), or a new name typed in."""
        key = self._selected_key()
        if key is None:
            return
        item = item_of(self.version, key)
        current = item.speaker.name if isinstance(item, Quote) and item.speaker else None
        choices = [(name, f"{name}  ({count})") for name, count in speakers_of(self.version)]
        if isinstance(item, Quote):
            text = self.version.document.text
            choices += [(f"{MENTION}{m.start}:{m.end}:{m.name}", mention_label(text, m.start, m.end, m.name))
                        for m in speaker_mentions_of(self.version)]

        def chosen(value: str | None) -> None:
            if not value:
                return
            if value.startswith(MENTION):
                start, end, name = value[len(MENTION):].split(":", 2)
                self.submit("speaker", partial(self.session.reassign_speaker, name, key, (int(start), int(end))))
            else:
                self.submit("speaker", partial(self.session.reassign_speaker, value, key))

        self.app.push_screen(PickerScreen("Speaker of this item: a name, a mention in the text, or a new name",
                                          choices, allow_new=True, placeholder="filter, or a new name",
                                          highlight=current), chosen)

    def _pick_target(self, then: Callable[[str, bool], None]) -> None:
        """Pick a stance target, type a new one (added to the dataset), or "none" to remove the stance."""
        targets = self.session.targets
        key = self.selected
        item = self.selected_item
        current = item.stance.target if isinstance(item, Quote) and item.stance else None

        def chosen(target: str) -> None:
            if target == NO_STANCE:
                if key is not None:
                    self.submit("stance none", partial(self.session.remove_stance, key))
            else:
                then(target, target not in targets)

        self.pick_target("Stance target: pick one, or type a new target for this dataset", targets, current, chosen,
                         allow_new=True, with_none=current is not None)

    def _quote_key(self) -> ItemKey | None:
        key = self._selected_key()
        if key is not None and key.layer != "quotes":
            self.notify("Stance and kind are set on quotes.", severity="warning", markup=False)
            return None
        return key

    def action_stance(self, label: str) -> None:
        key = self._quote_key()
        if key is None:
            return
        item = item_of(self.version, key)
        if isinstance(item, Quote) and item.stance is not None:
            self.submit(f"stance {label}", partial(self.session.set_stance, label, None, key))
        else:
            self._pick_target(lambda t, new: self.submit(f"stance {label}", partial(
                self.session.set_stance, label, t, key, new_target=new)))

    def action_target(self) -> None:
        key = self._quote_key()
        if key is not None:
            self._pick_target(lambda t, new: self.submit("stance target", partial(
                self.session.set_stance, None, t, key, new_target=new)))

    def action_no_stance(self) -> None:
        key = self._quote_key()
        if key is not None:
            self.submit("stance none", partial(self.session.remove_stance, key))

    def action_kind(self, kind: str) -> None:
        key = self._quote_key()
        if key is not None:
            self.submit(f"kind {kind}", partial(self.session.set_kind, kind, key))

    def action_checkworthy(self) -> None:
        key = self._selected_key()
        if key is not None:
            self.submit("check-worthy", partial(self.session.toggle_checkworthy, key))

    def action_undo(self) -> None:
        self.submit("undo", partial(self.session.undo_or_redo, "undo", self._version()))

    def action_redo(self) -> None:
        self.submit("redo", partial(self.session.undo_or_redo, "redo", self._version()))

    def action_done(self) -> None:
        self.submit("done", partial(self.session.mark_done, self._version()))

    def action_flag(self) -> None:
        self.submit("flag", partial(self.session.flag, self._version()))

    def action_skip(self) -> None:
        self.submit("skip", partial(self.session.skip, self._version()))

    def action_goto(self) -> None:
        current = self.session.position(self.version.document.id)

        def chosen(row: int | None) -> None:
            if row is not None:
                self.submit("open document", partial(self.session.jump_to, row))

        self.app.push_screen(DocumentPicker(self.session, current), chosen)

    def action_who_said_what(self) -> None:
        """Speakers across every article; back here the current document is read again (aligned copies
        of its quotes may have changed)."""

        def back(_: None) -> None:
            self.submit("reload", self.session.reload)

        self.app.push_screen(SpeakersScreen(self.session), back)


_SCREEN_ACTIONS = frozenset(b.action.split("(")[0] for b in AnnotateScreen.BINDINGS if isinstance(b, Binding))
