"""``import``, ``datasets`` and ``stats``: getting articles in and seeing what is there."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List

import typer

from annotator.cli.common import data_table, open_repo, safe, say, upgrade_notice, user_text
from annotator.cli.options import DatasetOption, DbOption, MaxCharsOption
from annotator.config import MAX_DOC_CHARS, resolve_db_url
from annotator.cli.progress import progress_bar

app = typer.Typer()


@app.command("import")
def import_(
    sources: Annotated[List[Path], typer.Argument(help=".txt files, folders of them, JSONL, gold JSONL or brat folders.")],
    dataset: DatasetOption,
    fmt: Annotated[str, typer.Option("--format", "-f", help="auto (by extension: .ann or a folder with .ann files is brat), text, jsonl or brat.")] = "auto",
    brat_scheme: Annotated[str, typer.Option("--brat-scheme", help="Mapping of brat types to layers: a built-in name (polnear) or a JSON file (schemas/brat-scheme.schema.json).")] = "polnear",
    max_chars: MaxCharsOption = MAX_DOC_CHARS,
    db: DbOption = None,
) -> None:
    """Import articles into a dataset (created if new). All or nothing: on any bad input nothing is stored.

    Duplicate texts (already in the dataset, or twice in the input) are reported and skipped.
    Gold JSONL lines with an "annotator" become that annotator's version of the document. Brat standoff
    (X.txt + X.ann, or PolNeAR's text/X.txt + attributions/X_<annotator>.ann) becomes one version per
    annotator ("brat" for X.ann).
    """
    from annotator.db.newfile import run_on_database
    from annotator.io.readers import read_any, total_bytes  # loads the database layer: not at start-up

    read = read_any(sources, fmt, brat_scheme, max_chars)
    total = total_bytes(sources)
    url = resolve_db_url(db)
    with progress_bar("Importing", total, unit="bytes") as bar:
        result = run_on_database(
            url, lambda repo: repo.import_records(dataset, read(bar.advance)), on_upgrade=upgrade_notice,
        )
    for dup in result.duplicates:
        say(f"skipped duplicate: {safe(dup)}", err=True)
    msg = f"Imported {result.added} document(s) into {dataset!r}"
    if result.versions:
        msg += f", {result.versions} annotated version(s)"
    if result.duplicates:
        msg += f"; skipped {len(result.duplicates)} duplicate(s)"
    say(msg + ".")


@app.command("datasets")
def datasets(db: DbOption = None) -> None:
    """List the datasets in the database with their document counts."""
    from rich.console import Console

    repo = open_repo(db)
    infos = repo.list_datasets()
    if not infos:
        say("No datasets yet. Import some articles: annotator import FILES --dataset NAME")
        return
    table = data_table("dataset", "documents", "stance targets", "created", right=("documents",))
    for info in infos:
        table.add_row(
            user_text(info.name), str(repo.count_documents(info.name)), user_text(", ".join(info.stance_targets)),
            info.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    Console().print(table)


@app.command("stats")
def stats(dataset: DatasetOption, db: DbOption = None) -> None:
    """Show a dataset's size, pre-annotation coverage and each annotator's progress."""
    from rich.console import Console
    from rich.table import Table

    s = open_repo(db).stats(dataset)
    console = Console()
    console.print(user_text(f"Dataset {s.name}"))
    summary = Table(show_header=False, box=None)
    summary.add_row("documents", str(s.documents))
    summary.add_row("characters", str(s.characters))
    summary.add_row("tokens", "not tokenized yet" if s.tokens is None else f"{s.tokens} ({s.tokenized_documents} documents)")
    summary.add_row("pre-annotated", f"{s.preannotated_documents} of {s.documents} ({s.model_runs} model run(s))")
    summary.add_row("annotators", str(len(s.annotators)))
    console.print(summary)
    if s.annotators:
        assigned = any(a.assigned is not None for a in s.annotators)
        columns = ["annotator", *(["assigned", "assigned done"] if assigned else []), "done", "in progress", "flagged",
                   "skipped", "remaining", "time"]
        table = data_table(*columns, right=tuple(columns[1:-1]))
        for a in s.annotators:
            remaining = s.documents - a.done - a.flagged - a.skipped
            if a.assigned is not None:
                remaining = max(0, a.assigned - (a.assigned_done or 0))
            minutes, secs = divmod(int(a.seconds), 60)
            per = [str(a.assigned), str(a.assigned_done)] if assigned else []
            table.add_row(user_text(a.name), *per, str(a.done), str(a.in_progress), str(a.flagged), str(a.skipped),
                          str(remaining), f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}")
        console.print(table)
