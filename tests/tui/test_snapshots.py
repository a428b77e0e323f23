"""What the screens look like (pytest-textual-snapshot): fixed size, fixed clock, no blinking cursor.

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look
at the SVGs in ``__snapshots__``.
"""

from __future__ import annotations

from typing import Callable

import pytest
from textual.pilot import Pilot

from annotator.db.repo import Repository
from annotator.tui.app import AnnotatorApp
from tests.tui.helpers import make_session, settle

SIZE = (120, 36)


@pytest.fixture
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


async def _ready(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("j", "j", "j")  # a quote with cue, speaker and stance selected
    await settle(pilot)


def test_main_screen(snap_compare: Callable[..., bool], sample_repo: Repository, colour: None) -> None:
    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=SIZE, run_before=_ready)


def test_main_screen_without_colour(snap_compare: Callable[..., bool], sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=SIZE, run_before=_ready)


def test_select_mode(snap_compare: Callable[..., bool], sample_repo: Repository, colour: None) -> None:
    async def select(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("v", "w", "w", "w")

    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=SIZE, run_before=select)


def test_help_screen(snap_compare: Callable[..., bool], sample_repo: Repository, colour: None) -> None:
    async def help_(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=(120, 50), run_before=help_)


SMALL = (80, 24)


def test_main_screen_at_80x24(snap_compare: Callable[..., bool], sample_repo: Repository, colour: None) -> None:
    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=SMALL, run_before=_ready)


def test_main_screen_at_80x24_without_colour(snap_compare: Callable[..., bool], sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=SMALL, run_before=_ready)


def test_main_screen_at_200x50(snap_compare: Callable[..., bool], sample_repo: Repository, colour: None) -> None:
    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=(200, 50), run_before=_ready)


def test_search_line_at_80x24(snap_compare: Callable[..., bool], sample_repo: Repository, colour: None) -> None:
    async def search(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("slash", *"Lavrov")
        await pilot.pause()

    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=SMALL, run_before=search)


def test_search_match_in_select_mode_at_200x50(snap_compare: Callable[..., bool], sample_repo: Repository, colour: None) -> None:
    async def search(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("slash", *"Lavrov", "enter", "n", "E")
        await pilot.pause()

    assert snap_compare(AnnotatorApp(make_session(sample_repo)), terminal_size=(200, 50), run_before=search)
