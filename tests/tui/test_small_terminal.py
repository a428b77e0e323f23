"""An 80x24 terminal: the saved indicator, the timer and the mode are never cut off, and the article keeps
most of the width (the side panel narrows)."""

from __future__ import annotations

from annotator.db.repo import Repository
from annotator.tui.app import AnnotatorApp
from tests.tui.helpers import make_session, quit_app, screen_of, settle, status_line


async def test_at_80x24_the_status_line_keeps_time_saved_state_and_mode(sample_repo: Repository) -> None:
    app = AnnotatorApp(make_session(sample_repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = status_line(app)
        assert line.rstrip().endswith("time 0:00  ✓ saved") and "Document 1 of 5" in line
        assert "…" in line  # the rest of the left part is cut, not the right
        await pilot.press("v")
        assert status_line(app).rstrip().endswith("✓ saved  SELECT MODE")
        await pilot.press("escape")
        article = screen_of(app).article
        assert article.size.width >= 46  # the side panel narrowed (42 columns left the article 34)
        assert screen_of(app).query_one("#side").size.width < 42
        await quit_app(pilot)


async def test_on_a_wide_terminal_the_status_line_is_whole(sample_repo: Repository) -> None:
    app = AnnotatorApp(make_session(sample_repo))
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        line = status_line(app)
        assert "…" not in line and "items decided 0/20  done 0/5" in line and "✓ saved" in line
        assert screen_of(app).query_one("#side").size.width == 42
        await quit_app(pilot)
