"""Update the shipped base models on a dataset's gold, and measure base vs updated on held-out documents.

What is updated (the rules stay as they are):

- attribution: a CRF stacked on the shipped one (``annotator.nlp.stacked``), trained on the gold's token
  labels (``annotator.training.attribution.token_labels``) with the base CRF's output as extra features;
- check-worthiness and stance: the packaged linear classifiers trained further from their weights
  (``annotator.training.finetune``); claim examples are the pipeline's own claim candidates, labelled by the
  gold's check-worthy claims they overlap; stance examples are the gold quotes with a stance.

Documents are parsed once with the base pipeline; every fold then runs only the annotator components on
copies of the parsed documents.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from annotator.errors import ModelError, UserError
from annotator.nlp import attribution as na
from annotator.nlp import checkworthy as cw
from annotator.nlp import common as comp
from annotator.nlp import stance_model as sm
from annotator.nlp.quotes import QuoteFinder
from annotator.nlp.stacked import BASE_DIR, STACK_FILE, ScoredTagger, save_tagger, stacked_sequences
from annotator.nlp.textmodel import LinearTextModel
from annotator.scheme import Annotation
from annotator.training.attribution import token_labels
from annotator.training.finetune import finetune

#: crfsuite settings of the stacked CRF (few sequences: stronger L2, no feature cut-off).
STACK_PARAMS = {"c1": 0.0, "c2": 1.0, "max_iterations": 100, "feature.possible_transitions": True}
#: Loss weight of a gold example against the pull toward the base weights (``finetune``).
CLAIMS_WEIGHT = 100.0
STANCE_WEIGHT = 20.0
#: Components of ours that run after parsing, in pipeline order.
TAIL = (comp.QUOTES_FACTORY, na.ATTRIBUTION_FACTORY, comp.SPEAKERS_FACTORY, sm.STANCE_CLF_FACTORY,
        cw.CHECKWORTHY_FACTORY)

Log = Callable[[str], None] | None
T = TypeVar("T")


@dataclass(frozen=True)
class Models:
    """The three learned models a pipeline runs: a CRF folder and two linear classifiers."""

    attribution: Path
    checkworthy: LinearTextModel
    stance: LinearTextModel


def _pipe(nlp: Language, name: str, kind: type[T]) -> T:
    """The pipeline's component ``name``, which must be of ``kind`` (a full pipeline, not ``--rules-only``)."""
    proc = nlp.get_pipe(name) if name in nlp.pipe_names else None
    if not isinstance(proc, kind):
        raise ModelError(f"the pipeline has no {name} component to update")
    return proc


def _attribution(nlp: Language) -> na.AttributionComponent:
    return _pipe(nlp, na.ATTRIBUTION_FACTORY, na.AttributionComponent)


def _checkworthy(nlp: Language) -> cw.CheckworthyComponent:
    return _pipe(nlp, cw.CHECKWORTHY_FACTORY, cw.CheckworthyComponent)


def _stance(nlp: Language) -> sm.StanceClfComponent:
    return _pipe(nlp, sm.STANCE_CLF_FACTORY, sm.StanceClfComponent)


def models_of(nlp: Language) -> Models:
    """The models the pipeline's learned components run now (the shipped ones, or a trained folder's)."""
    return Models(_attribution(nlp).tagger.model_dir, _checkworthy(nlp).classifier.model,
                  _stance(nlp).classifier.model)


def parse(nlp: Language, annotations: Sequence[Annotation], log: Log = None) -> list[Doc]:
    """The documents parsed by the base pipeline, without the annotator components that come after."""
    with nlp.select_pipes(disable=[n for n in TAIL if n in nlp.pipe_names]):
        docs = []
        for i, doc in enumerate(nlp.pipe((a.text for a in annotations), batch_size=8)):
            docs.append(doc)
            _say(log, f"parsed {i + 1}/{len(annotations)}")
    return docs


def _tail(nlp: Language, models: Models) -> list[Callable[[Doc], Doc]]:
    return [nlp.get_pipe(comp.QUOTES_FACTORY),
            na.AttributionComponent(ScoredTagger(models.attribution), _attribution(nlp).mode),
            nlp.get_pipe(comp.SPEAKERS_FACTORY),
            sm.StanceClfComponent(_stance(nlp).targets, sm.StanceClassifier(models.stance)),
            cw.CheckworthyComponent(cw.CheckworthyClassifier(models.checkworthy), _checkworthy(nlp).all_claims)]


def run(nlp: Language, docs: Sequence[Doc], models: Models) -> list[Doc]:
    """Copies of parsed ``docs`` with the annotator components run on them, with ``models``."""
    steps = _tail(nlp, models)
    out = []
    for doc in docs:
        doc = doc.copy()
        for step in steps:
            doc = step(doc)
        out.append(doc)
    return out


def predict(nlp: Language, docs: Sequence[Doc], annotations: Sequence[Annotation], models: Models) -> list[Annotation]:
    from annotator.nlp.convert import doc_to_annotation

    return [doc_to_annotation(doc, a.doc_id) for doc, a in zip(run(nlp, docs, models), annotations)]


def train_stacked_crf(docs: Sequence[Doc], annotations: Sequence[Annotation], base_dir: Path, out_dir: Path) -> Path:
    """A CRF stacked on ``base_dir``'s, trained on the gold token labels; written to ``out_dir``."""
    import pycrfsuite

    base = ScoredTagger(base_dir)
    if base.base is not None:  # updating an updated model: stack on its base again, never two levels deep
        base_dir, base = base_dir / BASE_DIR, base.base
    stacked = out_dir / "stacked"
    save_tagger(base_dir, stacked / BASE_DIR)
    trainer = pycrfsuite.Trainer(verbose=False)
    rules = QuoteFinder()
    for doc, ann in zip(docs, annotations):
        labels = token_labels(doc, ann)
        rules(doc)  # the rules' records are base features, as when the pipeline runs (quotes first)
        for idx, feats in stacked_sequences(base, doc):
            trainer.append(feats, [labels[i] for i in idx])
    trainer.set_params(STACK_PARAMS)
    trainer.train(str(stacked / "model.crfsuite"))
    shutil.copy2(base_dir / "cue_lemmas.json", stacked / "cue_lemmas.json")
    (stacked / STACK_FILE).write_text('{"stacked_on": "base"}\n', encoding="utf-8")
    return stacked


def claim_examples(docs: Sequence[Doc], annotations: Sequence[Annotation]) -> tuple[list[list[str]], list[str]]:
    """The classifier's rows for every claim candidate of the processed ``docs``, labelled ``"1"`` when the
    candidate overlaps a check-worthy gold claim."""
    rows, labels = [], []
    for doc, ann in zip(docs, annotations):
        gold = [(c.start, c.end) for c in ann.kept().claims if c.checkworthy]
        for s, e, _name, (a, b) in cw.candidates_in_context(doc, doc._.get(comp.ATTRIBUTIONS_EXT) or []):
            ctx = doc.char_span(a, b, alignment_mode="expand")
            if ctx is None:
                continue
            rows.append(cw.claim_row(ctx))
            labels.append("1" if any(gs < e and s < ge for gs, ge in gold) else "0")
    return rows, labels


def stance_examples(docs: Sequence[Doc], annotations: Sequence[Annotation]) -> tuple[list[list[str]], list[str]]:
    """The classifier's rows for every gold quote with a stance toward a target it mentions (``docs``: the
    parsed texts, read for the mention's place in the parse)."""
    rows, labels = [], []
    for doc, ann in zip(docs, annotations):
        for q in ann.kept().quotes:
            if q.stance is None:
                continue
            mention = sm.find_mention(q.text, q.stance.target)
            at = (doc, q.start) if doc.text[q.start : q.end] == q.text else None
            rows.append(sm.stance_fields(q.text, mention[0], mention[1], at) if mention else sm.stance_fields(q.text, None, None))
            labels.append(q.stance.label)
    return rows, labels


def update(nlp: Language, docs: Sequence[Doc], annotations: Sequence[Annotation], base: Models,
           work: Path) -> Models:
    """``base`` updated on the gold of ``docs`` (the CRF folder is written under ``work``)."""
    crf = train_stacked_crf(docs, annotations, base.attribution, work)
    processed = run(nlp, docs, base)
    claim_rows, claim_labels = claim_examples(processed, annotations)
    stance_rows, stance_labels = stance_examples(docs, annotations)
    known = set(base.stance.classes)
    stance_pairs = [(r, y) for r, y in zip(stance_rows, stance_labels) if y in known]
    return Models(crf, finetune(base.checkworthy, claim_rows, claim_labels, CLAIMS_WEIGHT),
                  finetune(base.stance, [r for r, _ in stance_pairs], [y for _, y in stance_pairs], STANCE_WEIGHT))


def folds(n: int, k: int = 5) -> list[list[int]]:
    """Held-out document indices of each fold: one document each when there are at most ``k``, else ``k``
    interleaved folds."""
    if n < 2:
        raise UserError(f"training needs at least 2 done documents, found {n}")
    k = min(k, n)
    return [list(range(f, n, k)) for f in range(k)]


def cross_validate(nlp: Language, docs: Sequence[Doc], annotations: Sequence[Annotation], base: Models,
                   work: Path, k: int = 5, log: Log = None) -> dict[str, list[Annotation]]:
    """Held-out predictions of every document: the base models, and the base updated on the other folds."""
    base_pred = predict(nlp, docs, annotations, base)
    updated: list[Annotation | None] = [None] * len(docs)
    for f, held in enumerate(folds(len(docs), k)):
        rest = [i for i in range(len(docs)) if i not in held]
        models = update(nlp, [docs[i] for i in rest], [annotations[i] for i in rest], base, work / f"fold-{f}")
        for i, pred in zip(held, predict(nlp, [docs[i] for i in held], [annotations[i] for i in held], models)):
            updated[i] = pred
        _say(log, f"fold {f + 1}: held out {', '.join(annotations[i].doc_id for i in held)}")
    return {"base": base_pred, "updated": [p for p in updated if p is not None]}


def _say(log: Log, message: str) -> None:
    if log is not None:
        log(message)


def install(nlp: Language, models: Models) -> None:
    """Put ``models`` into the pipeline's learned components (``nlp.to_disk`` then saves them)."""
    _attribution(nlp).tagger = ScoredTagger(models.attribution)
    _checkworthy(nlp).classifier = cw.CheckworthyClassifier(models.checkworthy)
    _stance(nlp).classifier = sm.StanceClassifier(models.stance)


def scores(gold: Sequence[Annotation], pred: Sequence[Annotation]) -> dict[str, Any]:
    """The numbers ``train`` reports: per layer F1, speaker and stance."""
    from annotator.nlp.evaluate import evaluate

    report = evaluate(list(gold), list(pred))
    out: dict[str, Any] = {name: report.scores[name].f1 for name in (
        "quotes_overlap", "quotes_exact", "direct_overlap", "indirect_overlap", "mixed_overlap", "cues_overlap",
        "claims_overlap", "claims_sentence") if name in report.scores}
    out["speaker_accuracy"] = report.accuracy["speaker"].value if "speaker" in report.accuracy else None
    out["stance_accuracy"] = report.accuracy["stance"].value if "stance" in report.accuracy else None
    return {k: (None if v is None else round(v, 3)) for k, v in out.items()}
