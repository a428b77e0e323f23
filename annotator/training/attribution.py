"""Train the attribution CRF from brat standoff (PolNeAR) through the brat import's reading of it.

``load_corpus`` reads a brat folder with the same code as ``annotator import --format brat`` (one version per
text: the first annotator's), ``split`` holds out a share of the articles (by article, seeded),
``train_crf`` parses the texts with the base spaCy pipeline and fits a linear-chain CRF (python-crfsuite,
L-BFGS) on token BIO labels ``SRC``/``CUE``/``CON``. The result is a model folder that
``annotator.nlp.attribution`` loads: ``model.crfsuite`` and ``cue_lemmas.json``.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from annotator.errors import InputError
from annotator.io import brat
from annotator.nlp import lexicon as lx
from annotator.nlp.attribution_features import Featurizer
from annotator.nlp.common import ATTRIBUTIONS_EXT
from annotator.scheme import Annotation

#: crfsuite settings of the shipped model (L-BFGS with elastic-net regularisation). ``c2`` 3.0 (was 0.1):
#: on all 753 training articles joined F 0.752 / 0.756 / 0.759 and exact 0.537 / 0.556 / 0.560 on the tuning
#: split at c2 0.1 / 1.0 / 3.0 (model card): fewer, wider contents, cut as PolNeAR cuts them more often.
CRF_PARAMS = {"c1": 0.02, "c2": 3.0, "max_iterations": 60, "feature.possible_transitions": True,
              "feature.minfreq": 2}
#: The second pass (``annotator.nlp.attribution_clauses``): L2 strength of the logistic regression, and the
#: probability a candidate must reach (a record helps F when its chance of matching exceeds F / 2 ~ 0.37).
#: Chosen on 75 training articles held out from the classifier (dev average precision 0.815 at C 0.3; 0.839
#: at 0.1 and 0.840 at 1.0 without the object/preposition variants).
CLAUSE_PARAMS = {"c": 0.3, "threshold": 0.4}
#: The record filter (``annotator.nlp.attribution_records``): L2 strength, and the probability a CRF record
#: must reach to stay (F / 2 again). Cross-fitted records of the 753 training articles; on the tuning split
#: joined F 0.747 -> 0.753 at 0.35 (0.752 at 0.3 and 0.4; C 0.1 / 1.0 within 0.001), with the c2 0.1 CRF.
RECORD_PARAMS = {"c": 0.3, "threshold": 0.35}
#: A noun or adjective lemma becomes a second-pass cue word (``ClauseModel.cue_nouns``) when at least this
#: many of its training candidates are attributions.
CUE_NOUN_MIN = 2
#: A ``predict_modes`` mode with this suffix leaves the second pass and the record filter out.
CRF_ONLY = "-crf"
#: A lemma becomes a cue word when at least this many training cues have it as their head word ...
CUE_MIN_COUNT = 3
#: ... and at least this share of its occurrences are cues.
CUE_MIN_SHARE = 0.15


@dataclass(frozen=True)
class Corpus:
    annotations: list[Annotation]
    skipped: list[str]  # "file:line: problem" of .ann files that could not be read


def load_corpus(root: Path, scheme: str = "polnear") -> Corpus:
    """One annotation per text (the alphabetically first annotator); unreadable .ann files are skipped
    and reported (PolNeAR's train split has three with a newline inside a span)."""
    sch = brat.load_scheme(scheme)
    files = brat.brat_files(sorted(root.rglob("*.ann")))
    chosen: dict[Path, brat.BratFile] = {}
    for f in sorted(files, key=lambda f: (str(f.text), f.annotator)):
        chosen.setdefault(f.text, f)
    out, skipped = [], []
    for f in chosen.values():
        text = brat.read_text(f.text)
        try:
            entities, events = brat.parse_ann(f.ann, text, sch)
        except InputError as exc:
            skipped.append(str(exc))
            continue
        out.append(brat.build_annotation(f.doc_id, text, entities, events, sch, f.annotator,
                                         {"source": f.text.name}))
    return Corpus(out, skipped)


def split(annotations: Sequence[Annotation], tune_share: float = 0.1, seed: int = 0
          ) -> tuple[list[Annotation], list[Annotation]]:
    """``(train, tune)`` by article: a seeded shuffle of the sorted document ids."""
    ids = sorted(a.doc_id for a in annotations)
    random.Random(seed).shuffle(ids)
    tune_ids = set(ids[: max(1, round(len(ids) * tune_share))]) if len(ids) > 1 else set()
    return ([a for a in annotations if a.doc_id not in tune_ids], [a for a in annotations if a.doc_id in tune_ids])


def token_labels(doc: Doc, ann: Annotation) -> list[str]:
    """BIO labels of every token: ``B-CON``/``I-CON`` (content), ``B-CUE``/``I-CUE``, ``B-SRC``/``I-SRC``,
    else ``O``. A cue or source inside its content (PolNeAR joins "“X,” he said, “Y”" into one span when a
    fragment is not a direct quote on its own) keeps its label: the content goes on after it
    (``annotator.nlp.attribution.group`` joins the pieces again)."""
    labels = ["O"] * len(doc)
    spans: list[tuple[int, int, str]] = [(q.start, q.end, "CON") for q in ann.quotes]
    for q in ann.quotes:  # after the contents: they win a conflict
        if q.speaker is not None:
            spans.append((q.speaker.start, q.speaker.end, "SRC"))
        if q.cue is not None:
            spans.append((q.cue.start, q.cue.end, "CUE"))
    for start, end, label in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        for tok in span if span is not None else ():
            if not tok.is_space:
                labels[tok.i] = label
    out, prev = [], "O"
    for tok, label in zip(doc, labels):
        if tok.is_space:
            out.append("O")
            continue
        out.append(label if label == "O" else f"{'I' if prev == label else 'B'}-{label}")
        prev = label
    return out


def learn_cue_lemmas(docs: Iterable[tuple[Doc, Annotation]]) -> list[str]:
    """Cue words: lemmas often heading a training cue (plus the rule lexicon's reporting verbs)."""
    as_cue: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for doc, ann in docs:
        for tok in doc:
            seen[tok.lemma_.lower()] += 1
        for q in ann.quotes:
            if q.cue is None:
                continue
            span = doc.char_span(q.cue.start, q.cue.end, alignment_mode="expand")
            if span is not None and len(span):
                as_cue[span.root.lemma_.lower()] += 1
    learnt = {lem for lem, n in as_cue.items() if n >= CUE_MIN_COUNT and n / max(seen[lem], 1) >= CUE_MIN_SHARE}
    return sorted(learnt | set(lx.REPORTING_VERBS) | {"accord"})


def parse(nlp: Language, annotations: Sequence[Annotation], log: Callable[[str], None] | None = None) -> list[Doc]:
    docs = []
    for i, doc in enumerate(nlp.pipe((a.text for a in annotations), batch_size=16)):
        docs.append(doc)
        if log and (i + 1) % 100 == 0:
            log(f"parsed {i + 1}/{len(annotations)}")
    return docs


def train_crf(docs: Sequence[Doc], annotations: Sequence[Annotation], out_dir: Path,
              params: dict[str, Any] | None = None, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fit the CRF and write ``out_dir/model.crfsuite`` and ``cue_lemmas.json``; returns training facts.

    ``docs`` have been through ``load_pipeline(rules_only=True)``: the rules' records in
    ``doc._.attributions`` are features (``attribution_features.Featurizer``), as they are at prediction."""
    import pycrfsuite

    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    cue_lemmas = learn_cue_lemmas(zip(docs, annotations))
    features = Featurizer(frozenset(cue_lemmas))
    trainer = pycrfsuite.Trainer(verbose=False)
    n_tokens = 0
    for doc, ann in zip(docs, annotations):
        labels = token_labels(doc, ann)
        for idx, feats in features.sequences(doc, doc._.get(ATTRIBUTIONS_EXT)):
            trainer.append(feats, [labels[i] for i in idx])
            n_tokens += len(idx)
    settings = {**CRF_PARAMS, **(params or {})}
    trainer.set_params(settings)
    if log:
        log(f"training on {len(docs)} documents, {n_tokens} tokens, {len(cue_lemmas)} cue lemmas")
    trainer.train(str(out_dir / "model.crfsuite"))
    (out_dir / "cue_lemmas.json").write_text(json.dumps(cue_lemmas, indent=0) + "\n", encoding="utf-8")
    return {"documents": len(docs), "tokens": n_tokens, "cue_lemmas": len(cue_lemmas), "params": settings,
            "seconds": round(time.monotonic() - started, 1)}


def clause_labels(doc: Doc, ann: Annotation, cands: Sequence[Any]) -> list[int]:
    """1 for a candidate whose verb is inside a gold cue whose content it matches (character Jaccard at
    least the evaluation's 0.3), else 0."""
    from annotator.nlp.evaluate import OVERLAP_THRESHOLD, char_jaccard

    gold = [q for q in ann.quotes if q.cue is not None]
    out = []
    for c in cands:
        verb = doc[c.verb]
        start, end = doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1].text)
        out.append(int(any(q.cue.start < verb.idx + len(verb.text) and verb.idx < q.cue.end
                           and char_jaccard(start, end, q.start, q.end) >= OVERLAP_THRESHOLD
                           for q in gold if q.cue is not None)))
    return out


def train_clauses(docs: Sequence[Doc], annotations: Sequence[Annotation], out_dir: Path,
                  params: dict[str, Any] | None = None, log: Callable[[str], None] | None = None
                  ) -> dict[str, Any]:
    """Fit the second pass on every verb-clause candidate of the training docs, and the noun/adjective ones
    of the cue nouns (lemmas with at least ``CUE_NOUN_MIN`` attributions among their candidates), and write
    ``out_dir/clauses.json``; returns training facts."""
    from annotator.nlp import attribution_clauses as ac

    started = time.monotonic()
    settings = {**CLAUSE_PARAMS, **(params or {})}
    rows: list[dict[str, Any]] = []
    labels: list[int] = []
    lemmas: list[str | None] = []  # a noun candidate's lemma, None for a verb's
    for doc, ann in zip(docs, annotations):
        cands = ac.candidates(doc, nouns=None)
        rows.extend(ac.features(doc, cands, doc._.get(ATTRIBUTIONS_EXT)))
        labels.extend(clause_labels(doc, ann, cands))
        lemmas.extend(doc[c.verb].lemma_.lower() if c.variant.startswith(ac.NOUN_VARIANT + ":") else None
                      for c in cands)
    found = Counter(lem for lem, y in zip(lemmas, labels) if y and lem is not None)
    nouns = frozenset(lem for lem, n in found.items() if n >= CUE_NOUN_MIN)
    keep = [i for i, lem in enumerate(lemmas) if lem is None or lem in nouns]
    rows, labels = [rows[i] for i in keep], [labels[i] for i in keep]
    if log:
        n_nouns = sum(1 for i in keep if lemmas[i] is not None)
        log(f"second pass: {len(rows)} clause candidates ({n_nouns} of {len(nouns)} cue nouns), "
            f"{sum(labels)} attributions")
    if len(set(labels)) < 2:
        raise InputError("the training texts give no verb-clause attributions to learn the second pass from")
    model = ac.ClauseModel.fit(rows, labels, c=float(settings["c"]), threshold=float(settings["threshold"]),
                               cue_nouns=nouns)
    model.save(out_dir)
    return {**model.info, "cue_nouns": len(nouns), "threshold": model.threshold,
            "seconds": round(time.monotonic() - started, 1)}


#: What a CRF says about one doc (``ScoredTagger.tag_all``): its scored spans and each token's P(content).
Tagged = tuple[list[tuple[str, int, int, float]], dict[int, float]]


def cross_fit(docs: Sequence[Doc], annotations: Sequence[Annotation], params: dict[str, Any] | None = None,
              log: Callable[[str], None] | None = None, seed: int = 0) -> list[Tagged]:
    """Each doc tagged by a CRF trained on the other half of the texts (halves by article, seeded): what
    the shipped CRF says about texts it has not seen, for the stages learnt on top of it (on its own
    training texts its records are nearly all right, and a filter learnt there would keep everything)."""
    from annotator.nlp.stacked import ScoredTagger

    first = {a.doc_id for a in split(annotations, 0.5, seed)[1]}
    half = [int(a.doc_id in first) for a in annotations]
    if len(set(half)) < 2:
        raise InputError("cross-fitting the CRF needs at least two training texts (with different ids)")
    out: list[Tagged | None] = [None] * len(docs)
    with tempfile.TemporaryDirectory() as tmp:
        for k in (0, 1):
            folder = Path(tmp) / f"half{k}"
            mine = [i for i, h in enumerate(half) if h == k]
            if log:
                log(f"cross-fitting: a CRF on {len(mine)} texts tags the other {len(docs) - len(mine)}")
            train_crf([docs[i] for i in mine], [annotations[i] for i in mine], folder, params=params)
            tagger = ScoredTagger(folder)
            for i, h in enumerate(half):
                if h != k:
                    out[i] = tagger.tag_all(docs[i])
    return [t for t in out if t is not None]


def train_records(docs: Sequence[Doc], annotations: Sequence[Annotation], out_dir: Path,
                  params: dict[str, Any] | None = None, crf_params: dict[str, Any] | None = None,
                  log: Callable[[str], None] | None = None, tagged: Sequence[Tagged] | None = None
                  ) -> dict[str, Any]:
    """Fit the record filter on the records grouped from cross-fitted CRFs' spans (``tagged``, else
    ``cross_fit`` with ``crf_params``) and write ``out_dir/records.json``: a record is right when it
    matches a gold content at the evaluation's 0.3 character overlap. With fewer than two texts, or no
    right and no wrong records to learn from, there is no filter (the file is removed): every record stays."""
    from annotator.nlp import attribution as na
    from annotator.nlp import attribution_records as ar
    from annotator.nlp.attribution_clauses import ClauseModel
    from annotator.nlp.evaluate import OVERLAP_THRESHOLD, char_jaccard

    started = time.monotonic()
    settings = {**RECORD_PARAMS, **(params or {})}
    (out_dir / ar.RECORD_FILE).unlink(missing_ok=True)
    if tagged is None:
        if len(annotations) < 2:
            return {"skipped": "cross-fitting needs at least two training texts"}
        tagged = cross_fit(docs, annotations, params=crf_params, log=log)
    rows: list[dict[str, Any]] = []
    labels: list[int] = []
    for doc, ann, (spans, content) in zip(docs, annotations, tagged):
        sent_of = na.sentence_index(doc)
        for r in na.group(doc, [(k, s, e) for k, s, e, _p in spans]):
            f = ar.record_features(doc, r, content, sent_of)
            if f is not None:
                rows.append(f)
                labels.append(int(any(char_jaccard(r["start"], r["end"], q.start, q.end) >= OVERLAP_THRESHOLD
                                      for q in ann.quotes)))
    if log:
        log(f"record filter: {len(rows)} CRF records, {sum(labels)} right")
    if len(set(labels)) < 2:
        return {"skipped": "the cross-fitted CRFs give no right and wrong records to learn from"}
    model = ClauseModel.fit(rows, labels, c=float(settings["c"]), threshold=float(settings["threshold"]))
    model.save(out_dir, ar.RECORD_FILE)
    return {**model.info, "threshold": model.threshold, "seconds": round(time.monotonic() - started, 1)}


def predict_modes(docs: Sequence[Doc], annotations: Sequence[Annotation], model_dir: Path,
                  modes: Sequence[str] = ("rules", "learned", "joined")) -> dict[str, list[Annotation]]:
    """Each mode's predictions for docs already run through ``load_pipeline(rules_only=True)``.

    ``rules`` are the rule records as they are; ``learned`` and ``joined`` run the CRF, the join, the record
    filter, the cut before a coordinated cue verb and the second pass (``annotator.nlp.attribution``, in the
    component's order), ``learned-crf`` and ``joined-crf`` the same without the filter and the second pass;
    every mode then gets the rules' speaker resolution.
    """
    from annotator.nlp import attribution as na
    from annotator.nlp import attribution_records as ar
    from annotator.nlp import common as comp
    from annotator.nlp.attribution_clauses import ClauseModel
    from annotator.nlp.speakers import resolve_speakers
    from annotator.nlp.convert import doc_to_annotation
    from annotator.nlp.stacked import ScoredTagger

    tagger = ScoredTagger(model_dir)
    clauses = ClauseModel.find(model_dir)
    keep = ar.find(model_dir)
    out: dict[str, list[Annotation]] = {m: [] for m in modes}
    for doc, ann in zip(docs, annotations):
        rules = [dict(r) for r in (doc._.get(comp.ATTRIBUTIONS_EXT) or [])]
        spans, content = tagger.tag_all(doc)
        grouped = na.group(doc, [(k, s, e) for k, s, e, _p in spans]) if set(modes) - {"rules"} else []
        kept = ar.keep_records(doc, grouped, keep, content, na.sentence_index(doc)) if keep is not None else grouped
        for mode in modes:
            join_mode = mode.removesuffix(CRF_ONLY)
            full = mode != "rules" and not mode.endswith(CRF_ONLY)
            records = ([dict(r) for r in rules] if mode == "rules"
                       else na.before_coordinated_cue(doc, na.join(doc, rules, kept if full else grouped, join_mode)))
            if full and clauses is not None:
                records = na.add_clauses(doc, records, clauses, rules)
            resolve_speakers(doc, records)
            doc._.set(comp.ATTRIBUTIONS_EXT, records)
            out[mode].append(doc_to_annotation(doc, ann.doc_id))
        doc._.set(comp.ATTRIBUTIONS_EXT, rules)
    return out


def speaker_mention_accuracy(gold: Sequence[Annotation], pred: Sequence[Annotation]) -> tuple[int, int]:
    """``(correct, n)``: of overlap-matched quotes whose gold has a source, those whose predicted speaker
    mention overlaps the gold mention (brat gold has mentions, not canonical names)."""
    from annotator.nlp.evaluate import quote_matches

    by_id = {a.doc_id: a for a in pred}
    correct = n = 0
    for g in gold:
        p = by_id.get(g.doc_id)
        if p is None:
            continue
        for gi, pi in quote_matches(g.quotes, p.quotes, exact=False):
            gs, ps = g.quotes[gi].speaker, p.quotes[pi].speaker
            if gs is None:
                continue
            n += 1
            correct += int(ps is not None and ps.start < gs.end and gs.start < ps.end)
    return correct, n


def headline(gold: Sequence[Annotation], pred: Sequence[Annotation]) -> dict[str, float | None]:
    """The scores the model card and the benchmark report: P/R/F at 0.3 overlap and exact, per kind,
    cue F, speaker name accuracy and speaker mention accuracy."""
    from annotator.nlp.evaluate import evaluate

    report = evaluate(gold, pred)
    out: dict[str, float | None] = {}
    for name in ("quotes", "direct", "indirect", "mixed"):
        for mode in ("overlap", "exact"):
            prf = report.scores[f"{name}_{mode}"]
            out[f"{name}_{mode}_p"], out[f"{name}_{mode}_r"], out[f"{name}_{mode}_f"] = (
                prf.precision, prf.recall, prf.f1)
    out["cues_overlap_f"] = report.scores["cues_overlap"].f1
    out["speaker_name_acc"] = report.accuracy["speaker"].value
    correct, n = speaker_mention_accuracy(gold, pred)
    out["speaker_mention_acc"] = correct / n if n else None
    return {k: (None if v is None else round(v, 3)) for k, v in out.items()}
