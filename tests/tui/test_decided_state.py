"""Where the annotator stands, visible without colour: a mark after every decided item, a key to the next
undecided item, a document reopened where it was left, and undo / redo showing what they changed."""

from __future__ import annotations

import pytest

from annotator.db.repo import Repository
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.article import DECISION_MARKS
from tests.tui.helpers import (
    article_lines,
    go_to,
    make_session,
    notifications,
    quit_app,
    screen_of,
    select_words,
    settle,
)

SIZE = (120, 40)


def shown(app: AnnotatorApp) -> str:
    return " ".join(line.rstrip() for line in article_lines(app))


def tail(text: str, words: int = 2) -> str:
    return " ".join(text.split()[-words:])


async def test_each_decision_leaves_a_mark_after_its_item(sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "quotes", "q1")
        q1 = screen_of(app).selected_item
        assert f"{tail(q1.text)}{DECISION_MARKS['accepted']}" not in shown(app)  # a suggestion has no mark
        await pilot.press("a")  # accept q1; the selection moves on to claim c2
        c2 = screen_of(app).selected_item
        await pilot.press("x")
        await go_to(pilot, "quotes", "q4")
        await pilot.press("left_curly_bracket")  # q4's end one word left: edited
        await settle(pilot)
        q4 = screen_of(app).selected_item
        await go_to(pilot, "quotes", "q3")
        q3 = screen_of(app).selected_item
        await pilot.press("x")
        await settle(pilot)
        await go_to(pilot, "quotes", "q3")
        await select_words(pilot, q3.start, q3.end)
        await pilot.press("q")  # a quote added on the words of the rejected q3
        await settle(pilot)
        text = shown(app)
        assert f"{tail(q1.text)}{DECISION_MARKS['accepted']}" in text
        assert f"{tail(c2.text)}⟧{DECISION_MARKS['rejected']}" in text  # after the claim's closing bracket
        assert f"{tail(q4.text)}{DECISION_MARKS['edited']}" in text
        assert f"{tail(q3.text)}{DECISION_MARKS['rejected']}{DECISION_MARKS['added']}" in text
        # offsets are unchanged by the marks: a click on q4's last word still selects q4
        article = screen_of(app).article
        lay = article.wrapped
        disp = lay.to_display(q4.end - 1)
        row = lay.line_of(disp) - article.scroll_offset.y
        col = disp - lay.lines[lay.line_of(disp)][0]
        gx, gy = article.gutter.top_left
        await pilot.click(type(article), offset=(col + gx, row + gy))
        await pilot.pause()
        assert screen_of(app).selected_item.id == "q4"
        await quit_app(pilot)


async def test_shift_j_and_k_go_to_the_next_and_previous_undecided_item(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = [it.id for it in session.items]
        await pilot.press("a", "a", "a")  # the first three items decided; the selection is on the fourth
        await settle(pilot)
        await pilot.press("k", "k", "k")  # back to the first (decided) item
        assert screen_of(app).selected.id == ids[0]
        await pilot.press("J")
        assert screen_of(app).selected.id == ids[3]
        await pilot.press("K")  # wraps around to the last item: undecided
        assert screen_of(app).selected.id == ids[-1]
        await pilot.press("A", "y")
        await settle(pilot)
        await pilot.press("J")
        assert any("Every item of this document is decided" in m for _, m in notifications(app))
        await quit_app(pilot)


async def test_a_document_reopens_on_the_item_where_it_was_left(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "quotes", "q6")
        await pilot.press("g", "down", "enter")  # to document 2 ...
        await settle(pilot)
        assert session.state.document.ext_id.startswith("001_")
        await pilot.press("g", "up", "enter")  # ... and back: q6 is selected again
        await settle(pilot)
        assert (screen_of(app).selected.layer, screen_of(app).selected.id) == ("quotes", "q6")
        await go_to(pilot, "quotes", "q8")
        await pilot.press("x")  # the last decision of this session on document 1
        await settle(pilot)
        await quit_app(pilot)
    later = make_session(sample_repo)  # a new session (a restart): the last decision's item
    resumed = later.last_decided(later.state.version_id)
    assert resumed is not None and (resumed.layer, resumed.id) == ("quotes", "q8")


async def test_undo_and_redo_select_show_and_say_what_they_changed(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=(80, 16)) as pilot:  # a short window: the article must scroll
        await settle(pilot)
        await go_to(pilot, "quotes", "q1")
        await pilot.press("a")
        await settle(pilot)
        await go_to(pilot, "quotes", "q10")  # far down the article
        article = screen_of(app).article
        assert article.scroll_offset.y > 0
        await pilot.press("u")
        await settle(pilot)
        assert (screen_of(app).selected.layer, screen_of(app).selected.id) == ("quotes", "q1")
        q1 = screen_of(app).selected_item
        rows = article._lines_of(q1.start, q1.end)
        top = article.scroll_offset.y
        assert top <= rows.start and rows.stop <= top + article.size.height  # scrolled into view
        assert ("information", "undo: quote q1: accepted → suggested") in notifications(app)
        await go_to(pilot, "quotes", "q10")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen_of(app).selected.id == "q1" and screen_of(app).selected_item.status == "accepted"
        assert ("information", "redo: quote q1: suggested → accepted") in notifications(app)
        await pilot.press("ctrl+r")  # nothing left to redo: said so
        await settle(pilot)
        assert ("information", "nothing to redo") in notifications(app)
        await quit_app(pilot)
