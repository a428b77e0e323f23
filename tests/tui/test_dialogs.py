"""Dialogs (pickers, confirmation, help, who said what) close once, whatever arrives at once: two Enters
in one burst (key repeat, a pasted name ending in a newline) take the choice once and leave the annotation
screen showing (a second close used to pop the screen underneath, leaving a blank screen)."""

from __future__ import annotations

import pytest

from annotator.db.repo import Repository
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.dialogs import ConfirmScreen, PickerScreen
from annotator.tui.screens.goto import DocumentPicker
from annotator.tui.screens.help import HelpScreen
from tests.tui.helpers import go_to, make_session, press_together, quit_app, settle, status_line

SIZE = (120, 40)


def actions(repo: Repository, version_id: int) -> list[str]:
    return [e["action"] for e in repo.events(version_id)]


@pytest.mark.parametrize("key, action", [("s", "set_speaker"), ("t", "set_stance")])
async def test_two_enters_in_a_picker_choose_once(sample_repo: Repository, key: str, action: str) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "quotes", "q1")
        await pilot.press(key)
        assert isinstance(app.screen, PickerScreen)
        if key == "s":
            await pilot.press(*"Someone New")  # a new name, as if pasted with its newline
        else:
            await pilot.press("down")  # another target than the current one
        await press_together(pilot, "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        assert "Document 1 of 5" in status_line(app)
        vid = session.state.version_id
        assert actions(sample_repo, vid).count(action) == 1
        assert session.state.status != "done"
        await quit_app(pilot)


async def test_two_enters_in_the_document_picker_open_the_document_once(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "down", "down")
        assert isinstance(app.screen, DocumentPicker)
        await press_together(pilot, "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        assert "Document 3 of 5" in status_line(app)
        assert session.state.status != "done"
        assert set(session.statuses.values()) <= {"new", "in_progress"}
        await quit_app(pilot)


async def test_confirm_and_help_close_once(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await press_together(pilot, "y", "y")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        assert actions(sample_repo, session.state.version_id).count("accept_all") == len(session.items)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press_together(pilot, "escape", "escape")
        assert isinstance(app.screen, AnnotateScreen)
        await pilot.press("w")
        await settle(pilot)
        await press_together(pilot, "escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        await quit_app(pilot)
