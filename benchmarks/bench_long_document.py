"""Peak memory of pre-annotating one very long article: parsed in bounded pieces (annotator.nlp.chunked).

The sample articles' paragraphs are repeated into one article of ``--mb`` megabytes (default 5) and
annotated in a fresh child process; its peak RSS (``ru_maxrss``) and the time are printed. The goal is
a peak RSS of at most 1.5 GB for 5 MB (parsed whole, the same article peaked at 15.1 GB).

    .venv/bin/python benchmarks/bench_long_document.py [--mb 5]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from annotator.nlp.pipeline import annotate, load_pipeline
text = open(sys.argv[2], encoding="utf-8").read()
nlp = load_pipeline()
((doc_id, ann, tokens),) = annotate(nlp, [(text, "long")])
print(len(text), len(tokens), len(ann.quotes), len(ann.claims))
"""


def long_article(megabytes: float) -> str:
    paragraphs = [p for f in sorted((ROOT / "sample_data").glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    out: list[str] = []
    size, i = 0, 0
    while size < megabytes * 1_000_000:
        out.append(paragraphs[i % len(paragraphs)])
        size += len(out[-1]) + 2
        i += 1
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0)
    args = parser.parse_args()
    path = Path("/tmp") / f"annotator-long-{args.mb}mb.txt"
    path.write_text(long_article(args.mb), encoding="utf-8")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(path)], capture_output=True, text=True,
                         check=True)
    seconds = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    chars, tokens, quotes, claims = map(int, out.stdout.split())
    print(f"{chars:,} characters, {tokens:,} tokens: {quotes:,} quotes, {claims:,} claims")
    print(f"peak RSS {peak_gb:.2f} GB (goal <= 1.5 GB), {seconds:.0f} s ({chars / seconds:,.0f} characters/s)")
    path.unlink()


if __name__ == "__main__":
    main()
