"""Who said what: canonical speakers across every article, their quotes side by side by outlet.

The left list holds the dataset's canonical speakers (``annotator.speakers.overview.speaker_overview``: the
annotator's own version of each document where there is one, else the model's latest suggestions)
with quote counts per outlet. The right list holds the highlighted speaker's quotes: first the
statements quoted in several outlets (aligned: "exact" or "paraphrase", one column per copy), then
the quotes that appear in one article only.

Keys on an aligned statement apply one decision to all its copies (``annotator.annotate.aligned``); like every
decision they run on the app's decision worker, and each result (saved or failed) comes back here as
a message. Escape returns to the article once every queued decision has been handled.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, ClassVar, Mapping, Sequence

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from annotator.records import DocumentVersion
from annotator.display import visible
from annotator.errors import SaveError
from annotator.scheme import Stance
from annotator.annotate.session import AnnotationSession
from annotator.speakers.canonical import AlignedStatement, CanonicalSpeaker, SpeakerQuote
from annotator.speakers.overview import SpeakerOverview, speaker_overview
from annotator.tui.messages import DecisionFailed, DecisionSaved
from annotator.tui.screens.decisions import DecisionScreen
from annotator.tui.screens.dialogs import DismissOnce, PickerScreen
from annotator.tui.widgets.panels import StatusLine, saved_indicator

#: Statuses read from the overview: (document ext id, quote id) -> status.
Statuses = Mapping[tuple[str, str], str]


def speaker_prompt(speaker: CanonicalSpeaker) -> Text:
    """One entry of the speaker list: name, quote count, aligned statements, quotes per outlet."""
    out = Text()
    out.append(visible(speaker.name), style="bold")
    out.append(f"  {len(speaker.quotes)} quote{'s' if len(speaker.quotes) != 1 else ''}")
    if speaker.aligned:
        out.append(f", {len(speaker.aligned)} aligned", style="italic")
    for outlet, n in speaker.per_outlet.items():
        out.append("\n  ")
        out.append(visible(outlet), style="dim")
        out.append(f": {n}")
    return out


def quote_text(q: SpeakerQuote, statuses: Statuses) -> Text:
    """A quote with who is named, its kind, stance and status (all literal)."""
    out = Text()
    out.append("“")
    out.append(visible(q.text))
    out.append("”\n")
    out.append("— ", style="dim")
    out.append(visible(q.mention), style="italic")
    if q.mention != q.name:
        out.append(" (")
        out.append(visible(q.name))
        out.append(")")
    out.append("\n")
    out.append(q.kind)
    if q.stance_label:
        out.append(" · ")
        out.append(visible(q.stance_target or "?"))
        out.append(": ")
        out.append(q.stance_label, style="bold")
    out.append(" · ")
    out.append(visible(statuses.get((q.doc_id, q.quote_id), "?")), style="bold")
    return out


def _where(q: SpeakerQuote) -> Text:
    return Text.assemble((visible(q.outlet), "bold"), "  ", (visible(q.doc_id), "dim"))


def statement_prompt(statement: AlignedStatement, statuses: Statuses) -> Group:
    """An aligned statement: match and similarity, then one column per copy."""
    head = Text()
    head.append(f" {statement.match.upper()} ", style="bold reverse")
    head.append(f"  similarity {statement.similarity:.0f}  ·  {len(statement.quotes)} copies")
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False)
    for q in statement.quotes:
        table.add_column(_where(q), ratio=1, overflow="fold")
    table.add_row(*(quote_text(q, statuses) for q in statement.quotes))
    return Group(head, table)


def document_prompt(quotes: Sequence[SpeakerQuote], statuses: Statuses) -> Text:
    """The speaker's quotes of one article that are not aligned with any other outlet."""
    out = _where(quotes[0])
    for q in quotes:
        out.append("\n")
        out.append_text(quote_text(q, statuses))
    return out


def unaligned_by_document(speaker: CanonicalSpeaker) -> list[list[SpeakerQuote]]:
    aligned = {(q.doc_id, q.quote_id) for st in speaker.aligned for q in st.quotes}
    by_doc: dict[str, list[SpeakerQuote]] = defaultdict(list)
    for q in speaker.quotes:
        if (q.doc_id, q.quote_id) not in aligned:
            by_doc[q.doc_id].append(q)
    return list(by_doc.values())


class SpeakersScreen(DismissOnce, DecisionScreen[None]):
    """Who said what across outlets; decide a statement quoted in several articles once for all copies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to the article"),
        Binding("slash", "find", "Find speaker", key_display="/"),
        Binding("a", "accept", "Accept all copies"),
        Binding("x", "reject", "Reject all copies"),
        Binding("1", "stance('favor')", "Stance favor: all copies", show=False),
        Binding("2", "stance('against')", "Stance against: all copies", show=False),
        Binding("3", "stance('neutral')", "Stance neutral: all copies", show=False),
        Binding("t", "target", "Stance target: all copies", show=False),
        Binding("d", "kind('direct')", "Kind direct: all copies", show=False),
        Binding("i", "kind('indirect')", "Kind indirect: all copies", show=False),
        Binding("m", "kind('mixed')", "Kind mixed: all copies", show=False),
        Binding("u", "undo", "Undo the last all-copies decision"),
    ]

    class Loaded(Message):
        """The overview was read (in a thread worker)."""

        def __init__(self, generation: int, overview: SpeakerOverview | None, error: str | None = None) -> None:
            super().__init__()
            self.generation = generation
            self.overview = overview
            self.error = error

    class Applied(Message):
        """A decision was applied to the copies of one statement (sent by the decision worker)."""

        def __init__(self, description: str, outcome: Mapping[str, str]) -> None:
            super().__init__()
            self.description = description
            self.outcome = dict(outcome)

    class Undone(Message):
        """An all-copies decision was taken back (sent by the decision worker)."""

        def __init__(self, description: str, undone: int, kept: list[str]) -> None:
            super().__init__()
            self.description, self.undone, self.kept = description, undone, kept

    def __init__(self, session: AnnotationSession) -> None:
        super().__init__()
        self.session = session
        self.overview: SpeakerOverview | None = None
        self.refreshing = False
        self.closing = False
        self._generation = 0
        self._speaker: str | None = None  # name of the highlighted speaker
        self._rows: list[AlignedStatement | None] = []  # statement list index -> aligned statement
        #: All-copies decisions of this visit, newest last: (description, documents where it was applied).
        self.applied: list[tuple[str, list[str]]] = []

    def compose(self) -> ComposeResult:
        yield StatusLine(id="who-status")
        with Horizontal(id="who-body"):
            yield OptionList(id="who-speakers")
            yield OptionList(id="who-statements")
        yield Footer()

    def on_mount(self) -> None:
        self.speaker_list.border_title = "Speakers"
        self.statement_list.border_title = "Quotes"
        self.speaker_list.focus()
        self.reload()

    @property
    def speaker_list(self) -> OptionList:
        return self.query_one("#who-speakers", OptionList)

    @property
    def statement_list(self) -> OptionList:
        return self.query_one("#who-statements", OptionList)

    # -- loading ------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the overview again (a thread worker); the newest request wins."""
        self._generation += 1
        self.refreshing = True
        self.update_status()
        self._load(self._generation)

    @work(thread=True, exclusive=True, group="speakers-overview", exit_on_error=False)
    def _load(self, generation: int) -> None:
        try:
            overview: SpeakerOverview | None = speaker_overview(
                self.session.repo, self.session.dataset, self.session.annotator)
            error = None
        except Exception as exc:  # noqa: BLE001  a failed read must be shown, never dropped
            overview, error = None, f"{type(exc).__name__}: {exc}"
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(generation, overview, error))

    def on_speakers_screen_loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        self.refreshing = False
        if message.overview is None:
            self.error = message.error
            self.notify(visible(message.error or "unknown error"), title="Speakers not loaded", severity="error",
                        markup=False, timeout=10)
            self.update_status()
            return
        self.overview = message.overview
        self.fill_speakers()
        self.update_status()

    def fill_speakers(self) -> None:
        assert self.overview is not None
        speakers = self.overview.speakers
        names = [s.name for s in speakers]
        ol = self.speaker_list
        ol.clear_options()
        if not speakers:
            ol.add_option(Option(Text("No attributed quotes yet.", style="italic"), disabled=True))
            self.show_speaker(None)
            return
        ol.add_options(Option(speaker_prompt(s)) for s in speakers)
        index = names.index(self._speaker) if self._speaker in names else 0
        ol.highlighted = index
        self.show_speaker(speakers[index])

    @on(OptionList.OptionHighlighted, "#who-speakers")
    def _speaker_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.overview is not None and event.option_index < len(self.overview.speakers):
            speaker = self.overview.speakers[event.option_index]
            if speaker.name != self._speaker or not self._rows:
                self.show_speaker(speaker)

    @on(OptionList.OptionSelected, "#who-speakers")
    def _speaker_selected(self, event: OptionList.OptionSelected) -> None:
        self.statement_list.focus()

    def show_speaker(self, speaker: CanonicalSpeaker | None) -> None:
        """Fill the right list with the speaker's quotes; keep the cursor on the same statement if possible."""
        ol = self.statement_list
        previous = self.current_statement()
        keep = {(q.doc_id, q.quote_id) for q in previous.quotes} if previous is not None else set()
        same_speaker = speaker is not None and speaker.name == self._speaker
        old_index = ol.highlighted
        self._speaker = speaker.name if speaker is not None else None
        ol.clear_options()
        self._rows = []
        if speaker is None:
            ol.border_title = "Quotes"
            return
        ol.border_title = Text.assemble("Quotes of ", visible(speaker.name))
        statuses = self.overview.statuses if self.overview is not None else {}
        options: list[Option] = []
        for st in speaker.aligned:
            options.append(Option(statement_prompt(st, statuses)))
            self._rows.append(st)
        rest = unaligned_by_document(speaker)
        if rest:
            title = "In one article only" if speaker.aligned else "No statement quoted in several outlets"
            options.append(Option(Text(title, style="bold underline"), disabled=True))
            self._rows.append(None)
            for quotes in rest:
                options.append(Option(document_prompt(quotes, statuses)))
                self._rows.append(None)
        ol.add_options(options)
        if not options:
            return
        index = 0
        if same_speaker:
            match = [i for i, st in enumerate(self._rows)
                     if st is not None and keep & {(q.doc_id, q.quote_id) for q in st.quotes}]
            if match:
                index = match[0]
            elif old_index is not None:
                index = min(old_index, len(options) - 1)
        if options[index].disabled:
            index = next((i for i, o in enumerate(options) if not o.disabled), index)
        ol.highlighted = index

    def current_statement(self) -> AlignedStatement | None:
        i = self.statement_list.highlighted
        return self._rows[i] if i is not None and i < len(self._rows) else None

    def update_status(self) -> None:
        out = Text()
        out.append("Who said what", style="bold")
        out.append("  ")
        out.append(visible(self.session.dataset))
        out.append(" as ")
        out.append(visible(self.session.annotator))
        out.append(" sees it (own versions, else the model's suggestions)", style="dim")
        if self.overview is not None:
            out.append(f"  {len(self.overview.speakers)} speakers")
        out.append("  ")
        if self.refreshing and not self.error and not self.pending:
            out.append("… loading", style="italic")
        else:
            out.append_text(saved_indicator(self.pending, self.error))
        if self.error:
            out.append(": ")
            out.append(visible(self.error))
        self.query_one(StatusLine).show(out)

    # -- decisions on all copies of a statement -----------------------------------------------------

    def _statement(self) -> AlignedStatement | None:
        st = self.current_statement()
        if st is None:
            self.notify("Pick a statement quoted in several outlets (the blocks at the top of the list); "
                        "decide quotes of one article in that article.", severity="warning", markup=False)
        return st

    def submit(self, description: str, statement: AlignedStatement, status: str | None = None,
               kind: str | None = None, stance: Stance | None = None) -> None:
        def job() -> DocumentVersion | None:
            outcome = self.session.apply_aligned(statement, status=status, kind=kind, stance=stance)
            self.post_message(self.Applied(description, outcome))
            failed = [f"{doc}: {r[len('not saved: '):]}" for doc, r in outcome.items() if r.startswith("not saved")]
            if failed:  # reported like any failed decision (error notice, NOT SAVED); the rest were stored
                raise SaveError("; ".join(failed))
            return self.session.state

        self.queue(description, job)

    def on_speakers_screen_applied(self, message: Applied) -> None:
        applied = sum(1 for r in message.outcome.values() if r == "applied")
        done = [doc for doc, r in message.outcome.items() if r == "applied"]
        if done:
            self.applied.append((message.description, done))
        missing = [doc for doc, r in message.outcome.items() if r == "not found"]
        self.notify(f"{message.description}: {applied} cop{'y' if applied == 1 else 'ies'}", markup=False, timeout=3)
        if missing:
            self.notify(visible(f"no longer in your version of: {', '.join(missing)}"), title=message.description,
                        severity="warning", markup=False, timeout=8)

    def _handled(self) -> None:
        if self.closing and not self.pending:
            self.dismiss(None)
            return
        self.reload()

    def on_decision_saved(self, message: DecisionSaved) -> None:
        self.decision_saved()
        self._handled()

    def on_decision_failed(self, message: DecisionFailed) -> None:
        self.decision_failed(message)
        self._handled()

    def action_undo(self) -> None:
        """Take back the last all-copies decision of this visit, in every article it changed."""
        if not self.applied:
            self.notify("Nothing to undo here (decisions made in an article are undone there with u).",
                        markup=False, timeout=4)
            return
        description, docs = self.applied.pop()

        def job() -> DocumentVersion | None:
            outcome = self.session.undo_aligned(docs)
            undone = sum(1 for r in outcome.values() if r == "undone")
            kept = [f"{doc}: {r[len('not undone: '):]}" for doc, r in outcome.items() if r != "undone"]
            self.post_message(self.Undone(description, undone, kept))
            return self.session.state

        self.queue(f"undo {description}", job)

    def on_speakers_screen_undone(self, message: Undone) -> None:
        self.notify(f"undo: {message.description} ({message.undone} cop{'y' if message.undone == 1 else 'ies'})",
                    markup=False, timeout=4)
        if message.kept:
            self.notify(visible("; ".join(message.kept)), title="not undone", severity="warning", markup=False,
                        timeout=8)

    def action_accept(self) -> None:
        st = self._statement()
        if st is not None:
            self.submit("accept all copies", st, status="accepted")

    def action_reject(self) -> None:
        st = self._statement()
        if st is not None:
            self.submit("reject all copies", st, status="rejected")

    def action_kind(self, kind: str) -> None:
        st = self._statement()
        if st is not None:
            self.submit(f"kind {kind}, all copies", st, kind=kind)

    def _pick_target(self, statement: AlignedStatement, then: Callable[[str], None]) -> None:
        targets = self.session.targets
        if not targets:
            self.notify("This dataset has no stance targets: add some with `annotator targets`.",
                        severity="warning", markup=False)
            return
        current = next((q.stance_target for q in statement.quotes if q.stance_target), None)
        self.pick_target("Stance target (all copies)", targets, current, then)

    def action_stance(self, label: str) -> None:
        st = self._statement()
        if st is None:
            return
        targets = {q.stance_target for q in st.quotes if q.stance_target}
        if len(targets) == 1:  # the copies' current target; several or none: ask
            self.submit(f"stance {label}, all copies", st, stance=Stance(targets.pop(), label))
        else:
            self._pick_target(st, lambda t: self.submit(f"stance {label}, all copies", st, stance=Stance(t, label)))

    def action_target(self) -> None:
        st = self._statement()
        if st is None:
            return
        label = next((q.stance_label for q in st.quotes if q.stance_label), "neutral")
        self._pick_target(st, lambda t: self.submit("stance target, all copies", st, stance=Stance(t, label)))

    # -- navigation ---------------------------------------------------------------------------------

    def action_find(self) -> None:
        if not self.overview or not self.overview.speakers:
            return
        choices = [(s.name, f"{s.name}  ({len(s.quotes)})") for s in self.overview.speakers]
        names = [s.name for s in self.overview.speakers]

        def chosen(name: str | None) -> None:
            if name in names:
                self.speaker_list.highlighted = names.index(name)
                self.statement_list.focus()

        self.app.push_screen(PickerScreen("Find speaker", choices, highlight=self._speaker), chosen)

    def action_back(self) -> None:
        """Back to the article, once every queued decision has been saved (or reported as failed)."""
        if not self.pending:
            self.dismiss(None)
            return
        self.closing = True
        self.notify(f"Saving {self.pending} decision(s) first…", markup=False, timeout=3)
