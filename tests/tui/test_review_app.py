"""The review screen driven by Textual's Pilot: take versions, adjust, save, resume."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn

import pytest
from textual.pilot import Pilot

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.review.session import ReviewSession
from annotator.scheme import Annotation, Claim, Quote
from annotator.tui.review_app import ReviewApp
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.widgets.article import ArticleView
from tests.helpers import write_jsonl
from tests.tui.helpers import pretend_terminal

if TYPE_CHECKING:
    from tests.conftest import Cli

T1 = "“Talks were useful,” Blinken said. Lavrov said NATO refused. [bold red]x[/] \x1b[31m"
T2 = "About 100,000 troops are there, Kyiv said."


def review_screen(app: ReviewApp) -> ReviewScreen:
    screens = [s for s in app.screen_stack if isinstance(s, ReviewScreen)]
    assert screens, app.screen_stack
    return screens[0]


def article(app: ReviewApp) -> str:
    """The article as drawn (the lines of the shared ArticleView)."""
    view = app.screen.query_one(ArticleView)
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


async def saved(pilot: Pilot[None], timeout: float = 10.0) -> None:
    """Wait until the document being stored has been saved (or its failure shown)."""
    import asyncio

    await pilot.pause()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    app = pilot.app
    assert isinstance(app, ReviewApp)
    while review_screen(app).saving:
        assert loop.time() < deadline, "the document was not saved in time"
        await asyncio.sleep(0.01)
    await pilot.pause()


def q(text: str, frag: str, kind: str, qid: str = "q1") -> Quote:
    s = text.index(frag)
    return Quote(qid, s, s + len(frag), frag, kind)


@pytest.fixture
def repo(sqlite_url: str, tmp_path: Path, cli: Cli) -> Repository:
    rows = [
        Annotation("d1", T1, "alice", "done", {}, (q(T1, "Talks were useful", "direct"),
                                                 q(T1, "NATO refused", "indirect", "q2"))).to_dict(),
        Annotation("d1", T1, "bob", "done", {}, (q(T1, "Talks were useful", "direct"),
                                               q(T1, "NATO refused", "mixed", "q2"))).to_dict(),
        Annotation("d2", T2, "alice", "done", {}, claims=(Claim("c1", 0, 30, T2[:30]),)).to_dict(),
        Annotation("d2", T2, "bob", "done").to_dict(),
    ]
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", rows), "-d", "r", "--db", sqlite_url).exit_code == 0
    return Repository(open_database(sqlite_url))


async def test_review_session_through_the_keyboard(repo: Repository) -> None:
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        status = str(app.query_one("#status").render())
        assert "Document 1 of 2: d1" in status and "disagreement 1 of 1" in status
        options = str(app.query_one("#options").render())
        assert "1. alice" in options and "kind: indirect" in options and "kind: mixed" in options
        assert "[bold red]x[/]" in article(app)  # article text is data, shown literally
        await pilot.press("enter")  # unresolved: refused, nothing stored
        await pilot.pause()
        await saved(pilot)
        assert "gold" not in repo.annotators("r")
        await pilot.press("2", "enter")  # take bob's mixed quote, store d1
        await saved(pilot)
        await pilot.pause()
        assert "Document 1 of 1: d2" in str(app.query_one("#status").render())
        await pilot.press("1", "{", "enter")  # alice's claim, end moved one word left
        await saved(pilot)
        await pilot.pause()
        assert "Nothing left to review" in str(app.query_one("#status").render())
        await pilot.press("q")
    gold = {a.doc_id: a for a in repo.versions("r", annotator="gold")}
    assert [(x.text, x.kind) for x in gold["d1"].quotes] == [("Talks were useful", "direct"), ("NATO refused", "mixed")]
    assert gold["d2"].claims[0].text == "About 100,000 troops are"
    assert ReviewSession(repo, "r", ["alice", "bob"]).documents == []  # resumed: nothing left


def test_review_command_refuses_bad_annotator_lists(cli: Cli, repo: Repository,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pretend_terminal(monkeypatch)
    result = cli("review", "-d", "r", "--annotators", "alice", "--db", repo.db.url)
    assert result.exit_code == 1 and "at least two annotators" in result.stderr


async def test_enter_twice_while_saving_stores_each_document_once(repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    release = threading.Event()
    real_put = repo.put_version
    calls: list[str] = []

    def slow_put(dataset: str, ann: Annotation, action: str = "adjudicate") -> object:
        calls.append(ann.doc_id)
        release.wait(5)
        return real_put(dataset, ann, action)

    monkeypatch.setattr(repo, "put_version", slow_put)
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "enter", "enter", "1")  # enter and a choice arrive while d1 is being saved
        await pilot.pause()
        release.set()
        await saved(pilot)
        await pilot.pause()
        assert calls == ["d1"]
        assert "Document 1 of 1: d2" in str(app.query_one("#status").render())
        assert app.session.current.resolutions == {}  # the "1" pressed during the save was not taken
    assert [a.doc_id for a in repo.versions("r", annotator="gold")] == ["d1"]


async def test_a_failed_save_is_shown_and_the_document_stays(repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: object, **_k: object) -> NoReturn:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repo, "put_version", broken)
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "enter")
        await saved(pilot)
        await pilot.pause()
        assert [(n.title, n.message, n.severity) for n in app._notifications] == [
            ("save d1: not saved", "RuntimeError: disk on fire", "error")]
        status = str(app.query_one("#status").render())
        assert "Document 1 of 2: d1" in status and "✗ NOT SAVED" in status


async def test_review_panels_show_hostile_names_literally(sqlite_url: str, tmp_path: Path, cli: Cli) -> None:
    from annotator.scheme import SpeakerMention

    text = "“Fine,” said [link=x]Bob[/link]."
    m = text.index("[link")
    speaker = SpeakerMention(m, m + len("[link=x]Bob[/link]"), "[link=x]Bob[/link]", "evil\x1b[31mname [b]x[/b]")
    rows = [
        Annotation("d1", text, "[red]alice[/]", "done", {}, (Quote("q1", 1, 6, "Fine,", "direct", None, speaker),)).to_dict(),
        Annotation("d1", text, "bob", "done").to_dict(),
    ]
    assert cli("import", write_jsonl(tmp_path / "h.jsonl", rows), "-d", "h", "--db", sqlite_url).exit_code == 0
    repo = Repository(open_database(sqlite_url))
    app = ReviewApp(ReviewSession(repo, "h", ["[red]alice[/]", "bob"]))
    async with app.run_test(size=(140, 40)):
        options = str(app.query_one("#options").render())
        assert "[red]alice[/]" in options
        assert "[link=x]Bob[/link] = evil␛[31mname [b]x[/b]" in options
        assert "\x1b" not in options
        assert "[link=x]Bob[/link]" in article(app)


async def test_review_article_shows_escape_sequences_as_symbols(repo: Repository) -> None:
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)):
        shown = article(app)
        assert "\x1b" not in shown and "␛[31m" in shown


async def test_review_help_is_generated_from_the_bindings(repo: Repository) -> None:
    from textual.binding import Binding

    from annotator.tui.screens.help import HelpScreen

    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from textual.geometry import Region

        widget = app.screen.query_one("#help-table")
        table = "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, widget.size.width, 60)))
        for b in [*ReviewScreen.BINDINGS, *ReviewApp.BINDINGS]:
            assert isinstance(b, Binding) and b.description in table
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


def toasts(app: ReviewApp) -> list[str]:
    """What the notifications on screen show, rendered the way Textual draws them."""
    from textual.widgets._toast import Toast

    return [toast.render().plain for toast in app.screen.query(Toast)]


async def test_a_save_and_a_warning_are_shown_as_notifications_on_the_installed_textual(repo: Repository) -> None:
    """Notifications enabled as in a real terminal: the toast of a refused save and of a stored document
    are drawn, and the app keeps running (Textual 8 crashed here when handed a rich Text)."""
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("enter")  # unresolved: a warning
        await pilot.pause()
        await pilot.pause()
        assert any("1 disagreement(s) left" in t for t in toasts(app))
        await pilot.press("2", "enter")  # a real save through the worker
        await saved(pilot)
        await pilot.pause()
        await pilot.pause()
        assert any("saved d1 as gold" in t for t in toasts(app))
        assert app.is_running and app.return_code is None
        await pilot.press("q")
    assert app.return_code == 0
    assert [a.doc_id for a in repo.versions("r", annotator="gold")] == ["d1"]


async def test_a_failed_save_with_hostile_text_is_notified_verbatim(repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: object, **_k: object) -> NoReturn:
        raise RuntimeError("disk [bold red]on fire[/] \x1b[31m")

    monkeypatch.setattr(repo, "put_version", broken)
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("1", "enter")
        await saved(pilot)
        await pilot.pause()
        await pilot.pause()
        assert "save d1: not saved\nRuntimeError: disk [bold red]on fire[/] ␛[31m" in toasts(app)
        assert app.is_running
        await pilot.press("q")
    assert "gold" not in repo.annotators("r")


async def test_the_final_screen_counts_every_stored_gold_version(repo: Repository) -> None:
    earlier = ReviewSession(repo, "r", ["alice", "bob"])  # an earlier review stored d1
    earlier.take("bob")
    earlier.finish_document()
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        assert "Document 1 of 1: d2" in str(app.query_one("#status").render())
        await pilot.press("1", "enter")
        await saved(pilot)
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert "2 document(s) stored as 'gold' (1 in this session)" in status
        await pilot.press("q")
    again = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))  # nothing left: the count is still right
    async with again.run_test(size=(120, 40)) as pilot:
        assert "2 document(s) stored as 'gold' (0 in this session)" in str(again.query_one("#status").render())


def test_review_screen_at_80x24(snap_compare: Callable[..., bool], repo: Repository) -> None:
    assert snap_compare(ReviewApp(ReviewSession(repo, "r", ["alice", "bob"])), terminal_size=(80, 24))


async def test_ctrl_c_in_review_names_the_quit_key_in_plain_words(repo: Repository) -> None:
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        shown = [str(n.message) for n in app._notifications]
        assert any("Press q to quit" in m for m in shown) and not any("[b]" in m for m in shown), shown
        assert app.is_running


async def test_quitting_with_choices_not_saved_asks_first(repo: Repository) -> None:
    # before: q dropped the choices made in the document on screen without a word (only enter stores them)
    from annotator.tui.screens.dialogs import ConfirmScreen

    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.is_running
        assert "lose 1 unsaved choice(s)" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")  # stay: the choice is still there, enter stores it
        await pilot.pause()
        assert app.is_running and app.session.current.resolutions
        await pilot.press("enter")
        await saved(pilot)
        await pilot.press("q")  # d2 has no choice made yet: quits at once
        await pilot.pause()
        assert not app.is_running
    assert [a.doc_id for a in repo.versions("r", annotator="gold")] == ["d1"]


async def test_quitting_and_confirming_drops_the_unsaved_choices(repo: Repository) -> None:
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running
    assert "gold" not in repo.annotators("r")


def test_review_refuses_to_replace_unfinished_work_of_its_target(cli: Cli, repo: Repository, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # before: `review --as carol` replaced carol's version in progress with the adjudicated one, without a word
    pretend_terminal(monkeypatch)
    monkeypatch.setattr(ReviewApp, "run", lambda self, *a, **k: None)  # the app must not open at all
    carol = Annotation("d1", T1, "carol", "in_progress", {}, (q(T1, "NATO refused", "indirect"),)).to_dict()
    assert cli("import", write_jsonl(tmp_path / "c.jsonl", [carol]), "-d", "r", "--db", repo.db.url).exit_code == 0
    result = cli("review", "-d", "r", "--annotators", "alice,bob", "--as", "carol", "--db", repo.db.url)
    assert result.exit_code == 1 and result.stderr == (
        "Error: 'carol' has unfinished versions of 1 document(s) to review ('d1'): the review would replace them; "
        "store the review under another name (--as NAME)\n")
    (kept,) = repo.versions("r", annotator="carol", status=None)
    assert kept.status == "in_progress" and [x.text for x in kept.quotes] == ["NATO refused"]
