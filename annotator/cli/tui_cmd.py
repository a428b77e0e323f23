"""``annotate``: the terminal UI. Textual is imported inside the command, so the rest of the CLI
(and every core module) works without loading it."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from annotator.cli.common import open_repo
from annotator.cli.options import DatasetOption, DbOption

app = typer.Typer()

AnnotatorNameOption = Annotated[str, typer.Option("--annotator", "-a", help="Your annotator name (your own version of each document).")]


@app.command()
def annotate(
    dataset: DatasetOption, annotator: AnnotatorNameOption, db: DbOption = None,
    blind: Annotated[bool, typer.Option("--blind", help="Show no model suggestions: documents you open for the first time start empty and you mark everything (recorded per version; agreement lists blind versions).")] = False,
    order: Annotated[str, typer.Option("--order", help="as-imported (default), or uncertain: documents whose suggestions the model is least sure of first (by the scores stored with the suggestions).")] = "as-imported",
    auto_accept: Annotated[Optional[float], typer.Option("--auto-accept", min=0.0, max=1.0, help="Accept suggestions scored at least this (0-1) when a document opens, each one logged decision.")] = None,
) -> None:
    """Accept or fix the model's pre-annotations in a terminal UI, every decision saved at once.

    Continues at your first unfinished document. Press ? in the UI for the keys. Needs a terminal.
    """
    from annotator.tui.run import require_terminal, run_app

    require_terminal("annotate")  # before the database: opening a document starts a version
    from annotator.annotate.session import AnnotationSession

    session = AnnotationSession(open_repo(db), dataset, annotator, blind=blind, order=order, auto_accept=auto_accept)
    from annotator.tui.app import AnnotatorApp

    raise typer.Exit(run_app(AnnotatorApp(session), "annotate"))
