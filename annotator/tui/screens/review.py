"""The review screen: adjudicate disagreements between annotators, one item at a time.

Left, the article (the annotate screen's ``ArticleView``) with every disagreement underlined and the
selected one in reverse video; right, each annotator's version of the selected item (who marked what),
numbered: press the number to take that version, 0 to keep none, brackets to adjust the chosen span,
enter to store the document as the adjudicated version. The logic lives in
``annotator.review.ReviewSession``; this only shows and keys. Like the annotate screen it is a
``DecisionScreen``: a document is stored by the app's one decision worker and the result comes back as a
message, handled here on the UI thread.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static

from annotator.review.adjudication import Item
from annotator.display import visible
from annotator.errors import UserError
from annotator.review.session import ReviewDocument, ReviewSession
from annotator.scheme import Annotation, Quote
from annotator.tui.messages import DecisionFailed, DecisionSaved
from annotator.tui.screens.decisions import DecisionScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.panels import StatusLine, saved_indicator



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


class ReviewScreen(DecisionScreen[None]):
    """Walk the documents with disagreements and store each adjudicated version."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down,tab", "move(1)", "Next", key_display="j"),
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
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.saved_documents = 0  # by this session
        #: Done target versions in the database (every session), read when the walk is over.
        self.stored_total: int | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="body"):
            yield ArticleView(id="article")
            with VerticalScroll(id="options-scroll"):
                yield Static(id="options")
        yield Footer(compact=True, show_command_palette=False)  # fits 80 columns; every key is in help (?)

    def on_mount(self) -> None:
        if self.session.current is None:
            self.stored_total = self.session.stored_count()
        self.query_one(ArticleView).focus()
        self.refresh_view()

    @property
    def saving(self) -> bool:
        """A document is being stored (its resolutions are frozen until the worker reports back)."""
        return self.pending > 0

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

    def show_article(self) -> None:
        """The document's text, every disagreement underlined, the selected one reversed (and in view)."""
        article = self.query_one(ArticleView)
        doc = self.session.current
        if doc is None:
            article.show(None, "", (), ())
            article.set_marked([])
            article.select_ranges([])
            return
        article.show(doc.comparison.doc_id, doc.comparison.text, (), ())
        spans = [(d.start, d.end) for d in doc.comparison.disagreements]
        active = spans[self.session.item_index]
        article.set_marked([r for i, r in enumerate(spans) if i != self.session.item_index])
        article.select_ranges([active])

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

    def update_status(self) -> None:
        """The review status, with the saved indicator always whole at the right end."""
        self.query_one(StatusLine).show(self.status_text(), saved_indicator(self.pending, self.error))

    def refresh_view(self) -> None:
        self.update_status()
        self.show_article()
        self.query_one("#options", Static).update(self.options_text())

    # -- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a document is being saved, its resolutions are frozen: a change then would be lost."""
        if self.saving and action in ("take", "nudge", "move", "next_unresolved", "finish"):
            return False
        return True

    def _guard(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except UserError as exc:
            self.notify(str(exc), severity="warning")
        self.refresh_view()

    def action_move(self, delta: int) -> None:
        self._guard(partial(self.session.move, delta))

    def action_next_unresolved(self) -> None:
        self._guard(self.session.next_unresolved)

    def action_take(self, number: int) -> None:
        if self.session.current is None:
            return
        if number == 0:
            self._guard(partial(self.session.take, None))
        elif number <= len(self.session.annotators):
            self._guard(partial(self.session.take, self.session.annotators[number - 1]))
        else:
            return
        doc = self.session.current
        if doc is not None and len(doc.resolutions) < len(doc.comparison.disagreements):
            self.session.next_unresolved()
            self.refresh_view()

    def action_nudge(self, edge: str, words: int) -> None:
        self._guard(partial(self.session.nudge, edge, words))

    def action_finish(self) -> None:
        """Resolve on the UI thread, store on the decision worker; one save at a time (keys wait meanwhile)."""
        if self.session.current is None:
            return
        try:
            doc, result = self.session.resolved_current()
        except UserError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.queue(f"save {visible(doc.comparison.doc_id)}", partial(self._store, doc, result))

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
        self.decision_saved()
        self.session.remove(doc)
        self.saved_documents += 1
        if total is not None:
            self.stored_total = total
        self.notify(f"saved {result.doc_id} as {self.session.target}")
        self.refresh_view()

    def on_decision_failed(self, message: DecisionFailed) -> None:
        """The document stays (with its resolutions), the reason is shown as on every decision screen
        (``✗ NOT SAVED`` on the status line until a save succeeds); enter tries again."""
        self.decision_failed(message)
        self.refresh_view()
