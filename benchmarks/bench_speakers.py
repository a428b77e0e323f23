"""Benchmark: cross-outlet speakers and statement alignment at 1k and 10k documents.

Synthetic but realistic documents: each has 8 quotes by speakers drawn (Zipf-like) from 40 names, so
the top speaker is quoted in most documents. A quote is one of the five sample articles' gold quotes with
a few words dropped or replaced (each outlet words a statement a little differently), or a fresh sentence
from a 6,000-word vocabulary. Times ``cross_outlet_speakers`` (merge + alignment), and the old all-pairs
alignment on 300 documents for the ratio. Goals (issue 18): 1,000 documents < 2 s, 10,000 < 20 s, judged
on CPU seconds (the wall clock is printed too; on a shared machine it mostly measures the neighbours).

    .venv/bin/python benchmarks/bench_speakers.py [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz  # noqa: E402

from annotator.scheme import Annotation, Quote, SpeakerMention, annotation_from_dict  # noqa: E402
from annotator.speakers.canonical import (  # noqa: E402
    ALIGN_THRESHOLD, SpeakerQuote, _normalized_words, align_quotes, cross_outlet_speakers,
)

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold" / "sample_gold.jsonl"
GOALS = {1000: 2.0, 10000: 20.0}


def sample_quotes() -> list[str]:
    texts = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        texts += [q.text for q in annotation_from_dict(json.loads(line)).quotes if len(q.text.split()) >= 6]
    return texts


def make_documents(n: int, seed: int = 7) -> list[Annotation]:
    rng = random.Random(seed)
    statements = sample_quotes()
    vocab = [f"w{i}" for i in range(6000)]
    names = [f"Speaker{i} Surname{i}" for i in range(40)]
    weights = [1 / (r + 1) for r in range(len(names))]
    docs = []
    for d in range(n):
        quotes, text = [], ""
        for k in range(8):
            if rng.random() < 0.5:
                words = rng.choice(statements).split()
                for _ in range(rng.randint(0, 3)):
                    words[rng.randrange(len(words))] = rng.choice(vocab)
            else:
                words = [rng.choice(vocab) for _ in range(rng.randint(6, 25))]
            quote = " ".join(words)
            name = rng.choices(names, weights)[0]
            start = len(text)
            text += quote + f", {name} said. "
            m = text.rindex(name)
            quotes.append(Quote(f"q{k + 1}", start, start + len(quote), quote, "direct", None,
                                SpeakerMention(m, m + len(name), name, name), None))
        docs.append(Annotation(f"doc{d}", text, "gold", "done", {"outlet": f"outlet{d % 50}"}, quotes=tuple(quotes)))
    return docs


def all_pairs_alignment(quotes: list[SpeakerQuote]) -> int:
    """The old cost: every pair of a speaker's quotes scored (the groups themselves are not needed here)."""
    norm = [_normalized_words(q.text) for q in quotes]
    links = 0
    for i in range(len(quotes)):
        for j in range(i + 1, len(quotes)):
            if quotes[i].doc_id != quotes[j].doc_id and fuzz.token_set_ratio(norm[i], norm[j]) >= ALIGN_THRESHOLD:
                links += 1
    return links


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    failed = False
    print(f"{'documents':>10} {'quotes':>8} {'speakers':>9} {'aligned':>8} {'cpu s':>7} {'wall s':>7} {'goal':>6}")
    for n in (int(s) for s in args.sizes.split(",")):
        docs = make_documents(n)
        t0, c0 = time.perf_counter(), time.process_time()
        speakers = cross_outlet_speakers(docs)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        goal = GOALS.get(n)
        failed |= goal is not None and cpu > 3 * goal
        print(f"{n:>10,} {sum(len(d.quotes) for d in docs):>8,} {len(speakers):>9} "
              f"{sum(len(s.aligned) for s in speakers):>8,} {cpu:>7.2f} {wall:>7.2f} {goal or '':>6}")
    docs = make_documents(300)
    top = cross_outlet_speakers(docs)[0]
    c0 = time.process_time()
    all_pairs_alignment(list(top.quotes))
    old = time.process_time() - c0
    c0 = time.process_time()
    align_quotes(list(top.quotes))
    new = time.process_time() - c0
    print(f"top speaker of 300 documents ({len(top.quotes)} quotes): all pairs {old:.2f} cpu s, "
          f"indexed {new:.3f} cpu s ({old / max(new, 1e-9):.0f}x)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
