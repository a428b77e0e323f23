"""The annotation screen: the article, the selected item, the article's speakers, and every key.

Actions capture what they apply to (the selected item's ``ItemKey`` or the version id) when the key
is pressed and hand the decision to the app's single decision worker; the screen redraws from
``session.state`` when the worker reports the decision saved (or shows why it was not).
"""

from __future__ import annotations

import functools
from functools import partial
from typing import Callable, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer

from annotator.display import visible
from annotator.scheme import Quote
from annotator.annotate.session import AnnotationSession, Change
from annotator.tui.messages import DecisionFailed, DecisionSaved
from annotator.tui.screens.decisions import NO_STANCE, DecisionScreen
from annotator.tui.screens.dialogs import ConfirmScreen, PickerScreen, SearchScreen
from annotator.tui.screens.speakers import SpeakersScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.panels import ItemPanel, SpeakerList, StatusLine, status_text

T = TypeVar("T")
#: Speaker picker values that are mentions in the text ("\x00mention:start:end:name"), not names.
MENTION = "\x00mention:"


def mention_label(text: str, start: int, end: int, name: str, context: int = 3) -> str:
    """A speaker mention as the picker lists it: the words around it and the name it stands for."""
    before = text[:start].split()[-context:]
    after = text[end:].split()[:context]
    return f"“{text[start:end]}” = {name}   …{' '.join(before)} [{text[start:end]}] {' '.join(after)}…"


def locked(method: Callable[..., T]) -> Callable[..., T]:
    """Run a UI method holding the session lock, so the fields it reads come from one state
    (the decision worker replaces the session's state from its own thread)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.session.lock:
            return method(self, *args, **kwargs)

    return wrapper


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

    # -- drawing ----------------------------------------------------------------------------------

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @locked
    def redraw(self) -> None:
        """Show the session's current state (after a decision or a change of document)."""
        state = self.session.state
        if state is None:
            return
        self.article.show(state.version_id, state.document.text, state.quotes, state.claims)
        self.show_selection()

    @locked
    def show_selection(self, scroll: bool = True) -> None:
        item = self.session.selected_item
        if self.session.selected != self._part_of:  # another item: the brackets move the item again
            self.part, self._part_of = "item", self.session.selected
        self.article.set_selected(item, scroll=scroll)
        items = self.session.items
        index = items.index(item) + 1 if item is not None else 0
        self.query_one(ItemPanel).show(item, index, len(items), self.part)
        speaker = item.speaker.name if isinstance(item, Quote) and item.speaker else \
            (item.speaker if item is not None and not isinstance(item, Quote) else None)
        self.query_one(SpeakerList).show(self.session.speakers(), speaker)
        self.update_status()

    @locked
    def update_status(self) -> None:
        state = self.session.state
        if state is None:
            return
        mode = " ".join(m for m in ("BLIND" if self.session.blind else "", "SELECT MODE" if self.selecting else "") if m)
        self.query_one(StatusLine).show(
            *status_text(state.document.ext_id, self.session.progress(), self.pending, self.error, mode))

    # -- decisions go to the worker -----------------------------------------------------------------

    def submit(self, description: str, fn: Callable[[], object]) -> None:
        self.queue(description, fn)

    def on_decision_saved(self, message: DecisionSaved) -> None:
        self.decision_saved()
        self.redraw()  # scrolls to the selected item: after an undo / redo, the one it changed
        if isinstance(message.state, Change):
            self.notify(message.state.summary, timeout=4)
        if message.description in ("done", "flag", "skip") and self.session.finished:
            self.notify("Every document is done, flagged or skipped. Press q to quit or g to go to one.",
                        title="Finished", markup=False)

    def on_decision_failed(self, message: DecisionFailed) -> None:
        self.decision_failed(message)
        self.redraw()

    @locked
    def _selected_key(self):  # type: ignore[no-untyped-def]
        key = self.session.selected
        if key is None:
            self.notify("No item selected: add one with v.", severity="warning", markup=False)
        return key

    @locked
    def _version(self) -> int:
        state = self.session.state
        assert state is not None
        return state.version_id

    # -- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.selecting and action in _SCREEN_ACTIONS and action != "search":
            return False  # select mode: only the article's keys (and help, palette) work
        return True

    def _moved_to_selection(self) -> None:
        """The reader moved to the selected item: show it, and the next ``v`` starts there."""
        item = self.session.selected_item
        if item is not None:
            self.article.position = item.start
        self.show_selection()

    @locked
    def action_move(self, delta: int) -> None:
        self.session.select_next(delta)
        self._moved_to_selection()

    @locked
    def action_undecided(self, delta: int) -> None:
        if self.session.select_undecided(delta) is None:
            self.notify("Every item of this document is decided.", timeout=3)
        self._moved_to_selection()

    @locked
    def _advance(self) -> None:
        items = self.session.items
        item = self.session.selected_item
        if item is not None and items and items[-1] is not item:
            self.session.select_next(1)
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

    @locked
    def action_accept_all(self) -> None:
        version = self._version()
        n = len(self.session.remaining(version))
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

    @locked
    def action_part(self) -> None:
        """Cycle what the bracket keys move: the item, its cue, its speaker mention (quotes only)."""
        item = self.session.selected_item
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

    @locked
    def action_select(self) -> None:
        """Select mode from where the reader last moved to (the selected item, the end of the last marked
        span, a search match), else the selected item, else the top of the view."""
        item = self.session.selected_item
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

    @locked
    def on_article_view_span_chosen(self, message: ArticleView.SpanChosen) -> None:
        state = self.session.state
        if state is None or message.doc_key != state.version_id:
            # a queued "done" / "go to" changed the document after the selection was made
            self.notify("The document changed before the span was added; select it again.", severity="warning",
                        markup=False)
            return
        if message.layer in ("quotes", "claims"):
            self.submit(f"add {message.layer[:-1]}", partial(
                self.session.add_span, message.layer, message.start, message.end, None, state.version_id))
            return
        key = self.session.selected
        if key is None or key.layer != "quotes" and message.layer == "cues":
            self.notify("Select a quote first (j/k), then mark its cue.", severity="warning", markup=False)
            return
        self.submit(f"set {message.layer[:-1]}", partial(
            self.session.add_span, message.layer, message.start, message.end, key))

    @locked
    def on_article_view_clicked(self, message: ArticleView.Clicked) -> None:
        self.article.position = message.offset
        if self.session.select_at(message.offset) is not None:
            self.show_selection(scroll=False)

    @locked
    def on_article_view_selection_dragged(self, message: ArticleView.SelectionDragged) -> None:
        self.article.start_select(message.start, message.end)

    @locked
    def action_speaker(self) -> None:
        """Pick the speaker: a name (the mention follows it, see ``reassign_speaker``), a mention in the
        text (re-points the quote's mention and takes its name), or a new name typed in."""
        key = self._selected_key()
        if key is None:
            return
        item = self.session.item(key)
        current = item.speaker.name if isinstance(item, Quote) and item.speaker else None
        choices = [(name, f"{name}  ({count})") for name, count in self.session.speakers()]
        if isinstance(item, Quote):
            text = self.session.state.document.text if self.session.state else ""
            choices += [(f"{MENTION}{m.start}:{m.end}:{m.name}", mention_label(text, m.start, m.end, m.name))
                        for m in self.session.speaker_mentions()]

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
        key = self.session.selected
        item = self.session.selected_item
        current = item.stance.target if isinstance(item, Quote) and item.stance else None

        def chosen(target: str) -> None:
            if target == NO_STANCE:
                if key is not None:
                    self.submit("stance none", partial(self.session.remove_stance, key))
            else:
                then(target, target not in targets)

        self.pick_target("Stance target: pick one, or type a new target for this dataset", targets, current, chosen,
                         allow_new=True, with_none=current is not None)

    @locked
    def _quote_key(self):  # type: ignore[no-untyped-def]
        key = self._selected_key()
        if key is not None and key.layer != "quotes":
            self.notify("Stance and kind are set on quotes.", severity="warning", markup=False)
            return None
        return key

    @locked
    def action_stance(self, label: str) -> None:
        key = self._quote_key()
        if key is None:
            return
        item = self.session.item(key)
        if isinstance(item, Quote) and item.stance is not None:
            self.submit(f"stance {label}", partial(self.session.set_stance, label, None, key))
        else:
            self._pick_target(lambda t, new: self.submit(f"stance {label}", partial(
                self.session.set_stance, label, t, key, new_target=new)))

    @locked
    def action_target(self) -> None:
        key = self._quote_key()
        if key is not None:
            self._pick_target(lambda t, new: self.submit("stance target", partial(
                self.session.set_stance, None, t, key, new_target=new)))

    def action_no_stance(self) -> None:
        key = self._quote_key()
        if key is not None:
            self.submit("stance none", partial(self.session.remove_stance, key))

    @locked
    def action_kind(self, kind: str) -> None:
        key = self._quote_key()
        if key is not None:
            self.submit(f"kind {kind}", partial(self.session.set_kind, kind, key))

    @locked
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

    @locked
    def action_goto(self) -> None:
        names = self.session.document_names()
        openings = self.session.document_openings()
        statuses = self.session.statuses
        choices: list[tuple[str, str]] = []
        searched: list[str] = []
        for i, doc_id in enumerate(self.session.doc_ids):
            name, status = names.get(doc_id, str(doc_id)), statuses.get(doc_id, "new").replace("_", " ")
            opening = openings.get(doc_id, "")
            choices.append((str(i), f"{i + 1:>4}. {name}  [{status}]  {opening}"))
            searched.append(f"{name} {status} {opening}")  # never the row number: typing 1999 finds art1999
        state = self.session.state
        current = str(self.session.doc_ids.index(state.document.id)) if state else None

        def chosen(value: str | None) -> None:
            if value is not None:
                self.submit("open document", partial(self.session.jump_to, int(value)))

        self.app.push_screen(PickerScreen("Go to document: type part of its id, status or first words", choices,
                                          highlight=current, searched=searched), chosen)

    def action_who_said_what(self) -> None:
        """Speakers across every article; back here the current document is read again (aligned copies
        of its quotes may have changed)."""

        def back(_: None) -> None:
            self.submit("reload", self.session.reload)

        self.app.push_screen(SpeakersScreen(self.session), back)


_SCREEN_ACTIONS = frozenset(b.action.split("(")[0] for b in AnnotateScreen.BINDINGS if isinstance(b, Binding))
