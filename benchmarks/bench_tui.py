"""Terminal UI responsiveness on a long article: time to open, keypress-to-repaint for ``j`` and ``a``.

Builds a temporary SQLite database with one synthetic 25 kB article and 300 suggested items (200
quotes with cue, speaker and stance, 100 claims; the claims add ⟦ ⟧ markers, so the display differs
from the source text), stores them as a model run, and runs the real ``AnnotatorApp`` headless
(``App.run_test``) at 120x40.

- open: from starting the app to the first screen update that shows the article (mount, CSS, layout,
  wrapping and the first paint);
- keypress-to-repaint: the key event is sent to the driver and the time is taken when the app hands
  the next screen update to the driver (``App._display``), i.e. the repaint that shows the result.
  For ``a`` two numbers: the immediate repaint (selection moved on, "saving") and the repaint after the
  decision was committed by the worker thread ("saved").

    .venv/bin/python benchmarks/bench_tui.py [--presses 40]

Goals: open < 150 ms, keypress-to-repaint < 20 ms (median).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events  # noqa: E402

from annotator.db.engine import open_database  # noqa: E402
from annotator.records import ImportRecord  # noqa: E402
from annotator.db.repo import Repository  # noqa: E402
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention, Span, Stance  # noqa: E402
from annotator.annotate.session import AnnotationSession  # noqa: E402
from annotator.tui.app import AnnotatorApp  # noqa: E402
from annotator.tui.screens.annotate import AnnotateScreen  # noqa: E402

OPEN_GOAL_MS = 150
KEY_GOAL_MS = 20
SPEAKERS = ("Antony Blinken", "Sergey Lavrov", "Ann Linde", "Jens Stoltenberg", "Zbigniew Rau")


def article(n_quotes: int = 200, n_claims: int = 100, filler: str = "") -> Annotation:
    """About 25 kB: a quote sentence with cue and speaker, every other one followed by a claim sentence
    (and ``filler`` after each, for sparser articles)."""
    parts: list[str] = []
    quotes: list[Quote] = []
    claims: list[Claim] = []
    pos = 0

    def add(s: str) -> int:
        nonlocal pos
        parts.append(s)
        start = pos
        pos += len(s)
        return start

    for i in range(n_quotes):
        speaker = SPEAKERS[i % len(SPEAKERS)]
        add("“")
        qs = add(f"We discussed the security of Europe and the open questions of topic {i} at length")
        qe = pos
        add(",” ")
        cs = add("said")
        add(" ")
        ss = add(speaker)
        add(". ")
        quotes.append(Quote(f"q{i + 1}", qs, qe, "".join(parts)[qs:qe], "direct", Span(cs, cs + 4, "said"),
                            SpeakerMention(ss, ss + len(speaker), speaker, speaker),
                            Stance("NATO", "neutral") if i % 3 == 0 else None))
        if i % 2 == 0 and len(claims) < n_claims:
            c0 = add(f"About {1000 + i} troops were counted near the border")
            claims.append(Claim(f"c{len(claims) + 1}", c0, pos, "".join(parts)[c0:pos]))
            add(". ")
        add(filler)
        if i % 6 == 5:
            add("\n\n")
    text = "".join(parts)
    quotes = [Quote(q.id, q.start, q.end, text[q.start:q.end], q.kind, q.cue, q.speaker, q.stance) for q in quotes]
    return Annotation("long", text, "model", "done", {}, tuple(quotes), tuple(claims))


def build(url: str) -> tuple[Repository, Annotation]:
    repo = Repository(open_database(url))
    ann = article()
    repo.import_records("bench", [ImportRecord(ann.doc_id, ann.text, {}, "bench")])
    run = repo.start_model_run("bench", "synthetic", "1", {})
    repo.add_suggestions(run, [(repo.document_id("bench", "long"), ann, None)])
    return repo, ann


async def measure(repo: Repository, presses: int) -> dict[str, float | list[float]]:
    session = AnnotationSession(repo, "bench", "bench-user")
    app = AnnotatorApp(session)
    displays: list[float] = []
    first_paint: list[float] = []
    seen = asyncio.Event()
    original = app._display

    def display(screen, renderable):  # type: ignore[no-untyped-def]
        if renderable is not None:
            now = time.perf_counter()
            displays.append(now)
            if not first_paint and isinstance(screen, AnnotateScreen) and screen.article.wrapped is not None:
                first_paint.append(now)  # the first update drawn after the article was wrapped
            seen.set()
        return original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    handled: list[float] = []
    on_saved = AnnotateScreen.on_decision_saved

    def saved(self, message):  # type: ignore[no-untyped-def]
        on_saved(self, message)
        handled.append(time.perf_counter())

    AnnotateScreen.on_decision_saved = saved  # type: ignore[method-assign]
    t0 = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        while not first_paint:
            await asyncio.sleep(0.001)
        opened = first_paint[0] - t0
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await pilot.pause()

        async def press(key: str) -> tuple[float, float]:
            """Send one key when the app is idle; returns (time sent, time until the next repaint)."""
            await pilot.pause()
            await asyncio.sleep(0.02)
            seen.clear()
            start = time.perf_counter()
            app._driver.send_message(events.Key(key, key))  # type: ignore[union-attr]
            await seen.wait()
            return start, displays[-1] - start

        j_times = [(await press("j"))[1] for _ in range(presses)]
        for _ in range(presses):
            await press("k")
        a_times: list[float] = []
        a_saved: list[float] = []
        for _ in range(presses):
            start, took = await press("a")
            a_times.append(took)
            while screen.pending:
                await asyncio.sleep(0.0005)
            while not displays or displays[-1] < handled[-1]:
                await asyncio.sleep(0.0005)
            a_saved.append(min(d for d in displays if d > handled[-1]) - start)
        await pilot.press("q")
    return {"open": opened, "j": j_times, "a": a_times, "a_saved": a_saved,
            "items": len(session.items), "chars": len(session.state.document.text)}  # type: ignore[union-attr]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo, ann = build(f"sqlite:///{tmp}/bench.db")
        result = asyncio.run(measure(repo, args.presses))
    ms = lambda s: s * 1000  # noqa: E731
    print(f"article: {result['chars']:,} characters, {result['items']} items "
          f"({len(ann.quotes)} quotes with cue+speaker, {len(ann.claims)} claims), terminal 120x40")
    print(f"open (mount + first paint):   {ms(result['open']):7.1f} ms   goal < {OPEN_GOAL_MS} ms")
    for key, label in (("j", "j  keypress -> repaint"), ("a", "a  keypress -> repaint"),
                       ("a_saved", "a  keypress -> saved + repaint")):
        times = [ms(t) for t in result[key]]  # type: ignore[union-attr]
        goal = f"goal < {KEY_GOAL_MS} ms" if key != "a_saved" else "(database commit in the worker thread)"
        print(f"{label:<30} median {statistics.median(times):6.1f} ms  p90 {sorted(times)[int(len(times) * 0.9)]:6.1f} ms"
              f"   {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
