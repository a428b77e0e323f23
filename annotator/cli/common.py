"""What every command module shares: printing (user data made inert), opening the database, and the one
place where errors become exit codes (``AnnotatorGroup``, the root app's class). Options are in ``options``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from annotator.cli import heap
from annotator.config import resolve_db_url
from annotator.display import json_text, literal, safe
from annotator.errors import UserError

if TYPE_CHECKING:
    from rich.table import Table

    from annotator.db.repo import Repository

user_text = literal


def say(message: str, err: bool = False) -> None:
    """Print one message line: how the CLI prints text, user data in it made inert (``display.safe``)."""
    typer.echo(safe(message), err=err)


def say_json(data: Any) -> None:
    """Print ``--json`` output: valid JSON, unsafe characters in strings as ``\\uXXXX`` escapes."""
    typer.echo(json_text(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)))


def data_table(*headers: str, right: tuple[str, ...] = (), title: Any = None) -> "Table":
    """A table of data for the terminal that never cuts a value to "…": a value too wide for its column
    wraps (folds) onto the next line, and columns are one space apart under a header rule, so that nine
    columns fit 80 (the stats of an assigned dataset; before, its times read "0:00:…", the models' paths
    "/work/…"). ``right``: the headers of right-aligned columns (counts)."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAVY, padding=0, show_edge=False, title=title)
    for header in headers:
        table.add_column(header, overflow="fold", justify="right" if header in right else "left")
    return table


class AnnotatorGroup(TyperGroup):
    """Turns the library's UserError into a one-line message and its exit code (no traceback)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            say(f"Error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            say("Interrupted.", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if "annotator.db.engine" not in sys.modules:  # no database was opened: not a database error
                raise
            from annotator.db.engine import as_database_error

            error = as_database_error(exc)
            if error is None:
                raise
            typer.echo(f"Error: {safe(str(error))}", err=True)
            raise typer.Exit(error.exit_code) from None


def open_repo(db: str | None, create: bool = False) -> "Repository":
    """Open (and migrate) the database named by --db / $ANNOTATOR_DB / the default.

    Only commands that add data (``import``) may create a new SQLite file: elsewhere a missing
    file is an error, so a typo in --db never leaves an empty database behind.
    """
    from annotator.config import new_sqlite_file
    from annotator.db.engine import open_database
    from annotator.db.repo import Repository
    from annotator.errors import DatabaseError

    url = resolve_db_url(db)
    missing = None if create else new_sqlite_file(url)
    if missing is not None:
        raise DatabaseError(f"{missing}: no such database (import articles first, or give --db)")
    repo = Repository(open_database(url, on_upgrade=upgrade_notice))
    heap.settle()  # start-up is done: its objects need no more traversals by the garbage collector
    return repo


def upgrade_notice(current: str, head: str) -> None:
    """Said before a database's schema is upgraded: on a large database that takes a while, once."""
    say(f"Upgrading the database schema from {current} to {head} (once; a minute or more on a large database)...",
        err=True)
