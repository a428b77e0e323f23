"""Who said what (w): canonical speakers across outlets, one decision applied to every aligned copy of a
statement, stored per document (event ``apply-aligned``), names and quotes shown literally."""

from __future__ import annotations

import asyncio
from typing import Callable, NoReturn

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import OptionList

from annotator.db.engine import open_database
from annotator.records import ImportRecord
from annotator.db.repo import Repository
from annotator.errors import SaveError
from annotator.scheme import Annotation, Quote, SpeakerMention, Stance
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.dialogs import PickerScreen
from annotator.tui.screens.speakers import SpeakersScreen
from tests.tui.helpers import (
    DATASET,
    make_session,
    notifications,
    panel,
    screen_of,
    settle,
)

SIZE = (140, 44)
BORDERS = "The alliance is being brought closer to our borders in Romania and Poland"
FORCE = "We will answer any threat to our security with force"
GRAIN_TASS = "Grain exports can resume once the sanctions on our banks are lifted"
GRAIN_CNN = "Once the sanctions on Russian banks are lifted, grain exports could resume"
TALKS = "Talks were useful but the threat remains real"
EVIL_NAME = "[bold]x[/]"
EVIL_QUOTE = "Some \x1b[31mred words [link=https://example.com]here[/link] and more"


def _doc(doc_id: str, outlet: str, parts: list[tuple[str, str, str, Stance | None]]) -> Annotation:
    """A document of quotes ``“text,” mention said.``; parts are (quote, mention, name, stance)."""
    text = " ".join(f"“{q},” {m} said." for q, m, _, _ in parts)
    quotes = []
    for i, (q, m, name, stance) in enumerate(parts, 1):
        start = text.index(q)
        ms = text.index(m, start + len(q))
        quotes.append(Quote(f"q{i}", start, start + len(q), q, "direct", None,
                            SpeakerMention(ms, ms + len(m), m, name), stance))
    return Annotation(doc_id, text, "model", "done", {"outlet": outlet}, tuple(quotes))


def annotations() -> list[Annotation]:
    return [
        _doc("bne-1", "bne", [(BORDERS, "Sergei Lavrov", "Sergei Lavrov", Stance("NATO", "favor")),
                              (FORCE, "Lavrov", "Sergei Lavrov", None)]),
        _doc("tass-1", "tass", [(BORDERS + ".", "Sergey Lavrov", "Sergey Lavrov", Stance("NATO", "neutral")),
                                (GRAIN_TASS, "he", "Sergey Lavrov", None)]),
        _doc("cnn-1", "cnn", [(BORDERS + ", and we see that", "Mr Lavrov", "Lavrov", None),
                              (GRAIN_CNN, "Lavrov", "Lavrov", None),
                              (TALKS, "Antony Blinken", "Antony Blinken", Stance("Russia", "against"))]),
        _doc("evil-1", "[red]outlet[/]", [(EVIL_QUOTE, EVIL_NAME, EVIL_NAME, None)]),
        _doc("evil-2", "plain", [(EVIL_QUOTE + " again", EVIL_NAME, EVIL_NAME, None)]),
    ]


@pytest.fixture
def outlets_repo(sqlite_url: str) -> Repository:
    """Five articles from five outlets, their quotes stored as one model run's suggestions."""
    anns = annotations()
    repo = Repository(open_database(sqlite_url))
    repo.import_records(DATASET, [ImportRecord(a.doc_id, a.text, a.meta, "test") for a in anns])
    run = repo.start_model_run(DATASET, "hand-made", "1", {})
    repo.add_suggestions(run, [(repo.document_id(DATASET, a.doc_id), a, None) for a in anns])
    return repo


def who(app: AnnotatorApp) -> SpeakersScreen:
    assert isinstance(app.screen, SpeakersScreen), app.screen_stack
    return app.screen


async def ready(pilot: Pilot, timeout: float = 10.0) -> SpeakersScreen:
    """Wait until the speakers screen saved every decision and read the overview again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    await pilot.pause()
    while who(pilot.app).pending or who(pilot.app).refreshing:  # type: ignore[arg-type]
        assert loop.time() < deadline, "the speakers screen did not settle"
        await asyncio.sleep(0.01)
    await pilot.pause()
    return who(pilot.app)  # type: ignore[arg-type]


def lines(widget: OptionList) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def quotes_of(repo: Repository, doc_id: str) -> tuple[int, dict[str, Quote]]:
    state = repo.open_version(repo.document_id(DATASET, doc_id), "alice")
    return state.version_id, {q.id: q for q in state.quotes}


def applied_items(repo: Repository, version_id: int) -> list[str]:
    return [e["item_id"] for e in repo.events(version_id) if e["action"] == "apply-aligned"]


async def test_an_all_copies_decision_is_undone_in_every_article_with_u(outlets_repo: Repository) -> None:
    repo = outlets_repo
    app = AnnotatorApp(make_session(repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = {doc: quotes_of(repo, doc)[1]["q1"] for doc in ("bne-1", "tass-1", "cnn-1")}
        await pilot.press("w")
        await ready(pilot)
        await pilot.press("enter", "2")  # Lavrov's statement: against, every copy
        await ready(pilot)
        assert all(quotes_of(repo, doc)[1]["q1"].stance == Stance("NATO", "against") for doc in before)
        await pilot.press("u")
        await ready(pilot)
        assert {doc: quotes_of(repo, doc)[1]["q1"] for doc in before} == before
        assert ("information", "undo: stance against, all copies (3 copies)") in notifications(app)
        await pilot.press("u")
        assert any("Nothing to undo here" in msg for _, msg in notifications(app))


async def test_a_stance_applied_to_every_copy_of_an_aligned_statement(outlets_repo: Repository) -> None:
    repo = outlets_repo
    app = AnnotatorApp(make_session(repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.state.document.ext_id == "bne-1"
        await pilot.press("w")
        screen = await ready(pilot)

        # speakers across outlets, most quoted first, name variants merged, counts per outlet
        names = [s.name for s in screen.overview.speakers]
        assert names[0] == "Sergey Lavrov" and "Antony Blinken" in names and EVIL_NAME in names
        left = lines(screen.speaker_list)
        assert "Sergey Lavrov  6 quotes, 2 aligned" in left and "bne: 2" in left and "cnn: 2" in left

        # pick the speaker: his quotes side by side, aligned statements first, the rest below
        await pilot.press("enter")
        assert screen.statement_list.has_focus
        right = lines(screen.statement_list)
        # cnn's copy is the statement and more ("..., and we see that"): it contains the others (issue 17.8)
        assert "CONTAINS" in right and "PARAPHRASE" in right and "In one article only" in right
        assert right.index("CONTAINS") < right.index("PARAPHRASE") < right.index("In one article only")
        statement = screen.current_statement()
        assert statement is not None and statement.match == "contains"
        assert [q.doc_id for q in statement.quotes] == ["bne-1", "tass-1", "cnn-1"]

        # 2: against, for every copy, keeping the one target the copies have (NATO): no picker
        await pilot.press("2")
        assert not isinstance(app.screen, PickerScreen)
        screen = await ready(pilot)
        for doc_id in ("bne-1", "tass-1", "cnn-1"):
            version, quotes = quotes_of(repo, doc_id)
            assert quotes["q1"].stance == Stance("NATO", "against"), doc_id
            assert quotes["q1"].status == "accepted"
            assert applied_items(repo, version) == ["quotes:q1"], doc_id
            assert quotes["q2"].status == "suggested"  # not aligned with this statement: untouched
        assert quotes_of(repo, "bne-1")[1]["q2"].stance is None
        assert quotes_of(repo, "cnn-1")[1]["q3"].stance == Stance("Russia", "against")
        assert screen.current_statement().quotes[0].stance_label == "against"  # shown after a reload
        assert "accepted" in lines(screen.statement_list)

        # the paraphrase has no target yet: 1 asks for one with the picker, then d sets the kind
        await pilot.press("down")
        statement = screen.current_statement()
        assert statement is not None and statement.match == "paraphrase"
        assert {q.doc_id for q in statement.quotes} == {"tass-1", "cnn-1"}
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("U", "k", "r", "enter")
        screen = await ready(pilot)
        await pilot.press("i")
        screen = await ready(pilot)
        for doc_id in ("tass-1", "cnn-1"):
            version, quotes = quotes_of(repo, doc_id)
            assert quotes["q2"].stance == Stance("Ukraine", "favor") and quotes["q2"].kind == "indirect"
            assert applied_items(repo, version) == ["quotes:q1", "quotes:q2", "quotes:q2"]
        assert quotes_of(repo, "bne-1")[1]["q2"].kind == "direct"

        # a quote of one article only is decided in that article
        await pilot.press("end")
        assert screen.current_statement() is None and "bne-1" in lines(screen.statement_list)
        await pilot.press("x")
        await pilot.pause()
        assert any(sev == "warning" and "one article" in msg for sev, msg in notifications(app))
        assert quotes_of(repo, "bne-1")[1]["q2"].status == "suggested"

        # escape: back to the article, which shows its document as stored now
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        q1 = next(k for k in (app.session.key(it) for it in app.session.items) if k.id == "q1")
        screen_of(app).select(q1)
        screen_of(app).show_selection()
        assert screen_of(app).selected_item.stance == Stance("NATO", "against")
        assert "against" in panel(app) and "NATO" in panel(app)


async def test_names_outlets_and_quotes_are_shown_literally(outlets_repo: Repository) -> None:
    app = AnnotatorApp(make_session(outlets_repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        screen = await ready(pilot)
        await pilot.press("slash")  # find the speaker with the filterable picker
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"bold", "enter")
        await pilot.pause()
        screen = who(app)
        assert screen._speaker == EVIL_NAME and screen.statement_list.has_focus
        left, right = lines(screen.speaker_list), lines(screen.statement_list)
        assert EVIL_NAME in left and "[red]outlet[/]" in left
        assert "[red]outlet[/]" in right and "␛[31mred" in right and "[link=https://example.com]" in right
        assert "\x1b" not in left + right
        # a border title is markup: the name is escaped, so it shows as written
        assert Content.from_markup(str(screen.statement_list.border_title)).plain == f"Quotes of {EVIL_NAME}"


async def test_a_failed_save_is_shown_and_nothing_changes(outlets_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = outlets_repo
    app = AnnotatorApp(make_session(repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await ready(pilot)

        def broken(*args: object, **kwargs: object) -> NoReturn:
            raise SaveError("decision not saved: disk I/O error")

        monkeypatch.setattr(repo, "update_item", broken)
        await pilot.press("enter", "a")
        screen = await ready(pilot)
        assert ("error", "bne-1: decision not saved: disk I/O error") in [(s, m[:len("bne-1: decision not saved: disk I/O error")]) for s, m in notifications(app)]
        assert "NOT SAVED" in str(screen.query_one("#who-status").render())
        monkeypatch.undo()
        version, quotes = quotes_of(repo, "bne-1")
        assert quotes["q1"].status == "suggested" and applied_items(repo, version) == []
        # escape waits for nothing (the failure was handled) and returns to the article
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)


async def test_help_and_command_palette_list_the_new_keys(outlets_repo: Repository) -> None:
    app = AnnotatorApp(make_session(outlets_repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        descriptions = [c.title for c in app.get_system_commands(app.screen)]
        assert "Who said what" in descriptions
        await pilot.press("w")
        screen = await ready(pilot)
        descriptions = [c.title for c in app.get_system_commands(screen)]
        assert "Accept all copies" in descriptions and "Stance against: all copies" in descriptions
        sections = dict(app.binding_sections())
        assert any(getattr(b, "action", "") == "stance('against')" for b in sections["Who said what (w)"])


def test_speakers_screen_snapshot(snap_compare: Callable[..., bool], outlets_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)

    async def open_it(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("w")
        await ready(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(AnnotatorApp(make_session(outlets_repo)), terminal_size=(130, 36), run_before=open_it)
