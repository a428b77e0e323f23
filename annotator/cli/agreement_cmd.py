"""``agreement`` and ``review``: how well annotators agree, and adjudicating where they do not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer

from annotator.cli.common import open_repo, say, say_json
from annotator.cli.options import DatasetOption, DbOption
from annotator.display import literal
from annotator.errors import UserError

if TYPE_CHECKING:
    from rich.console import Console

    from annotator.records import VersionRows
    from annotator.scheme import Annotation

app = typer.Typer()

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
    against: Annotated[Optional[str], typer.Option("--against", help="Compare each annotator with this adjudicated version (e.g. gold): span P/R/F1, speaker and stance accuracy.")] = None,
    by_document: Annotated[bool, typer.Option("--by-document", help="List documents by disagreement, most first (the order of review --order disagreement).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the same numbers as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Inter-annotator agreement on done documents: span F1 (exact, overlap), unitizing alpha,
    Krippendorff's alpha, Cohen's / Fleiss' kappa, Gwet's AC1, percent agreement, speaker and stance
    agreement (pairs, and over units matched across all annotators).

    Documents not done by every annotator count as missing data; the output lists them.
    """
    from dataclasses import replace

    from rich.console import Console

    from annotator.agreement.report import compute_agreement_rows
    from annotator.agreement.versions import blind_compared, compared_annotators, overlapping_documents

    if layer is not None and layer not in LAYERS:
        raise UserError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
    repo = open_repo(db)
    if against is not None and by_document:
        raise UserError("use either --against or --by-document")
    chosen = (layer,) if layer else LAYERS
    console = Console()
    names = compared_annotators(repo.annotators(dataset, status="done"), dataset, _names(annotators), against)
    assigned = repo.assignments(dataset)
    # A split dataset: only the overlap can be compared (against gold: every document both did).
    overlap = overlapping_documents(names, assigned) if assigned and against is None else None
    note = None if overlap is None else _overlap_note(len(overlap))
    done_ids: dict[str, set[str]] = {}  # annotator -> their done documents, seen while streaming

    def batches() -> Iterator[VersionRows]:
        """The stored done versions as plain rows, batch by batch (in memory bounded by one batch)."""
        for batch in repo.version_rows(dataset, status="done"):
            for _, d, name, _ in batch.versions:
                done_ids.setdefault(name, set()).add(batch.doc_ids[d])
            if overlap is not None:
                batch = replace(batch, versions=tuple(v for v in batch.versions if batch.doc_ids[v[1]] in overlap))
            yield batch

    if against is not None:
        from annotator.agreement.gold import gold_report
        from annotator.agreement.render import gold_tables

        result = gold_report(against, names, lambda pair: compute_agreement_rows(batches(), pair, chosen))
        blind = blind_compared(repo.blind_versions(dataset), done_ids, [*names, against])
        _notes(blind, None, as_json, console)
        _show({**result.to_dict(), **({"blind": blind} if blind else {})}, gold_tables(result), as_json, console)
        return
    if by_document:
        from annotator.agreement.collect import stream_documents
        from annotator.agreement.documents import ranked
        from annotator.agreement.render import documents_table

        def done_versions() -> Iterator[Annotation]:
            for ann in repo.versions(dataset, status="done"):
                done_ids.setdefault(str(ann.annotator), set()).add(ann.doc_id)
                yield ann

        documents = ({names[a]: ann for a, ann in sorted(group, key=lambda g: g[0])}
                     for doc_id, group in stream_documents(done_versions(), names)
                     if overlap is None or doc_id in overlap)
        scores = ranked(documents)
        blind = blind_compared(repo.blind_versions(dataset), done_ids, names)
        _notes(blind, note, as_json, console)
        data = {"documents": [d.to_dict() for d in scores], **({"blind": blind} if blind else {})}
        _show({**data, "assignment": note} if note else data, [documents_table(scores)], as_json, console)
        return
    from annotator.agreement.render import report_tables

    report = compute_agreement_rows(batches(), names, chosen)
    blind = blind_compared(repo.blind_versions(dataset), done_ids, names)
    _notes(blind, note, as_json, console)
    data = {**report.to_dict(), **({"blind": blind} if blind else {})}
    _show({**data, "assignment": note} if note else data, report_tables(report, console.width), as_json, console)


def _overlap_note(overlapping: int) -> dict[str, object]:
    text = (f"the dataset is assigned: compared on the {overlapping} documents assigned to two or more of "
            "these annotators")
    return {"overlapping_documents": overlapping, "note": text}


def _notes(blind: dict[str, object] | None, note: dict[str, object] | None, as_json: bool, console: Console) -> None:
    """The blind and assignment notes above the tables (in the JSON they are keys)."""
    if as_json:
        return
    for part in (blind, note):
        if part:
            console.print(literal(str(part["note"])))


def _show(data: dict, tables: list, as_json: bool, console: Console) -> None:
    if as_json:
        say_json(data)
    else:
        for table in tables:
            console.print(table)


@app.command("review")
def review(
    dataset: DatasetOption,
    annotators: Annotated[str, typer.Option("--annotators", help="Comma-separated annotators whose versions to adjudicate, e.g. alice,bob.")],
    as_: Annotated[str, typer.Option("--as", help="Name under which the adjudicated versions are stored.")] = "gold",
    redo: Annotated[bool, typer.Option("--redo", help="Review documents that already have an adjudicated version again.")] = False,
    order: Annotated[str, typer.Option("--order", help="Document order: 'dataset' (as imported) or 'disagreement' (most disputed first, as agreement --by-document lists them).")] = "dataset",
    db: DbOption = None,
) -> None:
    """Adjudicate disagreements between annotators in the terminal; the result is stored as its own version ("gold").

    Documents on which all of them agree are stored as that version at once (there is nothing to decide).
    Needs a terminal.
    """
    from annotator.review.session import ORDERS, ReviewSession
    from annotator.tui.run import require_terminal, run_app

    if order not in ORDERS:
        raise UserError(f"unknown --order {order!r}; choose one of {', '.join(ORDERS)}")
    require_terminal("review")
    session = ReviewSession(open_repo(db), dataset, _names(annotators) or [], target=as_, redo=redo, order=order)
    agreed = session.accept_agreed_documents()
    if agreed:
        say(f"Stored {agreed} document(s) on which {', '.join(session.annotators)} agree as {as_!r}.")
    if not session.documents:
        say(f"No disagreements left to review in {dataset!r}.")
        return
    from annotator.tui.review_app import ReviewApp

    raise typer.Exit(run_app(ReviewApp(session), "review"))
