"""Does updating the shipped models on gold help? Two measurements of `annotator train`'s update.

1. The five hand-labelled sample articles (tests/gold/sample_gold.jsonl), leave one article out: each
   article is scored by the shipped base models and by the base updated on the other four (exactly
   `annotator train`'s folds). Micro scores over the five held-out articles: per layer F1, speaker and
   stance accuracy.
2. A learning curve on PolNeAR (attribution only: PolNeAR has no claims or stances): the shipped base CRF
   was trained on the first N articles of the training split (N from its scores.json), so articles N.. are
   ones it never saw; the base updated on 10, 25, 50, 100 of them is scored on the 84-article tuning split
   (the model card's). The README's curve was measured with the first shipped model (N = 200); the current
   one is trained on all 753 articles, so no unseen training article is left and the curve refuses to run
   (it would measure updates on articles the base already learnt).
   Parsed documents are read from a DocBin cache when one exists (``--cache``), else parsed here.

    nice -n 10 .venv/bin/python benchmarks/bench_train_gain.py [--polnear ../shared/corpora/polnear-train] [--skip-sample]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.nlp.pipeline import load_pipeline  # noqa: E402
from annotator.scheme import annotation_from_dict  # noqa: E402
from annotator.training import update as up  # noqa: E402

SAMPLE_MEASURES = ("quotes_overlap", "quotes_exact", "direct_overlap", "indirect_overlap", "mixed_overlap",
                   "cues_overlap", "claims_overlap", "claims_sentence", "speaker_accuracy", "stance_accuracy")
CURVE_MEASURES = ("quotes_overlap_f", "quotes_exact_f", "direct_overlap_f", "indirect_overlap_f",
                  "cues_overlap_f", "speaker_mention_acc")
SHIPPED_SCORES = ROOT / "annotator" / "models" / "attribution" / "scores.json"


def base_trained_on() -> int:
    """How many training-split articles (in split order) the shipped CRF learnt from."""
    return int(json.loads(SHIPPED_SCORES.read_text(encoding="utf-8"))["training"]["documents"])


def sample_gain(nlp, work: Path) -> dict:  # type: ignore[no-untyped-def]
    gold = [annotation_from_dict(json.loads(line))
            for line in (ROOT / "tests" / "gold" / "sample_gold.jsonl").read_text(encoding="utf-8").splitlines()]
    docs = up.parse(nlp, gold)
    held = up.cross_validate(nlp, docs, gold, up.models_of(nlp), work, k=len(gold))
    return {name: up.scores(gold, pred) for name, pred in held.items()}


def _cached(cache: Path, prefix: str, vocab) -> list:  # type: ignore[no-untyped-def]
    from spacy.tokens import DocBin

    docs = []
    for f in sorted(cache.glob(f"{prefix}_*.spacy")):
        docs.extend(DocBin().from_disk(f).get_docs(vocab))
    return docs


def learning_curve(nlp, corpus_root: Path, cache: Path | None, sizes: list[int], work: Path) -> dict:  # type: ignore[no-untyped-def]
    from annotator.training import attribution as ta

    train, tune = ta.split(ta.load_corpus(corpus_root).annotations)
    seen = base_trained_on()
    unseen = train[seen:seen + max(sizes)]
    if len(unseen) < max(sizes):
        raise SystemExit(f"the shipped CRF learnt from {seen} of the {len(train)} training articles: "
                         f"{len(unseen)} unseen left, {max(sizes)} needed for the curve")
    if cache is not None and cache.is_dir():
        tune_docs = _cached(cache, "tune", nlp.vocab)
        train_docs = _cached(cache, "train", nlp.vocab)[seen:seen + max(sizes)]
        assert [d.text for d in tune_docs] == [a.text for a in tune] and len(train_docs) == len(unseen)
        assert all(d.text == a.text for d, a in zip(train_docs, unseen))
    else:
        tune_docs, train_docs = up.parse(nlp, tune), up.parse(nlp, unseen)
    base = up.models_of(nlp)
    out = {"base": ta.headline(tune, up.predict(nlp, tune_docs, tune, base))}
    print("base", out["base"], flush=True)
    for n in sizes:
        started = time.monotonic()
        models = up.update(nlp, train_docs[:n], unseen[:n], base, work / f"curve-{n}")
        out[str(n)] = ta.headline(tune, up.predict(nlp, tune_docs, tune, models))
        print(n, out[str(n)], f"{time.monotonic() - started:.0f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, default=None, help="PolNeAR train folder (brat); no curve without it")
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/polnear"))
    parser.add_argument("--sizes", default="10,25,50,100")
    parser.add_argument("--skip-sample", action="store_true")
    args = parser.parse_args()
    nlp = load_pipeline()
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sample:
            started = time.monotonic()
            result["sample"] = sample_gain(nlp, Path(tmp) / "sample")
            print(f"sample articles, leave one out ({time.monotonic() - started:.0f} s)")
            for name in ("base", "updated"):
                print(f"  {name:8}", "  ".join(f"{m} {result['sample'][name].get(m)}" for m in SAMPLE_MEASURES), flush=True)
        if args.polnear is not None and args.polnear.is_dir():
            sizes = [int(s) for s in args.sizes.split(",")]
            result["curve"] = learning_curve(nlp, args.polnear, args.cache, sizes, Path(tmp) / "curve")
            print("PolNeAR tuning split (84 articles): F after updating on N unseen articles")
            print("  N      " + "  ".join(CURVE_MEASURES))
            for name, row in result["curve"].items():
                print(f"  {name:6} " + "  ".join(str(row.get(m)) for m in CURVE_MEASURES))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
