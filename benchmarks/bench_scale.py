"""Every command that reads a whole dataset, at growing corpus sizes: wall time, CPU time and peak RSS of
whole processes, in one table.

For each size N: writes a plain JSONL of N documents and a gold JSONL of 3 annotators' versions of N
documents (``bench_export.synthetic``: about 1,100 characters, 3 attributed quotes and 2 claims each; bob
and carol differ from alice in some stances, speakers, quote ends and claims), then runs the real CLI in a
fresh process per command under ``/usr/bin/time -v``:

- ``import`` of the plain file, ``import`` of the gold file (3N versions; the docs/s column counts
  documents);
- a stored tokenization for every document, as ``preannotate`` leaves it (library call, not timed);
- ``export jsonl|prodigy|docbin|doccano|label-studio --annotator alice`` (N documents each);
- ``agreement --json`` (3 annotators), ``speakers --json``, ``stats``;
- decision latency by document size (in this process, median of 30 decisions through
  ``AnnotationSession`` as the UI makes them): one document of the N-document dataset, and 100 kB and
  1 MB articles (``bench_decisions.long_article``) added to it.

    nice -n 10 .venv/bin/python benchmarks/bench_scale.py [--docs 1000,10000,50000] [--agreement-only]

Goals (issue 18): exports peak RSS < 500 MB at any size; jsonl >= 5,000 docs/s, prodigy >= 3,000, docbin
>= 1,000 at 10,000 documents (whole process, so start-up counts); agreement on 50,000 documents < 10 s and
< 1 GB; decision <= 5 ms median on a 1 MB article.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import store_tokens as tokenize, synthetic  # noqa: E402

from annotator.scheme import Annotation, Stance  # noqa: E402

ANNOTATOR = str(Path(sys.executable).with_name("annotator"))
EXPORTS = ("jsonl", "prodigy", "docbin", "doccano", "label-studio")
GOALS = {"export jsonl": 5_000, "export prodigy": 3_000, "export docbin": 1_000}
RSS_GOAL_MB = 500
AGREEMENT_GOAL = (10.0, 1024.0)  # seconds, MB at 50,000 documents
Row = tuple[int, str, float, float, float | None, str]


def versions_of(i: int) -> list[Annotation]:
    """alice's, bob's and carol's versions of document ``i``: bob gives the second quote another stance and
    leaves out the last claim; carol ends the third quote two words early and names another speaker."""
    alice = synthetic(i)
    q = list(alice.quotes)
    bob_quotes = list(q)
    stance = q[1].stance
    if i % 3 and stance is not None:
        bob_quotes[1] = replace(q[1], stance=Stance(stance.target, "favor" if stance.label != "favor" else "neutral"))
    bob = replace(alice, annotator="bob", quotes=tuple(bob_quotes), claims=alice.claims[: 1 + i % 2])
    carol_quotes = list(q)
    if i % 2:
        cut = q[2].text.rsplit(" ", 2)[0]
        carol_quotes[2] = replace(q[2], end=q[2].start + len(cut), text=cut)
    if i % 5 == 0 and q[0].speaker is not None:
        carol_quotes[0] = replace(q[0], speaker=replace(q[0].speaker, name="Sergei Lavrov"))
    carol = replace(alice, annotator="carol", quotes=tuple(carol_quotes))
    return [alice, bob, carol]


def write_inputs(folder: Path, n: int) -> tuple[Path, Path]:
    plain, gold = folder / f"plain{n}.jsonl", folder / f"gold{n}.jsonl"
    with plain.open("w", encoding="utf-8") as p, gold.open("w", encoding="utf-8") as g:
        for i in range(n):
            doc = synthetic(i)
            p.write(json.dumps({"id": doc.doc_id, "text": doc.text, "meta": doc.meta}, ensure_ascii=False) + "\n")
            for ann in versions_of(i):
                g.write(json.dumps(ann.to_dict(), ensure_ascii=False) + "\n")
    return plain, gold


def store_tokens(url: str, dataset: str) -> None:
    from annotator.db.engine import open_database
    from annotator.db.repo import Repository

    with Repository(open_database(url)) as repo:
        tokenize(repo, dataset)


def measure(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one CLI process."""
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", ANNOTATOR, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")

    def field(label: str) -> float:
        found = re.search(rf"{label}: ([\d.]+)", proc.stderr)
        assert found is not None, proc.stderr[-500:]
        return float(found.group(1))

    cpu = field(r"User time \(seconds\)") + field(r"System time \(seconds\)")
    return wall, cpu, field(r"Maximum resident set size \(kbytes\)") / 1024


def decision_latency(url: str, dataset: str) -> list[tuple[str, float, float]]:
    """(document, median wall ms, median CPU ms) of 30 decisions on a dataset document (alice's version) and
    on 100 kB and 1 MB articles added to the dataset (a new annotator's version of the model's suggestions)."""
    from annotator.annotate.session import AnnotationSession
    from annotator.db.engine import open_database
    from annotator.db.repo import Repository
    from bench_decisions import decisions, load, long_article

    repo = Repository(open_database(url))
    big = {label: replace(long_article(mb), doc_id=f"long-{label}") for label, mb in (("100 kB", 0.1), ("1 MB", 1.0))}
    load(repo, dataset, list(big.values()))
    names = {v: k for k, v in repo.document_names(dataset).items()}
    out = []
    for label, doc, who in (("1 kB", "doc00000", "alice"), *((lab, ann.doc_id, "dave") for lab, ann in big.items())):
        session = AnnotationSession(repo, dataset, who)  # alice's version has her items; dave starts from the model's
        session.open_document(names[doc])
        if not session.items:
            continue
        decisions(session, 5)  # warm up
        times = decisions(session, 30, seed=1)
        out.append((label, statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)))
    repo.close()
    return out


def run_size(tmp: Path, n: int) -> list[Row]:
    rows: list[Row] = []

    def cli(name: str, args: list[str], note: str = "") -> None:
        wall, cpu, rss = measure(args)
        rows.append((n, name, wall, cpu, rss, note))
        print(f"  {name:24s} {wall:8.2f} s  {rss:7.0f} MB", flush=True)

    plain, gold = write_inputs(tmp, n)
    url = f"sqlite:///{tmp / f'scale{n}.db'}"
    cli("import", ["import", str(plain), "-d", "plain", "--db", url])
    cli("import gold", ["import", str(gold), "-d", "bench", "--db", url], "3 versions per document")
    store_tokens(url, "bench")
    out = tmp / f"out{n}"
    out.mkdir(exist_ok=True)
    for fmt in EXPORTS:
        cli(f"export {fmt}", ["export", fmt, "-d", "bench", "--annotator", "alice", "--db", url,
                              "--out", str(out / f"bench.{fmt}")])
    cli("agreement", ["agreement", "-d", "bench", "--json", "--db", url], "3 annotators")
    cli("speakers", ["speakers", "-d", "bench", "--json", "--db", url])
    cli("stats", ["stats", "-d", "bench", "--db", url])
    for label, wall_ms, cpu_ms in decision_latency(url, "bench"):
        rows.append((n, f"decision ({label} document)", wall_ms / 1000, cpu_ms / 1000, None, "median of 30"))
        print(f"  decision {label:14s} {wall_ms:8.2f} ms", flush=True)
    return rows


def run_agreement(tmp: Path, n: int) -> list[Row]:
    """``--agreement-only``: the 3 annotators' versions stored through ``Repository.import_records`` (50,000
    documents in minutes; the CLI import of the gold file takes much longer), then ``agreement --json``,
    ``agreement --against alice`` and ``agreement --by-document`` as CLI processes."""
    from annotator.db.engine import open_database
    from annotator.db.repo import Repository
    from annotator.records import ImportRecord

    url = f"sqlite:///{tmp / f'agreement{n}.db'}"
    t0 = time.perf_counter()
    with Repository(open_database(url)) as repo:
        repo.import_records("bench", (ImportRecord(a.doc_id, a.text, a.meta, "bench", annotation=a)
                                      for i in range(n) for a in versions_of(i)))
    print(f"  stored {3 * n:,} versions in {time.perf_counter() - t0:.0f} s", flush=True)
    rows: list[Row] = []
    for name, extra in (("agreement", []), ("agreement --against", ["--against", "alice"]),
                        ("agreement --by-document", ["--by-document"])):
        wall, cpu, rss = measure(["agreement", "-d", "bench", "--json", "--db", url, *extra])
        rows.append((n, name, wall, cpu, rss, "3 annotators" if not extra else "bob, carol vs alice" if "--against" in extra else ""))
        print(f"  {name:24s} {wall:8.2f} s  {cpu:8.2f} s CPU  {rss:7.0f} MB", flush=True)
    return rows


def verdict(n: int, name: str, wall: float, rss: float | None) -> str:
    goal = []
    if name in GOALS:
        goal.append(f"≥ {GOALS[name]:,}/s: {'ok' if n / wall >= GOALS[name] else 'below'}")
    if name.startswith("export") and rss is not None:
        goal.append(f"< {RSS_GOAL_MB} MB: {'ok' if rss < RSS_GOAL_MB else 'over'}")
    if name == "agreement" and n >= 50_000 and rss is not None:
        ok = wall < AGREEMENT_GOAL[0] and rss < AGREEMENT_GOAL[1]
        goal.append(f"< 10 s, < 1 GB: {'ok' if ok else 'missed'}")
    if name.startswith("decision") and "1 MB" in name:
        goal.append(f"≤ 5 ms: {'ok' if wall * 1000 <= 5 else 'over'}")
    return "; ".join(goal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--agreement-only", action="store_true",
                        help="only agreement (the report, --against, --by-document), versions stored by the library")
    args = parser.parse_args()
    sizes = [int(x) for x in args.docs.split(",")]
    rows: list[Row] = []
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(f"{n:,} documents", flush=True)
            rows.extend(run_agreement(Path(tmp), n) if args.agreement_only else run_size(Path(tmp), n))
    print()
    print("| documents | command | wall | CPU | docs/s (wall) | peak RSS MB | note / goal |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for n, name, wall, cpu, rss, note in rows:
        if name.startswith("decision"):
            times, rate = f"{wall * 1000:.1f} ms | {cpu * 1000:.1f} ms", "—"
        else:
            times, rate = f"{wall:.2f} s | {cpu:.2f} s", f"{n / wall:,.0f}"
        text = "; ".join(t for t in (note, verdict(n, name, wall, rss)) if t)
        print(f"| {n:,} | {name} | {times} | {rate} | {'—' if rss is None else f'{rss:.0f}'} | {text} |")


if __name__ == "__main__":
    main()
