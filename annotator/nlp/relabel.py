"""Labels for spans someone already has (``annotator predict --keep-spans``): gold spans in, model labels out.

Every quote keeps its span, kind, cue and speaker, and its stance *target* when one is given; only the label
is predicted (toward that target; with no target given, toward the dataset target the quote mentions most, or
no stance when it mentions none). Every claim keeps its span and speaker; only ``checkworthy`` is predicted.
Labels in the input are never read. The classifiers come from the loaded pipeline, so a trained pipeline
with its own components is used the same way as the packaged one. Each text is parsed once by the base
pipeline: the check-worthiness classifier reads the parse, and so does the stance classifier (the mention's
relation and governing verb).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from annotator.errors import ModelError
from annotator.nlp.checkworthy import CHECKWORTHY_FACTORY, CheckworthyComponent
from annotator.nlp.convert import MODEL_ANNOTATOR, SUGGESTED
from annotator.nlp.stance_model import STANCE_CLF_FACTORY, StanceClfComponent
from annotator.scheme import Annotation, Stance


class RelabelError(ModelError):
    """The pipeline lacks a learned component that relabelling needs."""


def _component(nlp: Language, name: str, kind: type) -> object:
    for _name, pipe in nlp.pipeline:
        if isinstance(pipe, kind):
            return pipe
    raise RelabelError(f"the pipeline has no {name} component (needed by --keep-spans)")


def relabel(nlp: Language, annotations: Iterable[Annotation],
            targets: Sequence[str] | None = None) -> Iterator[Annotation]:
    """Each annotation with predicted stance labels and check-worthiness, spans untouched (annotator "model").

    Raises ``RelabelError`` at once (before any output) when the pipeline lacks the learned components.
    """
    stance = _component(nlp, STANCE_CLF_FACTORY, StanceClfComponent)
    claims = _component(nlp, CHECKWORTHY_FACTORY, CheckworthyComponent)
    assert isinstance(stance, StanceClfComponent) and isinstance(claims, CheckworthyComponent)
    return _relabelled(nlp, annotations, stance, claims, list(targets) if targets else stance.targets)


_OURS = "annotator_"


def _relabelled(nlp: Language, annotations: Iterable[Annotation], stance: StanceClfComponent,
                claims: CheckworthyComponent, dataset_targets: list[str]) -> Iterator[Annotation]:
    for ann in annotations:
        kept = ann.kept()
        doc = _parse(nlp, ann.text) if kept.quotes or kept.claims else None
        quotes = []
        for q in kept.quotes:
            content = ann.text[q.start : q.end]
            at = (doc, q.start) if doc is not None else None
            new: Stance | None
            if q.stance is not None:
                label, _score = stance.classifier.toward(content, q.stance.target, at)
                new = Stance(q.stance.target, label)
            else:
                best = stance.classifier.best_target(content, dataset_targets, at)
                new = Stance(best[0], best[1]) if best else None
            quotes.append(replace(q, stance=new, status=SUGGESTED))
        new_claims = []
        if kept.claims and doc is not None:
            spans = [doc.char_span(c.start, c.end, alignment_mode="expand") or doc[0:0] for c in kept.claims]
            decisions = claims.classifier.decide(spans)
            new_claims = [replace(c, checkworthy=ok, status=SUGGESTED) for c, (ok, _s) in zip(kept.claims, decisions)]
        yield replace(ann, annotator=MODEL_ANNOTATOR, status="done", quotes=tuple(quotes), claims=tuple(new_claims))


def _parse(nlp: Language, text: str) -> Doc:
    """The text parsed once by the base pipeline (both classifiers read the parse), our components off."""
    with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n.startswith(_OURS)]):
        return nlp(text)
