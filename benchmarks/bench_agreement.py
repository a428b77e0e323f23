"""Benchmark: agreement over 2,000 synthetic documents x 3 annotators (~100k spans).

Builds the documents as ``Annotation`` objects (not timed: that is the "loading"), then times
``compute_agreement`` over all layers. Goal: under one second of compute. Prints the time and
exits non-zero when the goal is missed by a wide margin (3x, to allow for slow machines).

    .venv/bin/python benchmarks/bench_agreement.py [--docs N] [--repeat R]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.agreement import compute_agreement  # noqa: E402
from annotator.scheme import Annotation, Claim, Quote, Span, SpeakerMention, Stance  # noqa: E402

ANNOTATORS = ("alice", "bob", "carol")
SPEAKERS = ("Antony Blinken", "Sergei Lavrov", "the Kremlin", "NATO", "Volodymyr Zelensky", "Olaf Scholz")
TARGETS = ("Russia", "Ukraine", "NATO", "the United States")
WORDS = (
    "the minister said that talks would continue next week while officials in Kyiv and Moscow "
    "warned of further escalation along the eastern front according to reports from reporters"
).split()
GOAL_SECONDS = 1.0


def make_text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words)) + "."


def base_items(rng: random.Random, text: str, n_quotes: int, n_claims: int) -> tuple[list[dict], list[dict]]:
    """Non-overlapping slots of the text: per quote a speaker, a cue and the quote itself."""
    word_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == " "]
    slots = sorted(rng.sample(range(2, len(word_starts) - 30, 14), n_quotes + n_claims))
    quotes, claims = [], []
    for n, w in enumerate(slots):
        if n < n_quotes:
            speaker = (word_starts[w], word_starts[w + 1] - 1)
            cue = (word_starts[w + 1], word_starts[w + 2] - 1)
            length = rng.randint(4, 10)
            quote = (word_starts[w + 3], word_starts[w + 3 + length] - 1)
            quotes.append(
                {
                    "span": quote,
                    "cue": cue,
                    "speaker": speaker,
                    "name": rng.choice(SPEAKERS),
                    "kind": rng.choice(("direct", "direct", "indirect", "mixed")),
                    "stance": rng.choice((None, "favor", "against", "neutral")),
                    "target": rng.choice(TARGETS),
                }
            )
        else:
            length = rng.randint(5, 10)
            claims.append({"span": (word_starts[w], word_starts[w + length] - 1), "checkworthy": rng.random() < 0.7})
    return quotes, claims


def perturb(rng: random.Random, span: tuple[int, int], limit: int) -> tuple[int, int]:
    if rng.random() < 0.25:
        s = max(0, span[0] + rng.randint(-3, 3))
        e = min(limit, max(s + 1, span[1] + rng.randint(-3, 3)))
        return s, e
    return span


def build(n_docs: int, seed: int = 7) -> dict[str, dict[str, Annotation]]:
    rng = random.Random(seed)
    versions: dict[str, dict[str, Annotation]] = {name: {} for name in ANNOTATORS}
    for d in range(n_docs):
        doc_id = f"doc{d:05d}"
        text = make_text(rng, 450)
        quotes, claims = base_items(rng, text, n_quotes=6, n_claims=2)
        for name in ANNOTATORS:
            if rng.random() < 0.03:
                continue  # not done by this annotator: missing data
            qs = []
            for i, q in enumerate(quotes):
                if rng.random() < 0.08:
                    continue
                s, e = perturb(rng, q["span"], len(text))
                cs, ce = perturb(rng, q["cue"], len(text))
                ss, se = q["speaker"]
                kind = q["kind"] if rng.random() > 0.1 else rng.choice(("direct", "indirect", "mixed"))
                label = q["stance"] if rng.random() > 0.2 else rng.choice((None, "favor", "against", "neutral"))
                qname = q["name"] if rng.random() > 0.1 else rng.choice(SPEAKERS)
                qs.append(
                    Quote(
                        id=f"q{i + 1}",
                        start=s,
                        end=e,
                        text=text[s:e],
                        kind=kind,
                        cue=Span(cs, ce, text[cs:ce]),
                        speaker=SpeakerMention(ss, se, text[ss:se], qname.upper() if rng.random() < 0.1 else qname),
                        stance=None if label is None else Stance(q["target"], label),
                    )
                )
            cl = []
            for i, c in enumerate(claims):
                if rng.random() < 0.1:
                    continue
                s, e = perturb(rng, c["span"], len(text))
                cl.append(Claim(id=f"c{i + 1}", start=s, end=e, text=text[s:e], checkworthy=c["checkworthy"]))
            versions[name][doc_id] = Annotation(doc_id, text, name, quotes=tuple(qs), claims=tuple(cl))
    return versions


def count_spans(versions: dict[str, dict[str, Annotation]]) -> int:
    return sum(
        len(ann.layer_spans(layer))
        for docs in versions.values()
        for ann in docs.values()
        for layer in ("quotes", "cues", "speakers", "claims")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    versions = build(args.docs)
    t_build = time.perf_counter() - t0
    n_spans = count_spans(versions)
    times = []
    report = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        report = compute_agreement(versions)
        times.append(time.perf_counter() - t0)
    assert report is not None
    quotes = report.layer("quotes")
    best = min(times)
    print(
        f"agreement: {args.docs} documents x {len(ANNOTATORS)} annotators, {n_spans} spans, "
        f"{quotes.overall.token.tokens} tokens (built in {t_build:.2f}s)"
    )
    print(
        f"compute_agreement: best {best:.3f}s, median {sorted(times)[len(times) // 2]:.3f}s "
        f"of {args.repeat} (goal < {GOAL_SECONDS:.1f}s)"
    )
    print(
        f"quotes overall: F1 exact {quotes.overall.exact.f1:.3f}, overlap {quotes.overall.overlap.f1:.3f}, "
        f"alpha {quotes.overall.token.alpha:.3f}, Fleiss {quotes.overall.token.fleiss_kappa:.3f}, "
        f"AC1 {quotes.overall.token.ac1:.3f}"
    )
    if best > 3 * GOAL_SECONDS:
        print("FAIL: far over the time goal", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
