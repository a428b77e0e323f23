"""``assign``: split a dataset among annotators with a chosen overlap."""

from __future__ import annotations

from typing import Annotated

import typer

from annotator.cli.common import data_table, open_repo
from annotator.cli.options import DatasetOption, DbOption
from annotator.display import literal
from annotator.errors import UserError

app = typer.Typer()


@app.command("assign")
def assign(
    dataset: DatasetOption,
    annotators: Annotated[str, typer.Option("--annotators", help="Comma-separated annotators to give documents to, e.g. a,b,c.")],
    overlap: Annotated[int, typer.Option("--overlap", help="How many annotators each document goes to (agreement is measured where it is 2 or more).")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the tie-breaking draw: the same seed on the same state gives the same assignment.")] = 0,
    db: DbOption = None,
) -> None:
    """Give each document to OVERLAP annotators, balanced and reproducible; stored in the database.

    Running it again assigns only what is new (new documents, new annotators, a larger overlap);
    nothing already assigned moves. `annotate` then shows an annotator only their documents.
    """
    from rich.console import Console  # imported here: CLI start-up stays cheap

    names = list(dict.fromkeys(n.strip() for n in annotators.split(",") if n.strip()))
    if not names:
        raise UserError("assign needs at least one annotator: --annotators a,b,c")
    result = open_repo(db).assign(dataset, names, overlap, seed)
    console = Console()
    console.print(literal(f"Assignment of {dataset}: {result.documents} documents, overlap {result.overlap}"))
    table = data_table("annotator", "added now", "assigned", right=("added now", "assigned"))
    for name, added, total in result.annotators:
        table.add_row(literal(name), str(added), str(total))
    console.print(table)
