"""The review screen: adjudicate disagreements between annotators, one item at a time.

Left, the article with every disagreement bracketed and the selected one in reverse video; right,
each annotator's version of the selected item (who marked what), numbered: press the number to take
that version, 0 to keep none, brackets to adjust the chosen span, enter to store the document as the
adjudicated version. The logic lives in ``annotator.review.ReviewSession``; this only shows and keys.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar, cast

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static

from annotator.review.adjudication import Item
from annotator.display import visible
from annotator.errors import UserError
from annotator.review.session import ReviewDocument, ReviewSession
from annotator.scheme import Annotation, Quote
from annotator.tui.messages import DecisionFailed, DecisionSaved
from annotator.tui.notify import DataNotifications
from annotator.tui.saving import SerialSaves
from annotator.tui.screens.help import HelpScreen


ACTIVE = "reverse bold"
MARKED = "underline"


def item_fields(item: Item | None) -> dict[str, str]:
    """One annotator's version of an item as labelled fields (what the reviewer compares), shown literally."""
    if item is None:
        return {}
    if isinstance(item, Quote):
        return {
            "text": item.text,
            "kind": item.kind,
            "cue": item.cue.text if item.cue else "-",
            "speaker": f"{item.speaker.text} = {item.speaker.name}" if item.speaker else "-",
            "stance": f"{item.stance.target}: {item.stance.label}" if item.stance else "-",
        }
    return {"text": item.text, "checkworthy": str(item.checkworthy), "speaker": item.speaker or "-"}


def describe_item(item: Item | None, differs: frozenset[str] = frozenset()) -> Text:
    """One annotator's version of an item: the text, then one line per field; the fields in ``differs``
    (where the versions disagree) are marked ``≠`` and bold, so they stand out without colour. No offsets:
    the span is the text shown."""
    if item is None:
        return Text("(not marked)", style="italic")
    out = Text()
    for i, (name, value) in enumerate(item_fields(item).items()):
        mark = "≠ " if name in differs else "  "
        style = "bold" if name in differs else ""
        if i:
            out.append("\n")
        if name == "text":
            out.append(mark, style="bold")
            out.append(visible(value), style=style)
        else:
            out.append(f"{mark}{name}: ", style="bold" if name in differs else "")
            out.append(visible(value), style=style)
    return out


def differing_fields(items: "list[Item | None]") -> frozenset[str]:
    """The fields whose value is not the same in every version (a missing version differs in all)."""
    fields = [item_fields(it) for it in items]
    names = {n for f in fields for n in f}
    return frozenset(n for n in names if len({f.get(n) for f in fields}) > 1)


class ReviewApp(DataNotifications, SerialSaves, App[None]):
    """`annotator review`: walk documents with disagreements and store the adjudicated version."""

    TITLE = "annotator review"
    CSS_PATH = [Path(__file__).with_name("app.tcss"), Path(__file__).with_name("review.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down,tab", "move(1)", "Next"),
        Binding("k,up,shift+tab", "move(-1)", "Previous", show=False),
        Binding("1", "take(1)", "Take 1st"),
        Binding("2", "take(2)", "Take 2nd"),
        Binding("3", "take(3)", "Take 3rd", show=False),
        Binding("4", "take(4)", "Take 4th", show=False),
        Binding("0,x", "take(0)", "Keep none"),
        Binding("[", "nudge('start', -1)", "Start ←", show=False),
        Binding("]", "nudge('start', 1)", "Start →", show=False),
        Binding("{", "nudge('end', -1)", "End ←", show=False),
        Binding("}", "nudge('end', 1)", "End →", show=False),
        Binding("enter", "finish", "Save document"),
        Binding("n", "next_unresolved", "Next unresolved", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: ReviewSession):
        super().__init__()
        self.session = session
        self.saved_documents = 0  # by this session
        #: Done target versions in the database (every session), read when the walk is over.
        self.stored_total: int | None = None
        self._saving = False

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="body"):
            with VerticalScroll(id="article-scroll"):
                yield Static(id="article")
            with VerticalScroll(id="options-scroll"):
                yield Static(id="options")
        yield Footer(compact=True, show_command_palette=False)  # fits 80 columns; every key is in help (?)

    def on_mount(self) -> None:
        self.start_saving()
        if self.session.current is None:
            self.stored_total = self.session.stored_count()
        self.refresh_view()

    # -- rendering --------------------------------------------------------------------------------

    def status_text(self) -> Text:
        s = self.session
        doc = s.current
        if doc is None:
            total = self.saved_documents if self.stored_total is None else self.stored_total
            return Text(f"Nothing left to review. {total} document(s) stored as {s.target!r} "
                        f"({self.saved_documents} in this session). Press q to quit.")
        n = len(doc.comparison.disagreements)
        out = Text()
        out.append(f"Document {s.doc_index + 1} of {len(s.documents)}: ")
        out.append(visible(doc.comparison.doc_id), style="bold")
        out.append(f" | disagreement {s.item_index + 1} of {n}, resolved {len(doc.resolutions)} of {n}")
        out.append(f" | reviewing {', '.join(visible(a) for a in s.annotators)} -> {visible(s.target)}")
        return out

    def article_text(self) -> Text:
        doc = self.session.current
        if doc is None:
            return Text("")
        text = Text(visible(doc.comparison.text))  # control characters as same-length symbols
        for i, d in enumerate(doc.comparison.disagreements):
            text.stylize(ACTIVE if i == self.session.item_index else MARKED, d.start, d.end)
        return text

    def options_text(self) -> Text:
        s = self.session
        doc = s.current
        if doc is None:
            return Text("")
        d = doc.comparison.disagreements[s.item_index]
        differs = differing_fields([d.options.get(name) for name in s.annotators])
        out = Text()
        out.append(d.describe() + "\n\n", style="bold")
        for n, name in enumerate(s.annotators, start=1):
            chosen = doc.chosen_from.get(s.item_index) == name
            out.append(f"{n}. ", style="bold")
            out.append(visible(name), style="bold reverse" if chosen else "bold")
            out.append(" (chosen)\n" if chosen else "\n")
            out.append_text(describe_item(d.options.get(name), differs))
            out.append("\n\n")
        origin = doc.chosen_from.get(s.item_index)
        if s.item_index in doc.resolutions:
            out.append("Resolution: ", style="bold")
            if origin == "edited":
                out.append("edited\n")
                out.append_text(describe_item(doc.resolutions[s.item_index]))
            else:
                out.append("keep none" if not origin else f"take {visible(origin)}")
        else:
            out.append("Unresolved: press a number, or 0 to keep none.", style="italic")
        return out

    def refresh_view(self) -> None:
        self.query_one("#status", Static).update(self.status_text())
        self.query_one("#article", Static).update(self.article_text())
        self.query_one("#options", Static).update(self.options_text())
        self.call_after_refresh(self._scroll_to_selection)

    def _scroll_to_selection(self) -> None:
        doc = self.session.current
        if doc is None:
            return
        d = doc.comparison.disagreements[self.session.item_index]
        article = self.query_one("#article", Static)
        width = max(article.size.width, 1)
        lines = Text(doc.comparison.text[: d.start]).wrap(self.console, width)
        self.query_one("#article-scroll", VerticalScroll).scroll_to(y=max(len(lines) - 3, 0), animate=False)

    # -- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a document is being saved, its resolutions are frozen: a change then would be lost."""
        if self._saving and action in ("take", "nudge", "move", "next_unresolved", "finish"):
            return False
        return True

    def _guard(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        try:
            fn(*args)
        except UserError as exc:
            self.notify(str(exc), severity="warning")
        self.refresh_view()

    def action_move(self, delta: int) -> None:
        self._guard(self.session.move, delta)

    def action_next_unresolved(self) -> None:
        self._guard(self.session.next_unresolved)

    def action_take(self, number: int) -> None:
        if self.session.current is None:
            return
        if number == 0:
            self._guard(self.session.take, None)
        elif number <= len(self.session.annotators):
            self._guard(self.session.take, self.session.annotators[number - 1])
        else:
            return
        doc = self.session.current
        if doc is not None and len(doc.resolutions) < len(doc.comparison.disagreements):
            self.session.next_unresolved()
            self.refresh_view()

    def action_nudge(self, edge: str, words: int) -> None:
        self._guard(self.session.nudge, edge, words)

    def action_finish(self) -> None:
        """Resolve on the UI thread, store on the decision worker; one save at a time (keys wait meanwhile)."""
        if self.session.current is None:
            return
        try:
            doc, result = self.session.resolved_current()
        except UserError as exc:
            self.notify(str(exc), severity="warning")
            return
        self._saving = True
        self.submit_decision(self, "save", partial(self._store, doc, result))

    def _store(self, doc: ReviewDocument, result: Annotation) -> tuple[ReviewDocument, Annotation, int | None]:
        """On the worker thread: store one document (and, after the last one, count every stored one)."""
        self.session.store(result)
        total = None
        if len(self.session.documents) == 1:  # the walk ends with this document
            try:
                total = self.session.stored_count()
            except Exception:  # noqa: BLE001  the document is stored; only the count is unknown
                total = None
        return doc, result, total

    def on_decision_saved(self, message: DecisionSaved) -> None:
        doc, result, total = cast("tuple[ReviewDocument, Annotation, int | None]", message.result)  # what _store returned
        self._saving = False
        self.session.remove(doc)
        self.saved_documents += 1
        if total is not None:
            self.stored_total = total
        self.notify(f"saved {result.doc_id} as {self.session.target}")
        self.refresh_view()

    def on_decision_failed(self, message: DecisionFailed) -> None:
        self._saving = False
        self.notify(f"not saved: {message.error}", severity="error", timeout=10)
        self.refresh_view()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen([("Review", self.BINDINGS)]))
