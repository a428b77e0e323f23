"""Does training on accepted gold help? Leave-one-article-out over the five hand-labelled sample articles.

For each article: train the span categorizers (`annotator train`'s code) on the other four, then score on
the held-out one: the rules alone, the trained spans alone, and both (what `preannotate --model` produces).
Prints per-fold and micro-averaged F1 (quotes overlap/exact, claims overlap). Five articles are few: read
the numbers as a smoke test of the loop, not as a verdict on the approach.

    .venv/bin/python benchmarks/bench_train_gain.py [--max-steps 150]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.nlp.evaluate import evaluate  # noqa: E402
from annotator.nlp.pipeline import annotate, load_pipeline  # noqa: E402
from annotator.scheme import annotation_from_dict  # noqa: E402
from annotator.training.combine import trained_annotation  # noqa: E402
from annotator.training.train import resolve_base_model, train  # noqa: E402

MEASURES = ("quotes_overlap", "quotes_exact", "claims_overlap")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-steps", type=int, default=150)
    args = parser.parse_args()
    gold = [annotation_from_dict(json.loads(l)) for l in (ROOT / "tests/gold/sample_gold.jsonl").read_text().splitlines()]
    base = resolve_base_model(None)
    rules_nlp = load_pipeline(base)
    preds: dict[str, list] = {"rules": [], "trained": [], "rules+trained": []}
    t0 = time.perf_counter()
    for held in gold:
        rest = [a for a in gold if a.doc_id != held.doc_id]
        with tempfile.TemporaryDirectory() as tmp:
            # dev_share picks one of the four training articles for model selection; held-out stays unseen.
            result = train(rest, Path(tmp), base_model=base, max_steps=args.max_steps, dev_share=0.25)
            trained_nlp = load_pipeline(str(result.model_path))
            (_, rules, _), = annotate(rules_nlp, [(held.text, held.doc_id)])
            (_, both, _), = annotate(trained_nlp, [(held.text, held.doc_id)])
            alone = replace(trained_annotation(trained_nlp(held.text)), doc_id=held.doc_id)
        for name, pred in (("rules", rules), ("trained", alone), ("rules+trained", both)):
            preds[name].append(pred)
            rep = evaluate([held], [pred])
            print(f"{held.doc_id} {name:14s} " + " ".join(f"{m}={rep.f1(m) or 0:.3f}" for m in MEASURES), flush=True)
    print(f"\nleave-one-out over {len(gold)} articles, {args.max_steps} steps each, {time.perf_counter() - t0:.0f} s")
    for name, p in preds.items():
        rep = evaluate(gold, p)
        print(f"{name:14s} " + " ".join(f"{m}={rep.f1(m) or 0:.3f}" for m in MEASURES))


if __name__ == "__main__":
    main()
