"""``annotator train``: the shipped base models updated on a dataset's gold, written as a pipeline folder.

The pipeline is the base English pipeline with the annotator components (rules and learned models, as
``preannotate`` runs them) whose learned models are updated on the gold (``annotator.training.update``). It
is saved with ``nlp.to_disk``, each learned component writing its model into its own folder, so
``annotator preannotate --model DIR``, ``predict --model DIR`` and plain ``spacy.load(DIR)`` in a new
process use the updated models. Before the final update, the documents are split into folds (one document
each when there are few) and every held-out fold is scored with the base models and with the base updated
on the other folds: ``scores.json`` and the model card (``README.md``) report both.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from annotator.errors import ModelError, UserError
from annotator.io.output import check_folder_output
from annotator.scheme import Annotation

#: Written first into every --output folder ``train`` makes: only a folder with it is ours to replace.
OUTPUT_MARKER = ".annotator-train"
#: What ``train`` put into its folder before it wrote pipelines (a folder of that layout is ours too).
_OURS = {"training", "corpus", "config.cfg", "scores.json", OUTPUT_MARKER}
SCORES_FILE = "scores.json"
CARD_FILE = "README.md"
#: The headline measures of the model card and the CLI table, with their column names.
HEADLINE = (("quotes_overlap", "quotes F1"), ("quotes_exact", "quotes F1 (exact)"), ("cues_overlap", "cues F1"),
            ("claims_overlap", "claims F1"), ("speaker_accuracy", "speaker acc."), ("stance_accuracy", "stance acc."))

Log = Callable[[str], None] | None


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
    documents: tuple[str, ...]
    #: Held-out document ids of each fold.
    folds: tuple[tuple[str, ...], ...]
    #: Scores over the held-out folds: {"base": {...}, "updated": {...}} (see ``update.scores``).
    scores: dict[str, Any] = field(default_factory=dict)
    annotator: str = "gold"
    dataset: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"model_path": str(self.model_path), "base_model": self.base_model, "dataset": self.dataset,
                "annotator": self.annotator, "documents": list(self.documents),
                "folds": [list(f) for f in self.folds], "scores": self.scores}


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

    ``train`` replaces the whole folder, so a folder of the user's is never used (nothing in it could be
    deleted or overwritten).
    """
    if output.exists() and not output.is_dir():
        raise UserError(f"{output}: not a folder: choose a folder for the trained pipeline")
    check_folder_output(output)
    if not output.is_dir() or (output / OUTPUT_MARKER).exists() or not any(output.iterdir()):
        return
    if not _made_before_marker(output):
        raise UserError(
            f"{output}: folder is not empty and was not made by `annotator train` (no {OUTPUT_MARKER} file); "
            "choose a new or empty folder"
        )


def train(annotations: Sequence[Annotation], output: Path, base_model: str | None = None, folds: int = 5,
          dataset: str = "", annotator: str = "gold", log: Log = None) -> TrainResult:
    """Update the base models on ``annotations`` and write the pipeline folder ``output`` (see module doc).

    Everything is built in a hidden sibling folder and swapped in only when it is complete: a failed or
    interrupted run leaves the previous pipeline as it was.
    """
    from annotator.nlp.pipeline import load_pipeline
    from annotator.training import update as up

    check_output(output)
    annotations = sorted(annotations, key=lambda a: a.doc_id)
    fold_ids = up.folds(len(annotations), folds)
    base = resolve_base_model(base_model)
    nlp = load_pipeline(base)
    base_models = up.models_of(nlp)
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}.training-"))
    try:
        docs = up.parse(nlp, annotations, log)
        held = up.cross_validate(nlp, docs, annotations, base_models, work / "folds", folds, log)
        scores = {name: up.scores(annotations, pred) for name, pred in held.items()}
        final = up.update(nlp, docs, annotations, base_models, work / "final")
        up.install(nlp, final)
        result = TrainResult(output, base, tuple(a.doc_id for a in annotations),
                             tuple(tuple(annotations[i].doc_id for i in f) for f in fold_ids), scores,
                             annotator, dataset)
        pipeline = work / "pipeline"
        nlp.meta["name"] = f"annotator_{_meta_name(dataset)}"
        nlp.meta["description"] = f"annotator base models updated on {len(annotations)} done documents"
        nlp.to_disk(pipeline)
        (pipeline / SCORES_FILE).write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
        (pipeline / CARD_FILE).write_text(model_card(result), encoding="utf-8")
        (pipeline / OUTPUT_MARKER).write_text(
            "This folder was made by `annotator train`, which replaces its contents.\n", encoding="utf-8")
        _swap_in(pipeline, output, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _meta_name(dataset: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in dataset.lower()).strip("_")
    return cleaned or "trained"


def _swap_in(new: Path, output: Path, work: Path) -> None:
    """Replace ``output`` (already checked to be ours) by ``new`` with two renames."""
    if output.exists():
        os.replace(output, work / "previous")
    os.replace(new, output)


def model_card(result: TrainResult) -> str:
    """The pipeline's README: what it was trained on, how, and base vs updated on held-out folds."""
    from annotator.training import update as up

    rows = "\n".join(f"| {name} | " + " | ".join(_fmt(result.scores[name].get(key)) for key, _ in HEADLINE) + " |"
                     for name in ("base", "updated"))
    n_folds = len(result.folds)
    return f"""# annotator pipeline trained on `{result.dataset}`

The base pipeline `{result.base_model}` with the annotator components (rules and learned models, as
`annotator preannotate` runs them); the learned models are the shipped ones updated on
{len(result.documents)} done documents of dataset `{result.dataset}` by `{result.annotator}`
({datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}).

- **Attribution**: a CRF stacked on the shipped PolNeAR CRF (its labels and confidence as extra features),
  trained on the gold token labels (crfsuite L-BFGS, c2 {up.STACK_PARAMS["c2"]}).
- **Check-worthiness, stance**: the shipped linear classifiers trained further from their weights (L2 pull
  toward the base weights; example weight {up.CLAIMS_WEIGHT} / {up.STANCE_WEIGHT}); vocabulary and threshold
  stay the base model's.
- **Data**: the dataset's documents (ids in `scores.json`); nothing of their text is stored here except as
  model features.

## Scores on held-out documents ({n_folds} folds: each fold scored by the models updated on the others)

| models | {" | ".join(label for _, label in HEADLINE)} |
| --- | {" | ".join("---" for _ in HEADLINE)} |
{rows}

## Reproduce
    annotator train --dataset {result.dataset} --annotator {result.annotator} --output DIR
"""


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"
