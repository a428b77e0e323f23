"""``train-classifier``: retrain the packaged check-worthiness and stance classifiers from their public corpora."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from annotator.errors import InputError

app = typer.Typer()


class BaseModel(str, Enum):
    claims = "claims"
    stance = "stance"


@app.command("train-classifier")
def train_classifier(
    which: Annotated[BaseModel, typer.Argument(help="claims (ClaimBuster two-class JSON) or stance (NewsMTSC JSONL).")],
    data: Annotated[Path, typer.Option("--data", help="Training file: ClaimBuster train.json or NewsMTSC train.jsonl.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write (model.json, weights.npz, README.md).")],
    dev: Annotated[Optional[Path], typer.Option("--dev", help="stance only: NewsMTSC dev.jsonl, scored in the model card.")] = None,
    held_out: Annotated[float, typer.Option("--held-out", min=0.01, max=0.5, help="Share held out for the model card's scores (claims: sentences; stance: articles).")] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the held-out split.")] = 0,
) -> None:
    """Train a base classifier with its own held-out split and write it with a model card.

    The packaged models are made this way (`make base-models`); use the folder with spaCy config
    `model = "PATH"` of `annotator_checkworthy` / `annotator_stance_clf`, or copy it over the packaged one.
    """
    from annotator.io.output import check_folder_output
    from annotator.nlp import train_base as tb

    for path in (data, dev):
        if path is not None and not path.is_file():
            raise InputError("no such file", str(path))
    check_folder_output(out)

    def log(message: str) -> None:
        typer.echo(message, err=True)

    if which is BaseModel.claims:
        tb.train_checkworthy(data, out, held_out=held_out, seed=seed, log=log)
    else:
        tb.train_stance(data, out, dev=dev, held_out=held_out, seed=seed, log=log)
    typer.echo(f"Wrote {out} (model card: {out / 'README.md'})")
