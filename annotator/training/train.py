"""Train span categorizers from accepted gold with ``spacy train``; measure them against the rules.

The trained pipeline is the base English pipeline (sourced, frozen) plus two span categorizers whose
predictions land in ``doc.spans["sc_quotes"]`` (labels direct/indirect/mixed) and ``["sc_claims"]``.
``annotator preannotate --model PATH`` loads it: the rule components run on top and add the trained
spans they did not find themselves (see ``annotator.nlp``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from annotator.errors import ModelError, UserError
from annotator.scheme import Annotation

CONFIG_TEMPLATE = Path(__file__).with_name("configs") / "spancat.cfg"
TRAINED_QUOTES_KEY = "sc_quotes"
TRAINED_CLAIMS_KEY = "sc_claims"
CLAIM_LABEL = "CLAIM"
#: Written first into every --output folder ``train`` makes: only a folder with it is ours to replace in.
OUTPUT_MARKER = ".annotator-train"
#: What ``train`` puts into its folder (also what a folder trained before the marker existed holds).
_OURS = {"training", "corpus", "config.cfg", "scores.json", OUTPUT_MARKER}


def split_documents(
    annotations: Sequence[Annotation], dev_share: float = 0.2, seed: int = 0
) -> tuple[list[Annotation], list[Annotation]]:
    """A deterministic train/dev split by hashed document id (stable as the dataset grows)."""
    if len(annotations) < 2:
        raise UserError(f"training needs at least 2 done documents, found {len(annotations)}")
    if not 0 < dev_share < 1:
        raise UserError("--dev-share must be between 0 and 1")
    ordered = sorted(annotations, key=lambda a: hashlib.sha1(f"{seed}:{a.doc_id}".encode()).hexdigest())
    n_dev = min(max(1, round(len(ordered) * dev_share)), len(ordered) - 1)
    return ordered[n_dev:], ordered[:n_dev]


def training_doc(nlp: Any, ann: Annotation) -> Any:
    """A Doc tokenized like the pipeline, with the gold quotes and claims as span groups."""
    doc = nlp.make_doc(ann.text)
    kept = ann.kept()

    def spans(items, label_of):  # type: ignore[no-untyped-def]
        out = []
        for it in items:
            span = doc.char_span(it.start, it.end, label=label_of(it), alignment_mode="expand")
            if span is not None and len(span):
                out.append(span)
        return out

    doc.spans[TRAINED_QUOTES_KEY] = spans(kept.quotes, lambda q: q.kind)
    doc.spans[TRAINED_CLAIMS_KEY] = spans([c for c in kept.claims if c.checkworthy], lambda c: CLAIM_LABEL)
    return doc


def resolve_base_model(model: str | None) -> str:
    """The installed base pipeline to source components from (same default order as pre-annotation)."""
    import spacy

    from annotator.config import DEFAULT_MODELS

    candidates = [model] if model else list(DEFAULT_MODELS)
    for name in candidates:
        if name and (spacy.util.is_package(name) or Path(name).is_dir()):
            return str(Path(name).resolve()) if Path(name).is_dir() else name
    raise ModelError(f"no base spaCy pipeline found (tried {', '.join(c for c in candidates if c)})")


@dataclass(frozen=True)
class TrainResult:
    model_path: Path
    base_model: str
    train_docs: tuple[str, ...]
    dev_docs: tuple[str, ...]
    #: Scores on the dev documents: {"rules": {...}, "trained": {...}, "rules+trained": {...}}.
    scores: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_path": str(self.model_path), "base_model": self.base_model,
            "train_docs": list(self.train_docs), "dev_docs": list(self.dev_docs), "scores": self.scores,
        }


def _made_before_marker(output: Path) -> bool:
    """A folder from an ``annotator train`` run that predates the marker: exactly our files, nothing else."""
    names = {p.name for p in output.iterdir() if not p.name.startswith(".training-")}
    if not names <= _OURS or "training" not in names:
        return False
    if "corpus" in names and {p.name for p in (output / "corpus").iterdir()} - {"train.spacy", "dev.spacy"}:
        return False
    return any((output / "training" / m / "meta.json").exists() for m in ("model-best", "model-last"))


def check_output(output: Path) -> None:
    """Refuse an --output that is not ours to write in: a file, or a non-empty folder ``train`` did not make.

    ``train`` replaces ``training/``, ``corpus/``, ``config.cfg`` and ``scores.json`` inside its folder, so
    a folder of the user's is never used (nothing in it could be deleted or overwritten).
    """
    if output.exists() and not output.is_dir():
        raise UserError(f"{output}: not a folder: choose a folder for the trained pipeline")
    if not output.is_dir() or (output / OUTPUT_MARKER).exists() or not any(output.iterdir()):
        return
    if not _made_before_marker(output):
        raise UserError(
            f"{output}: folder is not empty and was not made by `annotator train` (no {OUTPUT_MARKER} file); "
            "choose a new or empty folder"
        )


def claim_output(output: Path) -> None:
    """Create ``output`` (if needed) and mark it as made by ``train``; see ``check_output``."""
    check_output(output)
    output.mkdir(parents=True, exist_ok=True)
    marker = output / OUTPUT_MARKER
    if not marker.exists():
        marker.write_text("This folder was made by `annotator train`, which replaces its contents.\n", encoding="utf-8")


def write_corpus(nlp: Any, annotations: Sequence[Annotation], path: Path) -> None:
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=False)
    for ann in annotations:
        docbin.add(training_doc(nlp, ann))
    docbin.to_disk(path)


def train(
    annotations: Sequence[Annotation],
    output: Path,
    base_model: str | None = None,
    max_steps: int = 200,
    dev_share: float = 0.2,
    seed: int = 0,
    log: Any = None,
) -> TrainResult:
    """Train on a split of ``annotations``; write the pipeline to ``output/model-best``; score on dev."""
    import spacy
    from spacy.cli.train import train as spacy_train

    check_output(output)
    base = resolve_base_model(base_model)
    train_set, dev_set = split_documents(annotations, dev_share, seed)
    claim_output(output)
    final = output / "training"
    # Everything is built in a hidden folder and moved into place only once training and scoring
    # succeeded: a failed or interrupted run leaves the previous model and its scores as they were.
    work = Path(tempfile.mkdtemp(dir=output, prefix=".training-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        blank = spacy.blank("en")
        write_corpus(blank, train_set, corpus / "train.spacy")
        write_corpus(blank, dev_set, corpus / "dev.spacy")
        config_path = work / "config.cfg"
        config_path.write_text(CONFIG_TEMPLATE.read_text(encoding="utf-8").format(base=base), encoding="utf-8")
        overrides = {
            "paths.train": str(corpus / "train.spacy"),
            "paths.dev": str(corpus / "dev.spacy"),
            "training.max_steps": max_steps,
            "training.eval_frequency": max(1, min(25, max_steps)),
            "system.seed": seed,
        }
        sink = log if log is not None else io.StringIO()
        with contextlib.redirect_stdout(sink):
            spacy_train(config_path, work / "training", use_gpu=-1, overrides=overrides)
        best_name = "model-best" if (work / "training" / "model-best").exists() else "model-last"
        scores = compare_on_dev(dev_set, base, work / "training" / best_name)
        result = TrainResult(
            model_path=final / best_name, base_model=base,
            train_docs=tuple(a.doc_id for a in train_set), dev_docs=tuple(a.doc_id for a in dev_set),
            scores=scores,
        )
        (work / "scores.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
        for name in ("training", "corpus"):
            if (output / name).exists():
                (output / name).rename(work / f"previous-{name}")
            (work / name).rename(output / name)
        os.replace(work / "config.cfg", output / "config.cfg")
        os.replace(work / "scores.json", output / "scores.json")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def compare_on_dev(dev: Sequence[Annotation], base: str, trained: Path) -> dict[str, Any]:
    """Quote and claim scores on the dev documents: rules alone, trained spans alone, and both."""
    from annotator.nlp.evaluate import evaluate
    from annotator.nlp.pipeline import annotate, load_pipeline
    from annotator.training.combine import trained_annotation

    items = [(a.text, a.doc_id) for a in dev]
    rules = {doc_id: ann for doc_id, ann, _ in annotate(load_pipeline(base), items)}
    trained_nlp = load_pipeline(str(trained))
    both = {doc_id: ann for doc_id, ann, _ in annotate(trained_nlp, items)}
    alone = {}
    for doc in trained_nlp.pipe([t for t, _ in items]):
        ann = trained_annotation(doc)
        alone[ann.text] = ann
    alone_by_id = {doc_id: alone[text] for text, doc_id in items}
    gold = list(dev)

    def score(pred: dict[str, Annotation]) -> dict[str, Any]:
        from dataclasses import replace

        return evaluate(gold, [replace(pred[a.doc_id], doc_id=a.doc_id) for a in gold]).to_dict()

    return {"rules": score(rules), "trained": score(alone_by_id), "rules+trained": score(both)}
