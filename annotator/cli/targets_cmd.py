"""``targets``: the stance targets of a dataset (list, add, remove)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, List, Optional

import typer

from annotator.cli.common import open_repo, safe, say
from annotator.cli.options import GroupDatasetOption
from annotator.errors import UserError

if TYPE_CHECKING:
    from annotator.db.repo import Repository

app = typer.Typer(no_args_is_help=True)
OptDb = Annotated[Optional[str], typer.Option("--db", help="Database URL (default $ANNOTATOR_DB, else sqlite:///annotator.db).")]


@app.callback()
def targets(ctx: typer.Context, dataset: GroupDatasetOption = None, db: OptDb = None) -> None:
    """Stance targets of a dataset (what stances are taken toward).

    `--dataset` and `--db` may come before the subcommand (as in `annotator targets --dataset news list`)
    or after it.
    """
    ctx.obj = {"dataset": dataset, "db": db}


def _target_args(ctx: typer.Context, dataset: str | None, db: str | None) -> tuple[str, str | None]:
    parent = (ctx.parent.obj if ctx.parent is not None else None) or {}
    dataset = dataset or parent.get("dataset")
    if not dataset:
        raise UserError("missing option --dataset")
    return dataset, db or parent.get("db")


def _targets_of(ctx: typer.Context, dataset: str | None, db: str | None) -> tuple[Repository, str, list[str]]:
    """The open repository, the dataset's name and its current stance targets."""
    dataset, db = _target_args(ctx, dataset, db)
    repo = open_repo(db)
    return repo, dataset, list(repo.get_dataset(dataset).stance_targets)


@app.command("list")
def targets_list(ctx: typer.Context, dataset: GroupDatasetOption = None, db: OptDb = None) -> None:
    """List the dataset's stance targets, one per line."""
    for target in _targets_of(ctx, dataset, db)[2]:
        say(safe(target))


@app.command("add")
def targets_add(
    ctx: typer.Context,
    names: Annotated[List[str], typer.Argument(help="Targets to add.")],
    dataset: GroupDatasetOption = None,
    db: OptDb = None,
) -> None:
    """Add stance targets to a dataset."""
    repo, dataset, current = _targets_of(ctx, dataset, db)
    info = repo.set_stance_targets(dataset, [*current, *names])
    say(f"Stance targets: {safe(', '.join(info.stance_targets))}")


@app.command("remove")
def targets_remove(
    ctx: typer.Context,
    names: Annotated[List[str], typer.Argument(help="Targets to remove.")],
    dataset: GroupDatasetOption = None,
    db: OptDb = None,
) -> None:
    """Remove stance targets from a dataset."""
    repo, dataset, current = _targets_of(ctx, dataset, db)
    missing = [n for n in names if n not in current]
    if missing:
        raise UserError(f"not a stance target of {dataset!r}: {', '.join(missing)}")
    info = repo.set_stance_targets(dataset, [t for t in current if t not in names])
    say(f"Stance targets: {safe(', '.join(info.stance_targets)) or '(none)'}")
