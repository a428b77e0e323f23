"""``agreement`` and ``review``: how well annotators agree, and adjudicating where they do not."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.console import Console

from annotator.cli.app import DatasetOption, DbOption, app, open_repo
from annotator.db.repo import GOLD, MODEL
from annotator.errors import UserError

LAYERS = ("quotes", "speakers", "cues", "claims", "stance")


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    return names or None


@app.command("agreement")
def agreement(
    dataset: DatasetOption,
    annotators: Annotated[Optional[str], typer.Option("--annotators", help="Comma-separated annotators to compare (default: everyone with done documents except 'gold' and 'model'; name them to include them).")] = None,
    layer: Annotated[Optional[str], typer.Option("--layer", help="Only this layer: quotes, speakers, cues, claims or stance.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the same numbers as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Inter-annotator agreement on done documents: span F1 (exact, overlap), Krippendorff's alpha,
    Cohen's / Fleiss' kappa, Gwet's AC1, percent agreement, speaker and stance agreement.

    Documents not done by every annotator count as missing data; the output lists them.
    """
    from annotator.agreement import compute_agreement

    if layer is not None and layer not in LAYERS:
        raise UserError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
    repo = open_repo(db)
    versions: dict[str, dict[str, object]] = {}
    for ann in repo.versions(dataset, status="done"):
        versions.setdefault(str(ann.annotator), {})[ann.doc_id] = ann
    names = _names(annotators)
    if names is None:  # people only: the adjudicated version and the model are not annotators
        for not_a_person in (GOLD, MODEL):
            versions.pop(not_a_person, None)
    else:
        unknown = [n for n in names if n not in versions]
        if unknown:
            raise UserError(f"no done documents by {', '.join(map(repr, unknown))} in {dataset!r}")
    report = compute_agreement(versions, layers=(layer,) if layer else LAYERS, annotators=names)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, allow_nan=False))
    else:
        report.render(Console())


@app.command("review")
def review(
    dataset: DatasetOption,
    annotators: Annotated[str, typer.Option("--annotators", help="Comma-separated annotators whose versions to adjudicate, e.g. alice,bob.")],
    as_: Annotated[str, typer.Option("--as", help="Name under which the adjudicated versions are stored.")] = "gold",
    redo: Annotated[bool, typer.Option("--redo", help="Review documents that already have an adjudicated version again.")] = False,
    db: DbOption = None,
) -> None:
    """Adjudicate disagreements between annotators in the terminal; the result is stored as its own version ("gold")."""
    from annotator.review import ReviewSession

    session = ReviewSession(open_repo(db), dataset, _names(annotators) or [], target=as_, redo=redo)
    from annotator.tui.review_app import ReviewApp

    ReviewApp(session).run()
