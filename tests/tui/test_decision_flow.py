"""Decisions travel one way: a key queues a decision on the worker thread, the worker posts the version
after it back in ``DecisionSaved``, and only then does the screen change (on the UI thread, from that
version). So what the screen shows always agrees with its save indicator, however slow the disk."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from annotator.annotate.session import ItemKey, item_of
from annotator.db.repo import Repository
from annotator.records import DocumentVersion
from annotator.tui.app import AnnotatorApp
from annotator.tui.messages import DecisionSaved
from annotator.tui.screens.annotate import AnnotateScreen
from tests.tui.helpers import make_session, panel, press_together, quit_app, screen_of, settle, status_line

SIZE = (120, 40)
STATUS = f"{'status':<9}"  # how the panel labels a field


async def wait_for(event: threading.Event, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not event.is_set():
        assert loop.time() < deadline, "the decision worker did not get there in time"
        await asyncio.sleep(0.01)


async def test_the_screen_draws_the_version_the_worker_sends_and_nothing_before(
        sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    session = make_session(sample_repo)
    stored, release = threading.Event(), threading.Event()
    real_accept = session.accept

    def accept_then_wait(key: ItemKey | None = None) -> DocumentVersion:
        state = real_accept(key)  # committed; the worker has not reported it yet
        stored.set()
        assert release.wait(10)
        return state

    monkeypatch.setattr(session, "accept", accept_then_wait)
    received: list[DecisionSaved] = []
    real_handler = AnnotateScreen.on_decision_saved

    def spy(self: AnnotateScreen, message: DecisionSaved) -> None:
        received.append(message)
        real_handler(self, message)

    monkeypatch.setattr(AnnotateScreen, "on_decision_saved", spy)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        q1 = screen.selected
        assert q1 is not None and STATUS + "suggested" in panel(app)
        await pilot.press("a")  # accept q1; the selection moves on to the next item
        await wait_for(stored)
        await pilot.press("k")  # back to q1 while the worker still holds the result
        assert screen.selected == q1
        assert item_of(sample_repo.get_version(q1.version_id), q1).status == "accepted"  # in the database ...
        assert STATUS + "suggested" in panel(app)  # ... not reported yet: the screen shows the version before
        assert "saving (1)" in status_line(app) and "items decided 0/20" in status_line(app)
        release.set()
        await settle(pilot)
        assert [m.description for m in received] == ["accept"]
        sent = received[0].version
        assert sent is not None and sent == sample_repo.get_version(q1.version_id)
        assert screen.version is sent  # drawn from the message, not read back from the session
        assert STATUS + "accepted" in panel(app)
        assert "✓ saved" in status_line(app) and "items decided 1/20" in status_line(app)
        await quit_app(pilot)


async def test_rapid_keys_during_slow_saves_render_one_consistent_document(
        sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    """"n" then "a" at once, behind a slow disk: done opens the next document, and the accept pressed on the
    old one is stored there but never brings it back on screen; the panel, the status line and the
    article always show the same version."""
    session = make_session(sample_repo)
    for name in ("update_item", "update_items"):
        real = getattr(sample_repo, name)

        def slow(*args: object, _real: object = real, **kwargs: object) -> object:
            time.sleep(0.3)
            return _real(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(sample_repo, name, slow)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        first = screen.version
        await press_together(pilot, "a", "x", "n", "a")  # the second "a" is still for the first document
        assert screen.pending == 4
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while screen.pending:
            assert loop.time() < deadline
            shown = screen.version
            assert screen.article.doc_key == shown.version_id  # the article shows the version drawn
            assert shown.document.ext_id in status_line(app)
            await asyncio.sleep(0.02)
        await settle(pilot)
        assert screen.version.document.id != first.document.id  # on the next document, and it stays there
        assert "Document 2 of 5" in status_line(app)
        stored = sample_repo.get_version(first.version_id)
        assert stored.status == "done"
        actions = [e["action"] for e in sample_repo.events(first.version_id)]
        assert actions[:3] == ["open", "accept", "reject"] and actions[-1] == "accept"  # the late one is stored
        await quit_app(pilot)
