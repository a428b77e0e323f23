"""Benchmark: rules vs learned vs joined attribution on the held-out tuning split, and their speed.

Reads a PolNeAR-style brat corpus with the brat import's code, takes the same held-out articles as
``annotator train-base`` (seeded split by article, ``--tune-share``), and scores on them:

- modes: the rules alone, the CRF joined with the rules without (``joined-crf``) and with the record filter
  and the second pass over verb clauses (``joined``, the default), the CRF, filter and second pass alone
  (``learned``);
- all attributions and each kind (direct/indirect/mixed): P/R/F at 0.3 character overlap and exact
  (``annotator.nlp.evaluate``, the scoring of ``annotator evaluate``);
- speaker accuracy as ``annotator evaluate`` counts it (canonical name = gold source text) and by mention
  (the predicted speaker mention overlaps the gold source mention);
- speed: bare ``nlp.pipe`` of the base model vs the whole pre-annotation (rules only, and the default
  joined pipeline), same texts, one process. Goal: joined <= 1.3x bare.

    .venv/bin/python benchmarks/bench_attribution.py [CORPUS] [--tune-share 0.1] [--seed 0] [--docs N] [--json]

CORPUS defaults to ../shared/corpora/polnear-train. Without it the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy  # noqa: E402

from annotator.nlp.attribution import DEFAULT_MODEL_DIR  # noqa: E402
from annotator.nlp.pipeline import load_pipeline, model_info  # noqa: E402
from annotator.training import attribution as ta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPEED_GOAL = 1.3


def timed(nlp, texts):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    return time.perf_counter() - started, docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpora" / "polnear-train"))
    parser.add_argument("--tune-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--docs", type=int, default=0, help="use only the first N held-out articles (0: all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}: nothing to measure (give a PolNeAR train split folder)")
        return 0
    _train, tune = ta.split(ta.load_corpus(corpus).annotations, args.tune_share, args.seed)
    tune = tune[: args.docs] if args.docs else tune
    texts = [a.text for a in tune]

    rules_nlp = load_pipeline(rules_only=True)
    joined_nlp = load_pipeline(attribution_model=args.model)
    bare = spacy.load(model_info(rules_nlp)[0])
    timed(bare, texts[:5])  # warm up
    t_bare, _ = timed(bare, texts)
    t_rules, docs = timed(rules_nlp, texts)
    t_joined, _ = timed(joined_nlp, texts)

    preds = ta.predict_modes(docs, tune, Path(args.model), modes=("rules", "joined-crf", "learned", "joined"))
    scores = {mode: ta.headline(tune, p) for mode, p in preds.items()}
    n_chars = sum(len(t) for t in texts)
    result = {
        "tune_documents": len(tune), "characters": n_chars, "scores": scores,
        "speed": {"bare_s": round(t_bare, 2), "rules_s": round(t_rules, 2), "joined_s": round(t_joined, 2),
                  "rules_ratio": round(t_rules / t_bare, 3), "joined_ratio": round(t_joined / t_bare, 3),
                  "goal_ratio": SPEED_GOAL},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{len(tune)} held-out articles, {n_chars} characters")
        cols = ["quotes_overlap", "quotes_exact", "direct_overlap", "indirect_overlap", "mixed_overlap"]
        print(f"{'mode':10} " + " ".join(f"{c:>22}" for c in cols) + "  spk-name spk-mention")
        for mode, s in scores.items():
            cells = [f"{s[c + '_p']} {s[c + '_r']} {s[c + '_f']}" for c in cols]
            print(f"{mode:10} " + " ".join(f"{c:>22}" for c in cells)
                  + f"  {s['speaker_name_acc']:>8} {s['speaker_mention_acc']:>11}")
        print("(each cell: P R F; joined-crf: joined without the record filter and the second pass over verb clauses)")
        sp = result["speed"]
        print(f"speed: bare nlp.pipe {sp['bare_s']}s, rules {sp['rules_s']}s ({sp['rules_ratio']}x), "
              f"joined {sp['joined_s']}s ({sp['joined_ratio']}x; goal <= {SPEED_GOAL}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
