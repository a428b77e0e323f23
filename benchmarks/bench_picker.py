"""The `g` document picker on a large dataset: time to open it, and keypress-to-repaint while filtering.

Builds a temporary SQLite database with ``--docs`` documents (default 100,000) of about 3 kB each
(``Repository.import_records``), opens the real ``AnnotatorApp`` headless (``App.run_test``, 120x40)
and measures, as the user meets them:

- open: from sending ``g`` to the first screen update that shows the picker's rows, once with the list
  made in the background when the session started (as a user meets it), once with it not made yet (the
  screen comes up at once, the rows when read);
- keystroke: each typed character of a filter, from sending the key to the repaint that shows the
  narrowed list (every character of ``"doc0"``, ``"vienna"`` and ``"42"``, then as many backspaces).

The database is built once per run (100k documents take about a minute); ``--db PATH`` keeps it for
later runs.

    nice -n 10 .venv/bin/python benchmarks/bench_picker.py [--docs 100000] [--db /tmp/picker.db]

Goals: open < 300 ms, keystroke < 50 ms (median and p90).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events  # noqa: E402
from textual.widgets import Input  # noqa: E402

from annotator.annotate.session import AnnotationSession  # noqa: E402
from annotator.db.engine import open_database  # noqa: E402
from annotator.db.repo import Repository  # noqa: E402
from annotator.records import ImportRecord  # noqa: E402
from annotator.tui.app import AnnotatorApp  # noqa: E402
from annotator.tui.screens import goto  # noqa: E402
from annotator.tui.screens.goto import DocumentPicker  # noqa: E402
from annotator.tui.widgets.rows import RowList  # noqa: E402

OPEN_GOAL_MS = 300
KEY_GOAL_MS = 50
CITIES = ("Vienna", "Stockholm", "Brussels", "Warsaw", "Geneva", "Kyiv", "Moscow")
FILTERS = ("doc0", "vienna", "42")


def text(i: int) -> str:
    """About 3 kB of news-like text whose first words differ between documents."""
    city = CITIES[i % len(CITIES)]
    head = f"{city}, day {i % 31 + 1}: talks on troop number {i} resumed after a week of consultations. "
    body = (f"“We call on all sides to talk,” the minister said in {city}. Officials said the talks would "
            "continue next week, and that a further meeting was planned for the spring, after consultations "
            "with allies. ") * 12
    return head + body


def build(url: str, n: int) -> float:
    t0 = time.perf_counter()
    repo = Repository(open_database(url))
    repo.import_records("bench", (ImportRecord(f"doc{i:06d}", text(i), {}, "bench") for i in range(n)))
    repo.db.dispose()
    return time.perf_counter() - t0


async def measure(repo: Repository) -> dict[str, Any]:
    session = AnnotationSession(repo, "bench", "bench-user")
    app = AnnotatorApp(session)
    displays: list[float] = []
    picker_up: list[float] = []
    rows_drawn: list[float] = []
    original = app._display

    def display(screen, renderable):  # type: ignore[no-untyped-def]
        if renderable is not None:
            now = time.perf_counter()
            displays.append(now)
            if isinstance(screen, DocumentPicker):
                picker_up.append(now)
                if screen.row_list.shown:
                    rows_drawn.append(now)
        return original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        while len(session.doc_ids) >= goto.PREFETCH_FROM and goto._SESSION_ROWS.get(session) is None:
            await asyncio.sleep(0.005)  # made in the background when a large session starts
        prefetched = time.perf_counter() - started

        async def open_picker() -> tuple[float, float, float]:
            """(screen up, rows drawn, CPU s) from sending g."""
            picker_up.clear()
            rows_drawn.clear()
            cpu = time.process_time()
            start = time.perf_counter()
            app._driver.send_message(events.Key("g", "g"))  # type: ignore[union-attr]
            while not rows_drawn:
                await asyncio.sleep(0.0005)
            cpu = time.process_time() - cpu
            return picker_up[0] - start, rows_drawn[0] - start, cpu

        async def press(key: str, char: str | None) -> tuple[float, float]:
            """Send one key when the app is idle: (time until the last repaint it caused, CPU s). The input
            echoes the key first; the narrowed list is drawn after the filter ran."""
            await pilot.pause()
            await asyncio.sleep(0.05)
            cpu = time.process_time()
            start = time.perf_counter()
            app._driver.send_message(events.Key(key, char))  # type: ignore[union-attr]
            while not displays or displays[-1] < start:
                await asyncio.sleep(0.0005)
            await pilot.pause()
            await asyncio.sleep(0.1)  # a repaint is drawn at the next refresh after the handlers ran
            await pilot.pause()
            return displays[-1] - start, time.process_time() - cpu

        await pilot.pause()
        await asyncio.sleep(0.5)
        _, warm, warm_cpu = await open_picker()
        await pilot.press("escape")
        await pilot.pause()
        goto._SESSION_ROWS.clear()  # as if g came before the background load was done
        await asyncio.sleep(0.5)
        cold_up, cold, cold_cpu = await open_picker()
        assert isinstance(app.screen, DocumentPicker)
        app.screen.query_one(Input).cursor_blink = False  # no repaints but the ones the keys cause
        keys: list[float] = []
        keys_cpu: list[float] = []
        for word in FILTERS:
            for ch in [*word, *["backspace"] * len(word)]:
                took, cpu = await press(ch, None if ch == "backspace" else ch)
                keys.append(took)
                keys_cpu.append(cpu)
        shown = len(app.screen.query_one(RowList).shown)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
    return {"prefetched": prefetched, "warm": warm, "warm_cpu": warm_cpu, "cold_up": cold_up, "cold": cold,
            "cold_cpu": cold_cpu, "keys": keys, "keys_cpu": keys_cpu, "docs": len(session.doc_ids), "shown": shown}


def calibration() -> float:
    """CPU seconds of a fixed pure-Python loop: how fast the CPU was during this run (to compare runs)."""
    cpu = time.process_time()
    sum(range(10_000_000))
    return time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="keep the database here (built if missing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "picker.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            print(f"built {args.docs:,} documents in {build(url, args.docs):.1f} s")
        result = asyncio.run(measure(Repository(open_database(url))))
    ms = lambda s: s * 1000  # noqa: E731
    keys = [ms(k) for k in result["keys"]]
    keys_cpu = [ms(k) for k in result["keys_cpu"]]
    p90 = lambda xs: sorted(xs)[int(len(xs) * 0.9)]  # noqa: E731
    print(f"{result['docs']:,} documents, terminal 120x40, load average {os.getloadavg()[0]:.1f}, "
          f"calibration loop {ms(calibration()):.0f} ms CPU")
    print(f"background load of the list at start:       {ms(result['prefetched']):7.1f} ms")
    print(f"open (g -> rows drawn), list made already:  {ms(result['warm']):7.1f} ms  "
          f"(CPU {ms(result['warm_cpu']):.0f} ms)   goal < {OPEN_GOAL_MS} ms")
    print(f"open before the list was made: screen up {ms(result['cold_up']):7.1f} ms, rows drawn "
          f"{ms(result['cold']):7.1f} ms (CPU {ms(result['cold_cpu']):.0f} ms)")
    print(f"filter keystroke -> repaint: median {statistics.median(keys):6.1f} ms  p90 {p90(keys):6.1f} ms  "
          f"max {max(keys):6.1f} ms  ({len(keys)} keys; CPU median {statistics.median(keys_cpu):.1f} ms, "
          f"p90 {p90(keys_cpu):.1f} ms)   goal < {KEY_GOAL_MS} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
