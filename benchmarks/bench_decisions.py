"""Cost of one annotation decision as documents and their histories grow, and of ``enter`` (accept the
remaining items and mark done), on SQLite and on a throwaway PostgreSQL.

A decision goes through ``AnnotationSession`` as the UI's decision worker runs it: the pure edit rule
applied by ``Repository.update_item`` to the latest stored item under the version's row lock, the item and
its event written in one transaction, the new ``DocumentVersion`` returned.

- decision, 1 MB article: a synthetic article of ``--mb`` MB (``bench_tui``'s quote sentences with cue,
  speaker and stance and its claims, with filler sentences between them: about one item per 200
  characters, ~4,950 items), alternating accept and reject on random items;
- decision after 10 and after 10,000 events on the 25 kB, 300-item article of ``bench_tui.py``: the
  events are real decisions made first;
- enter on a fresh 300-item article: 300 accepted items and the status, one transaction.

    .venv/bin/python benchmarks/bench_decisions.py [--mb 1] [--events 10000] [--backends sqlite,postgresql]

Goals (issue 18 item 1): decision <= 5 ms median at 1 MB and after 10,000 events; enter <= 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.annotate import edits  # noqa: E402
from annotator.annotate.session import AnnotationSession, ItemKey  # noqa: E402
from annotator.db.engine import open_database  # noqa: E402
from annotator.db.repo import Repository  # noqa: E402
from annotator.records import ImportRecord  # noqa: E402
from annotator.scheme import Annotation  # noqa: E402
from benchmarks.bench_tui import article as article_300  # noqa: E402

DECISION_GOAL_MS = 5.0
ENTER_GOAL_MS = 100.0
FILLER = ("The meeting in Stockholm lasted about an hour and took place on the sidelines of the OSCE "
          "ministerial conference, where both delegations also met their European counterparts. ")


def long_article(megabytes: float) -> Annotation:
    """About ``megabytes`` MB: ``bench_tui``'s quote and claim sentences with filler sentences between them
    (about one item per 200 characters)."""
    per_quote = len(article_300(20, 10, FILLER).text) / 20
    n = int(megabytes * 1_000_000 / per_quote)
    return article_300(n, n // 2, FILLER)


def load(repo: Repository, dataset: str, anns: list[Annotation]) -> None:
    repo.import_records(dataset, [ImportRecord(a.doc_id, a.text, {}, "bench") for a in anns])
    run = repo.start_model_run(dataset, "synthetic", "1", {})
    repo.add_suggestions(run, [(repo.document_id(dataset, a.doc_id), a, None) for a in anns])


Times = list[tuple[float, float]]


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds of ``fn()``. The shared machine is often loaded: CPU time (this process
    only) says what the code costs, wall time what a user waited."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def decisions(session: AnnotationSession, n: int, seed: int = 0) -> Times:
    """``n`` decisions on random items of the open document, alternating accept and reject."""
    rng = random.Random(seed)
    times: Times = []
    for i in range(n):
        assert session.state is not None
        items = session.items
        key = session.key(items[rng.randrange(len(items))])
        times.append(timed(lambda: session.accept(key) if i % 2 else session.reject(key)))
    return times


def history(repo: Repository, key: ItemKey, events: int) -> None:
    """``events`` real decisions on one item (reject, accept, ...), as fast as the repository takes them."""
    for i in range(events):
        action = "accept" if i % 2 else "reject"
        repo.update_item(key.version_id, key.layer, key.id, getattr(edits, action), action)


def backend_urls(names: list[str], tmp: str) -> Iterator[tuple[str, str, Callable[[], None]]]:
    for name in names:
        if name == "sqlite":
            yield name, f"sqlite:///{tmp}/bench.db", lambda: None
        else:
            from tests.pg import PostgresServer

            server = PostgresServer().start()
            try:
                yield name, server.create_database(), server.stop
            except BaseException:
                server.stop()
                raise


def run(url: str, megabytes: float, n_events: int, n: int) -> dict[str, object]:
    repo = Repository(open_database(url))
    big = long_article(megabytes)
    small = article_300()
    fresh = [Annotation(f"fresh{i}", small.text + f" ({i})", "model", "done", {}, small.quotes, small.claims)
             for i in range(6)]
    history_doc = Annotation("history", small.text + " (h)", "model", "done", {}, small.quotes, small.claims)
    load(repo, "bench", [big, history_doc, *fresh])
    ids = repo.document_names("bench")
    by_name = {v: k for k, v in ids.items()}
    out: dict[str, object] = {"chars": len(big.text), "items": len(big.quotes) + len(big.claims)}

    session = AnnotationSession(repo, "bench", "alice")
    session.open_document(by_name["long"])
    decisions(session, 5)  # warm up
    out["big"] = decisions(session, n)

    session.open_document(by_name["history"])
    out["after_10"] = decisions(session, n, seed=1)
    assert session.state is not None
    key = session.key(session.items[0])
    t0 = time.perf_counter()
    history(repo, key, n_events)
    out["history_s"] = time.perf_counter() - t0
    out["after_many"] = decisions(session, n, seed=2)
    out["events"] = len(repo.events(session.state.version_id))

    enter: Times = []
    for i in range(6):
        session.open_document(by_name[f"fresh{i}"])
        vid = session.state.version_id
        enter.append(timed(lambda: session.accept_all_remaining(vid, action="done", status="done")))
        assert repo.get_version(vid).status == "done"
    out["enter"] = enter[1:]  # the first one warms up
    repo.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, stop in backend_urls(args.backends.split(","), tmp):
            try:
                r = run(url, args.mb, args.events, args.decisions)
            finally:
                stop()
            print(f"[{name}] median wall ms / CPU ms of this process")
            rows = [
                (f"decision, {r['chars']:,} chars, {r['items']:,} items", r["big"], DECISION_GOAL_MS),
                ("decision, 300 items, after ~10 events", r["after_10"], None),
                (f"decision, 300 items, after {r['events']:,} events", r["after_many"], DECISION_GOAL_MS),
                ("enter, 300 items (one transaction)", r["enter"], ENTER_GOAL_MS),
            ]
            for label, times, goal in rows:
                assert isinstance(times, list)
                wall = statistics.median(t for t, _ in times)
                cpu = statistics.median(c for _, c in times)
                print(f"  {label:<48} {wall:7.2f} / {cpu:6.2f}" + (f"   goal <= {goal:g} ms" if goal else ""))
            print(f"  ({r['history_s']:.1f} s to make the history of {r['events']:,} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
