"""``speakers``: canonical speakers across all articles of a dataset, and corrections of the merge."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from annotator.cli.common import data_table, open_repo, say, say_json, user_text
from annotator.cli.options import DatasetOption, DbOption, GroupDatasetOption
from annotator.errors import UserError

app = typer.Typer(invoke_without_command=True)

AnnotatorOption = Annotated[
    Optional[str],
    typer.Option("--annotator", "-a", help="Use this annotator's versions (default: the model's latest suggestions)."),
]


@app.callback()
def speakers(
    ctx: typer.Context,
    dataset: GroupDatasetOption = None,
    annotator: AnnotatorOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the speakers as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List canonical speakers across all articles: quotes per outlet, stances, statements quoted in several outlets.

    Name variants ("Sergei Lavrov" / "Sergey Lavrov", "Blinken" / "Antony Blinken") are merged by the rule
    described in `annotator.speakers.canonical`; correct it with `speakers merge` and `speakers split`.
    """
    if ctx.invoked_subcommand is not None:  # runs before `speakers merge --help` too: import nothing yet
        return
    from rich.console import Console

    if dataset is None:
        raise UserError("missing option --dataset")
    from annotator.speakers.overview import speaker_overview

    result = speaker_overview(open_repo(db), dataset, annotator, only_own=True).speakers
    if as_json:
        say_json([s.to_dict() for s in result])
        return
    console = Console()
    if not result:
        console.print("No attributed quotes yet (pre-annotate or annotate first).")
        return
    table = data_table("speaker", "quotes", "per outlet", "stances", "also written", "aligned statements",
                       right=("quotes", "aligned statements"))
    for sp in result:
        others = [v for v in sp.variants if v != sp.name]
        table.add_row(
            user_text(sp.name), str(len(sp.quotes)),
            user_text("\n".join(f"{o}: {n}" for o, n in sp.per_outlet.items())),
            user_text("\n".join(f"{k}: {n}" for k, n in sp.stances.items()) or "-"),
            user_text(", ".join(others) or "-"),
            str(len(sp.aligned)),
        )
    console.print(table)


@app.command("merge")
def merge(
    variant: Annotated[str, typer.Argument(help="The name variant to merge, as written in annotations.")],
    canonical: Annotated[str, typer.Argument(help="The canonical name it belongs to.")],
    dataset: DatasetOption,
    db: DbOption = None,
) -> None:
    """Record that VARIANT is the same speaker as CANONICAL (overrides the automatic rule)."""
    if variant.strip() and variant == canonical:  # stored so, it would be a split (said to be a merge)
        raise UserError(f"cannot merge {variant!r} into itself (to keep it apart from other names: "
                        f"speakers split {variant!r})")
    open_repo(db).set_speaker_correction(dataset, variant, canonical)
    say(f"{variant!r} is now merged into {canonical!r}.")


@app.command("split")
def split(
    variant: Annotated[str, typer.Argument(help="The name variant to keep apart.")],
    dataset: DatasetOption,
    db: DbOption = None,
) -> None:
    """Keep VARIANT as a speaker of its own, even where the automatic rule would merge it."""
    open_repo(db).set_speaker_correction(dataset, variant, variant)
    say(f"{variant!r} is now kept apart.")


@app.command("reset")
def reset(
    variant: Annotated[str, typer.Argument(help="The name variant whose correction to remove.")],
    dataset: DatasetOption,
    db: DbOption = None,
) -> None:
    """Remove a merge/split correction: VARIANT follows the automatic rule again."""
    open_repo(db).set_speaker_correction(dataset, variant, None)
    say(f"{variant!r} follows the automatic rule again.")
