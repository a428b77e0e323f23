"""Export throughput: documents per second for each format, on 10,000 synthetic annotated documents.

Builds a temporary SQLite database with ``Repository.import_records`` (gold annotations by one
annotator, about 1,100 characters, 3 quotes with cue/speaker/stance and 2 claims per document), stores
a tokenization for every document (as ``preannotate`` does), then runs the real CLI commands
``export jsonl``, ``export prodigy`` and ``export docbin`` into files and prints documents per second.
A last run exports Prodigy tasks from documents *without* stored tokens (spaCy tokenizer fallback).

    .venv/bin/python benchmarks/bench_export.py [--docs 10000]

Goal: at least 5,000 documents per second for gold JSONL.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typer.testing import CliRunner  # noqa: E402

from annotator.cli import app  # noqa: E402
from annotator.db.engine import open_database  # noqa: E402
from annotator.records import ImportRecord  # noqa: E402
from annotator.db.repo import Repository  # noqa: E402
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention, Span, Stance  # noqa: E402

SPEAKERS = ("Antony Blinken", "Сергей Лавров", "Ann Linde", "Jens Stoltenberg")
JSONL_GOAL = 5_000


def synthetic(i: int) -> Annotation:
    parts: list[str] = [f"Report {i} from Stockholm — day {i % 31 + 1}. "]
    quotes, claims = [], []
    pos = len(parts[0])
    for k in range(3):
        name = SPEAKERS[(i + k) % len(SPEAKERS)]
        surname = name.split()[-1]
        quote = f"We call on Russia to withdraw its {1000 + i + k} troops and to talk, round {k} of the “dialogue” again"
        sentence = f"“{quote},” {surname} said. "
        q_start = pos + 1
        q_end = q_start + len(quote)
        s_start = q_end + 3
        s_end = s_start + len(surname)
        c_start = s_end + 1
        quotes.append(Quote(
            f"q{k + 1}", q_start, q_end, quote, "direct",
            cue=Span(c_start, c_start + 4, "said"),
            speaker=SpeakerMention(s_start, s_end, surname, name),
            stance=Stance("Russia", ("against", "favor", "neutral")[k]),
        ))
        parts.append(sentence)
        pos += len(sentence)
    filler = ("Officials said the talks would continue next week in Vienna, and that a further meeting "
              "was planned for the spring, after consultations with allies in Brussels and Warsaw. ") * 3
    for k in range(2):
        claim = f"About {100_000 + i * 7 + k} soldiers are stationed at the border."
        claims.append(Claim(f"c{k + 1}", pos, pos + len(claim), claim, checkworthy=True, speaker=None))
        parts.append(claim + " " + filler)
        pos += len(claim) + 1 + len(filler)
    text = "".join(parts)
    for q in quotes:
        assert text[q.start:q.end] == q.text and q.speaker and text[q.speaker.start:q.speaker.end] == q.speaker.text
    return Annotation(f"doc{i:05d}", text, "alice", "done", {"source": f"doc{i:05d}.txt"}, tuple(quotes), tuple(claims))


def build(url: str, n: int, tokens: bool) -> float:
    t0 = time.perf_counter()
    repo = Repository(open_database(url))
    anns = [synthetic(i) for i in range(n)]
    repo.import_records("bench", (ImportRecord(a.doc_id, a.text, a.meta, "bench", annotation=a) for a in anns))
    if tokens:
        store_tokens(repo, "bench")
    repo.db.dispose()
    return time.perf_counter() - t0


def store_tokens(repo: Repository, dataset: str) -> None:
    """Word/punctuation tokens for every document, stored as ``preannotate`` stores its tokenization."""
    run = repo.start_model_run(dataset, "whitespace", "1", {})
    batch: list[tuple[int, Annotation, list[tuple[int, int]]]] = []
    for doc in repo.iter_documents(dataset):
        batch.append((doc.id, Annotation(doc.ext_id, doc.text, "model"),
                      [m.span() for m in re.finditer(r"\w+|[^\w\s]", doc.text)]))
        if len(batch) == 1000:
            repo.add_suggestions(run, batch)
            batch = []
    if batch:
        repo.add_suggestions(run, batch)


def run_export(runner: CliRunner, url: str, fmt: str, out: Path, n: int) -> float:
    t0 = time.perf_counter()
    result = runner.invoke(app, ["export", fmt, "--dataset", "bench", "--db", url, "--out", str(out)],
                           catch_exceptions=False)
    elapsed = time.perf_counter() - t0
    assert result.exit_code == 0, result.output
    assert f"Wrote {n} " in result.stderr, result.stderr
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    n = args.docs
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        built = build(url, n, tokens=True)
        print(f"built {n} annotated documents (with stored tokens) in {built:.1f} s")
        rates = {}
        for fmt, suffix in (("jsonl", ".jsonl"), ("prodigy", ".prodigy.jsonl"), ("docbin", ".spacy")):
            out = Path(tmp) / f"out{suffix}"
            elapsed = run_export(runner, url, fmt, out, n)
            rates[fmt] = n / elapsed
            size = sum(p.stat().st_size for p in out.iterdir()) if out.is_dir() else out.stat().st_size
            print(f"export {fmt:8s} {n / elapsed:9,.0f} docs/s  ({elapsed:.2f} s, {size / 1e6:.1f} MB)")
        url2 = f"sqlite:///{Path(tmp) / 'bench-notok.db'}"
        build(url2, n, tokens=False)
        elapsed = run_export(runner, url2, "prodigy", Path(tmp) / "notok.jsonl", n)
        print(f"export prodigy  {n / elapsed:9,.0f} docs/s  ({elapsed:.2f} s) without stored tokens (spaCy tokenizer)")
        verdict = "ok" if rates["jsonl"] >= JSONL_GOAL else "BELOW GOAL"
        print(f"jsonl goal >= {JSONL_GOAL:,} docs/s: {verdict}")


if __name__ == "__main__":
    main()
