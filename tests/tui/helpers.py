"""UI test helpers: a database with model suggestions, driving the app (wait for saves, go to an item
by keys, select words), reading the screen."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Iterable

import pytest

from textual.pilot import Pilot

from annotator.db.engine import open_database
from annotator.records import ImportRecord
from annotator.db.repo import Repository
from annotator.scheme import Annotation, annotation_from_dict
from annotator.annotate.session import AnnotationSession, ItemKey, key_of
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "sample_data"
GOLD_FILE = ROOT / "tests" / "gold" / "sample_gold.jsonl"
DATASET = "news"


def gold_annotations() -> list[Annotation]:
    lines = GOLD_FILE.read_text(encoding="utf-8").splitlines()
    return [annotation_from_dict(json.loads(line)) for line in lines if line.strip()]


def build_repo(url: str, annotations: Iterable[Annotation], dataset: str = DATASET) -> Repository:
    """Import the texts of ``annotations`` and store their items as one model run's suggestions."""
    annotations = list(annotations)
    repo = Repository(open_database(url))
    repo.import_records(dataset, [ImportRecord(a.doc_id, a.text, {"source": f"{a.doc_id}.txt"}, "test")
                                  for a in annotations])
    run = repo.start_model_run(dataset, "hand-made", "1", {})
    repo.add_suggestions(run, [(repo.document_id(dataset, a.doc_id), a, None) for a in annotations])
    return repo


def pretend_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner's streams are not a terminal: let ``annotate``/``review`` start anyway (their apps'
    ``run`` is replaced by the test, or the command fails before it)."""
    monkeypatch.setattr("annotator.tui.run.terminal_problem", lambda *a, **k: None)


def fixed_clock() -> float:
    return 0.0


def make_session(repo: Repository, annotator: str = "alice", dataset: str = DATASET) -> AnnotationSession:
    return AnnotationSession(repo, dataset, annotator, clock=fixed_clock)


def screen_of(app: AnnotatorApp) -> AnnotateScreen:
    screens = [s for s in app.screen_stack if isinstance(s, AnnotateScreen)]
    assert screens, app.screen_stack
    return screens[0]


async def settle(pilot: Pilot, timeout: float = 10.0) -> None:
    """Wait until every queued decision has been handled and the screen redrawn."""
    app = pilot.app
    assert isinstance(app, AnnotatorApp)
    await pilot.pause()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while screen_of(app).pending:
        assert loop.time() < deadline, "decisions were not saved in time"
        await asyncio.sleep(0.01)
    await pilot.pause()


async def quit_app(pilot: Pilot, timeout: float = 10.0) -> None:
    """Press q and wait until the app exits by itself (after saving every queued decision)."""
    app = pilot.app
    await pilot.press("q")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not app._exit:
        assert loop.time() < deadline, "the app did not quit"
        await asyncio.sleep(0.01)


async def go_to(pilot: Pilot, layer: str, item_id: str) -> ItemKey:
    """Press j (or k, whichever is shorter) until the item is selected, as a user would."""
    app = pilot.app
    assert isinstance(app, AnnotatorApp)
    screen = screen_of(app)
    keys = [key_of(it, screen.version.version_id) for it in screen.items]
    target = next(k for k in keys if (k.layer, k.id) == (layer, item_id))
    here = keys.index(screen.selected) if screen.selected in keys else 0
    steps = (keys.index(target) - here) % len(keys)
    if steps <= len(keys) - steps:
        await pilot.press(*["j"] * steps)
    else:
        await pilot.press(*["k"] * (len(keys) - steps))
    assert screen.selected == target
    return target


async def select_words(pilot: Pilot, start: int, end: int) -> None:
    """Select mode by keyboard: v, move the cursor word by word to ``start``, re-anchor, extend to ``end``."""
    app = pilot.app
    assert isinstance(app, AnnotatorApp)
    await pilot.press("v")
    article = screen_of(app).article
    assert article.selecting
    tokens = article.tokens
    target_first = next(i for i, (s, e) in enumerate(tokens) if e > start)
    target_last = max(i for i, (s, e) in enumerate(tokens) if s < end)
    delta = target_first - article.cursor
    await pilot.press(*(["w"] * delta if delta > 0 else ["b"] * -delta))
    await pilot.press("space")
    await pilot.press(*(["w"] * (target_last - target_first)))
    assert article.selection() == (tokens[target_first][0], tokens[target_last][1])


def status_line(app: AnnotatorApp) -> str:
    return str(screen_of(app).query_one("#status").render())


def panel(app: AnnotatorApp) -> str:
    return str(screen_of(app).query_one("#item").render())


def speakers(app: AnnotatorApp) -> str:
    return str(screen_of(app).query_one("#speakers").render())


def article_lines(app: AnnotatorApp) -> list[str]:
    article = screen_of(app).article
    return [article.render_line(y).text for y in range(article.size.height)]


def notifications(app: AnnotatorApp) -> list[tuple[str, str]]:
    return [(n.severity, n.message) for n in app._notifications]


async def press_together(pilot: Pilot, *keys: str) -> None:
    """Keys in one burst, as a terminal delivers key repeat or a paste: all queued before any is handled
    (``pilot.press`` waits for the app to be idle after each key)."""
    from textual import events

    app = pilot.app
    for key in keys:
        char = {"enter": "\r", "escape": "\x1b", "space": " "}.get(key, key if len(key) == 1 else None)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()
    await pilot.pause()
