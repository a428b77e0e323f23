"""Pre-annotation speed: our annotate() vs bare ``nlp.pipe`` of the same base model, and 2 processes vs 1.

The five sample articles are replicated to about 200 documents. One run, numbers printed; the goal is an
annotate/bare ratio of at most 1.15 (the rule components add little over the parse).

    .venv/bin/python benchmarks/bench_preannotate.py [--docs 200] [--batch-size 32]
    .venv/bin/python benchmarks/bench_preannotate.py --per-component [--docs 20]

``--per-component`` runs the pipeline one component at a time over all documents and prints each one's CPU
time (process time, the better of two runs) against the base spaCy components': steadier than wall-clock
ratios on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from annotator.nlp.pipeline import annotate, load_pipeline, model_info  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--per-component", action="store_true", help="CPU time of each component")
    args = parser.parse_args()
    if args.per_component:
        per_component(args.docs, args.batch_size)
        return
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sample_data").glob("*.txt"))]
    texts = [samples[i % len(samples)] for i in range(args.docs)]
    items = [(t, f"d{i}") for i, t in enumerate(texts)]
    nlp = load_pipeline()
    name, version = model_info(nlp)
    bare = spacy.load(name)
    n_chars = sum(map(len, texts))
    print(f"model {name} {version}; {len(texts)} docs, {n_chars:,} characters; batch size {args.batch_size}")
    # warm up both pipelines
    list(bare.pipe(texts[:5]))
    list(annotate(nlp, items[:5]))

    t0 = time.perf_counter()
    for _doc in bare.pipe(texts, batch_size=args.batch_size):
        pass
    t_bare = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_quotes = sum(len(a.quotes) for _i, a, _t in annotate(nlp, items, batch_size=args.batch_size))
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_quotes2 = sum(len(a.quotes) for _i, a, _t in annotate(nlp, items, batch_size=args.batch_size, n_process=2))
    t_two = time.perf_counter() - t0

    print(f"bare nlp.pipe          : {t_bare:7.2f} s  ({len(texts) / t_bare:6.1f} docs/s)")
    print(f"annotate, n_process=1  : {t_ours:7.2f} s  ({len(texts) / t_ours:6.1f} docs/s), {n_quotes} quotes")
    print(f"annotate, n_process=2  : {t_two:7.2f} s  ({len(texts) / t_two:6.1f} docs/s), {n_quotes2} quotes")
    print(f"ratio annotate / bare  : {t_ours / t_bare:.3f}  (goal <= 1.15)")
    print(f"speed-up 2 vs 1 process: {t_ours / t_two:.2f}x")


def per_component(n_docs: int, batch_size: int) -> None:
    """Each component's CPU time over all documents, as a share of the base spaCy components' time."""
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sample_data").glob("*.txt"))]
    texts = [samples[i % len(samples)] for i in range(n_docs)]
    nlp = load_pipeline()
    list(nlp.pipe(texts[:3]))
    best: dict[str, float] = {}
    for _run in range(2):
        docs = [nlp.make_doc(t) for t in texts]
        for name, proc in nlp.pipeline:
            t0 = time.process_time()
            docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            best[name] = min(best.get(name, float("inf")), time.process_time() - t0)
    base = sum(v for k, v in best.items() if not k.startswith("annotator_"))
    print(f"{len(texts)} docs; base spaCy components {base:.2f} s CPU")
    for name, seconds in best.items():
        print(f"  {name:24s} {seconds:7.3f} s  {seconds / base:6.3f} of base")
    print(f"whole pre-annotation / base: {sum(best.values()) / base:.3f}  (goal <= 1.3 with the learned components)")


if __name__ == "__main__":
    main()
