"""The review screen driven by Textual's Pilot: take versions, adjust, save, resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.review import ReviewSession
from annotator.scheme import Annotation, Claim, Quote
from annotator.tui.review_app import ReviewApp
from tests.helpers import write_jsonl

T1 = "“Talks were useful,” Blinken said. Lavrov said NATO refused. [bold red]x[/] \x1b[31m"
T2 = "About 100,000 troops are there, Kyiv said."


def q(text: str, frag: str, kind: str, qid: str = "q1") -> Quote:
    s = text.index(frag)
    return Quote(qid, s, s + len(frag), frag, kind)


@pytest.fixture
def repo(sqlite_url: str, tmp_path: Path, cli) -> Repository:  # type: ignore[no-untyped-def]
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
        article = str(app.query_one("#article").render())
        assert "[bold red]x[/]" in article  # article text is data, shown literally
        await pilot.press("enter")  # unresolved: refused, nothing stored
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "gold" not in repo.annotators("r")
        await pilot.press("2", "enter")  # take bob's mixed quote, store d1
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Document 1 of 1: d2" in str(app.query_one("#status").render())
        await pilot.press("1", "{", "enter")  # alice's claim, end moved one word left
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Nothing left to review" in str(app.query_one("#status").render())
        await pilot.press("q")
    gold = {a.doc_id: a for a in repo.versions("r", annotator="gold")}
    assert [(x.text, x.kind) for x in gold["d1"].quotes] == [("Talks were useful", "direct"), ("NATO refused", "mixed")]
    assert gold["d2"].claims[0].text == "About 100,000 troops are"
    assert ReviewSession(repo, "r", ["alice", "bob"]).documents == []  # resumed: nothing left


def test_review_command_refuses_bad_annotator_lists(cli, repo: Repository) -> None:
    result = cli("review", "-d", "r", "--annotators", "alice", "--db", repo.db.url)
    assert result.exit_code == 1 and "at least two annotators" in result.stderr


async def test_enter_twice_while_saving_stores_each_document_once(repo: Repository, monkeypatch) -> None:
    import threading

    release = threading.Event()
    real_put = repo.put_version
    calls: list[str] = []

    def slow_put(dataset, ann, action="adjudicate"):  # type: ignore[no-untyped-def]
        calls.append(ann.doc_id)
        release.wait(5)
        return real_put(dataset, ann, action)

    monkeypatch.setattr(repo, "put_version", slow_put)
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "enter", "enter", "1")  # enter and a choice arrive while d1 is being saved
        await pilot.pause()
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls == ["d1"]
        assert "Document 1 of 1: d2" in str(app.query_one("#status").render())
        assert app.session.current.resolutions == {}  # the "1" pressed during the save was not taken
    assert [a.doc_id for a in repo.versions("r", annotator="gold")] == ["d1"]


async def test_a_failed_save_is_shown_and_the_document_stays(repo: Repository, monkeypatch) -> None:
    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repo, "put_version", broken)
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("not saved: disk on fire" in str(n.message) for n in app._notifications)
        assert "Document 1 of 2: d1" in str(app.query_one("#status").render())


async def test_review_panels_show_hostile_names_literally(sqlite_url: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
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
        assert "[link=x]Bob[/link] = evil\\x1b[31mname [b]x[/b]" in options
        assert "\x1b" not in options
        assert "[link=x]Bob[/link]" in str(app.query_one("#article").render())


async def test_review_article_shows_escape_sequences_as_symbols(repo: Repository) -> None:
    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)):
        article = str(app.query_one("#article").render())
        assert "\x1b" not in article and "␛[31m" in article


async def test_review_help_is_generated_from_the_bindings(repo: Repository) -> None:
    from annotator.tui.screens.help import HelpScreen

    app = ReviewApp(ReviewSession(repo, "r", ["alice", "bob"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from textual.geometry import Region

        widget = app.screen.query_one("#help-table")
        table = "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, widget.size.width, 60)))
        for b in ReviewApp.BINDINGS:
            assert b.description in table
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
