"""Import speed: gold JSONL and plain JSONL through the library path `annotator import` takes (read,
validate, stage, store in one transaction), against a stdlib baseline (``json.loads`` per line and
``sqlite3`` ``executemany`` of (id, text, meta) in one transaction).

Documents are ``bench_export.synthetic`` (about 1,100 characters, 3 attributed quotes and 2 claims each).

    .venv/bin/python benchmarks/bench_import.py [--docs 5000] [--backends sqlite,postgresql] [--repeat 3]

Each measurement is the median of ``--repeat`` runs, the baseline's runs interleaved with ours (the machine
is shared: a single run moved the plain ratio by +-0.5x).

Goals (issue 18 item 4): gold import >= 1,000 docs/s; plain import within 3x the stdlib baseline.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import synthetic  # noqa: E402

from annotator.db.engine import open_database  # noqa: E402
from annotator.db.repo import Repository  # noqa: E402
from annotator.io.gold import gold_line  # noqa: E402
from annotator.io.readers import read_any  # noqa: E402

GOLD_GOAL = 1_000
PLAIN_RATIO_GOAL = 3.0


def write_files(folder: Path, n: int) -> tuple[Path, Path]:
    gold, plain = folder / "gold.jsonl", folder / "plain.jsonl"
    with gold.open("w", encoding="utf-8") as g, plain.open("w", encoding="utf-8") as p:
        for i in range(n):
            ann = synthetic(i)
            g.write(gold_line(ann) + "\n")
            p.write(json.dumps({"id": ann.doc_id, "text": ann.text, "meta": dict(ann.meta)}, ensure_ascii=False) + "\n")
    return gold, plain


def baseline(path: Path, db: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for the stdlib: parse every line, insert (id, text, meta) in one transaction."""
    t0, c0 = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, ext_id TEXT UNIQUE, text TEXT, meta TEXT)")

    def rows() -> Iterator[tuple[str, str, str]]:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                yield obj["id"], obj["text"], json.dumps(obj.get("meta") or {})

    with conn:
        conn.executemany("INSERT INTO docs (ext_id, text, meta) VALUES (?, ?, ?)", rows())
    conn.close()
    return time.perf_counter() - t0, time.process_time() - c0


def ours(url: str, path: Path) -> tuple[float, float]:
    """(wall, CPU of this process) seconds for the library import (as `annotator import` runs it, without
    the progress bar). The machine is shared: CPU time is what the import costs, wall time includes waiting."""
    t0, c0 = time.perf_counter(), time.process_time()
    repo = Repository(open_database(url))
    result = repo.import_records("bench", read_any([path])(None))
    repo.close()
    assert result.added > 0
    return time.perf_counter() - t0, time.process_time() - c0


def backends(names: list[str], tmp: Path) -> Iterator[tuple[str, Callable[[str], str], Callable[[], None]]]:
    for name in names:
        if name == "sqlite":
            yield name, lambda tag: f"sqlite:///{tmp}/{tag}.db", lambda: None
        else:
            sys.path.insert(0, str(ROOT))
            from tests.pg import PostgresServer

            server = PostgresServer().start()
            try:
                yield name, lambda _tag: server.create_database(), server.stop
            except BaseException:
                server.stop()
                raise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.docs

    def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        gold, plain = write_files(tmp, n)
        base_runs: list[tuple[float, float]] = []
        results: list[tuple[str, tuple[float, float], tuple[float, float]]] = []
        for name, url, stop in backends(args.backends.split(","), tmp):
            gold_runs, plain_runs = [], []
            try:
                for r in range(args.repeat):
                    base_runs.append(baseline(plain, tmp / f"baseline-{name}-{r}.db"))
                    gold_runs.append(ours(url(f"gold{r}"), gold))
                    plain_runs.append(ours(url(f"plain{r}"), plain))
            finally:
                stop()
            results.append((name, median(gold_runs), median(plain_runs)))
        base, base_cpu = median(base_runs)
        print(f"{n:,} documents (wall s / CPU s of this process, median of {args.repeat} runs; docs/s by CPU)")
        print(f"stdlib json+sqlite3 baseline, plain: {base:6.2f} / {base_cpu:6.2f}  = {n / base_cpu:7,.0f} docs/s")
        for name, (t_gold, c_gold), (t_plain, c_plain) in results:
            print(f"[{name}] gold import:  {t_gold:6.2f} / {c_gold:6.2f}  = {n / c_gold:7,.0f} docs/s   goal >= {GOLD_GOAL:,}")
            print(f"[{name}] plain import: {t_plain:6.2f} / {c_plain:6.2f}  = {n / c_plain:7,.0f} docs/s = "
                  f"{c_plain / base_cpu:4.1f}x the baseline's CPU   goal <= {PLAIN_RATIO_GOAL:g}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
