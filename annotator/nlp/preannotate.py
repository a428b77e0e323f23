"""Pre-annotate a stored dataset: the documents without suggestions go through the pipeline as one model run.

Resumable by construction: the suggestions (and the tokenization) are committed a chunk at a time, so a run
that is stopped keeps what it committed, and the next run picks up the documents still without suggestions.
Documents are read from the database a chunk at a time too, as the pipeline asks for them: memory does not
grow with the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from annotator.nlp.pipeline import annotate, model_info

if TYPE_CHECKING:
    from spacy.language import Language

    from annotator.db.repo import Repository


@dataclass(frozen=True, slots=True)
class PreannotateResult:
    documents: int  #: documents given suggestions in this run
    model_name: str
    model_version: str
    run_id: int | None  #: None when there was nothing to do (no model run was started)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def preannotate_dataset(
    repo: "Repository", dataset: str, nlp: "Language", todo: Sequence[int], batch_size: int = 32,
    n_process: int = 1, progress: Callable[[int], None] | None = None,
) -> PreannotateResult:
    """Run ``nlp`` over the documents ``todo`` of ``dataset`` (``repo.documents_to_preannotate``), stored as
    one model run.

    One commit per ``batch_size * n_process`` documents; ``progress`` is told how many were stored after
    each commit.
    """
    name, version = model_info(nlp)
    if not todo:
        return PreannotateResult(0, name, version, None)
    info = repo.get_dataset(dataset)
    config = {"pipeline": list(nlp.pipe_names), "stance_targets": list(info.stance_targets), "batch_size": batch_size,
              "n_process": n_process}
    run_id: int | None = None  # started with its first stored batch: an interrupted run leaves no empty one
    commit_every = max(batch_size, 1) * max(n_process, 1)
    id_of: dict[str, int] = {}

    def texts() -> Iterator[tuple[str, str]]:
        """Documents read from the database a chunk at a time, as the pipeline asks for them."""
        for chunk in _chunks(todo, commit_every):
            for d in repo.documents(dataset, ids=chunk):
                id_of[d.ext_id] = d.id
                yield d.text, d.ext_id

    done = 0
    results = annotate(nlp, texts(), batch_size=batch_size, n_process=n_process)
    while chunk_results := list(islice(results, commit_every)):  # one commit per chunk: resumable
        if run_id is None:
            run_id = repo.start_model_run(dataset, name, version, config)
        stored = repo.add_suggestions(run_id, [(id_of.pop(ext), ann, toks) for ext, ann, toks in chunk_results])
        done += stored
        if progress is not None:
            progress(stored)
    return PreannotateResult(done, name, version, run_id)
