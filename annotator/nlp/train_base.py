"""Train the packaged base classifiers: check-worthiness (ClaimBuster) and stance (NewsMTSC).

Each run holds out its own tuning split (claims: ``held_out`` of the sentences, by a seeded shuffle; stance:
``held_out`` of the *articles*, so no article is on both sides), trains on the rest, scores the held-out
part, and writes the model folder with a model card (``README.md``: data, terms, settings, scores, the
command that reproduces it). The check-worthiness threshold is tuned on out-of-fold scores of the training
part, never on the held-out split. ``annotator train-classifier`` and ``make base-models`` call these.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from annotator.errors import InputError
from annotator.io.json_file import load_json_file
from annotator.nlp import checkworthy as cw
from annotator.nlp import stance_model as sm
from annotator.nlp.textmodel import LinearTextModel

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

POLARITY = {2.0: "against", 4.0: "neutral", 6.0: "favor"}
LABELS = ("favor", "against", "neutral")
CLAIMS_C = 4.0
STANCE_C = 1.0

Log = Callable[[str], None] | None


@dataclass(frozen=True)
class StanceExample:
    text: str
    start: int
    end: int
    label: str
    group: str


def read_claimbuster(path: Path) -> list[tuple[str, str]]:
    """``(text, "0"|"1")`` from a ClaimBuster two-class JSON list (``text``, ``label``)."""
    data = load_json_file(path)
    if not isinstance(data, list):
        raise InputError("expected a JSON list of {text, label} objects", str(path))
    out = []
    for i, row in enumerate(data):
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or row.get("label") not in (0, 1):
            raise InputError(f"item {i + 1}: expected {{\"text\": str, \"label\": 0 or 1}}", str(path))
        out.append((row["text"], str(row["label"])))
    return out


def read_newsmtsc(path: Path) -> list[StanceExample]:
    """One example per target of each NewsMTSC line (``sentence_normalized``, ``targets``)."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            text = d["sentence_normalized"]
            group = "_".join(str(d.get("primary_gid", n)).split("_")[:3])
            for t in d["targets"]:
                a, b = int(t["from"]), int(t["to"])
                if not (0 <= a < b <= len(text)):
                    raise ValueError(f"target offsets {a}..{b} outside the sentence")
                out.append(StanceExample(text, a, b, POLARITY[float(t["polarity"])], group))
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", str(path), n) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a NewsMTSC line: {exc}", str(path), n) from exc
    return out


def _prf(gold: Sequence[str], pred: Sequence[str], label: str) -> dict[str, float]:
    tp = sum(g == label and p == label for g, p in zip(gold, pred))
    n_pred = sum(p == label for p in pred)
    n_gold = sum(g == label for g in gold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "n": n_gold}


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    return round(sum(_prf(gold, pred, k)["f1"] for k in labels) / len(labels), 4)


#: Shares of check-worthy sentences the threshold is tuned for: the corpus's own share (about a quarter) and
#: a balanced one (evaluation sets of check-worthy claims are often balanced; a news article's share is
#: unknown). The balanced share counts ``BALANCED_WEIGHT`` times: its F1 is flat over a wide range of
#: thresholds while the corpus share's falls slowly below it, so the weight buys the balanced case ~0.005 F1
#: for ~0.003 at the corpus share (5-fold CV).
BALANCED_SHARE = 0.5
BALANCED_WEIGHT = 2.0
#: The F1 curve over thresholds is smoothed over this many neighbouring grid points (0.01 apart) before
#: taking its best point: a single lucky grid point of out-of-fold scores is noise.
THRESHOLD_SMOOTHING = 5


def f1_at_share(pred: np.ndarray, gold: np.ndarray, share: float | None = None) -> float:
    """F1 of the positive class; with ``share``, as if positives made up that share of the sentences (the
    negatives re-weighted), which is what the same classifier would score on such a set."""
    tp = float(np.sum(pred & gold))
    fp = float(np.sum(pred & ~gold))
    n_pos, n_neg = float(gold.sum()), float((~gold).sum())
    if share is not None and n_pos and n_neg:
        fp *= (1.0 - share) / share * n_pos / n_neg
    return 2 * tp / (tp + fp + n_pos) if tp + fp + n_pos else 0.0


def _best_threshold(scores: np.ndarray, gold: np.ndarray) -> float:
    """The threshold with the best weighted mean F1 at the data's own share of positives and at a balanced
    share, on the smoothed curve over a 0.01 grid."""
    grid = np.linspace(0.1, 0.9, 81)
    curve = np.array([(f1_at_share(scores >= th, gold) + BALANCED_WEIGHT * f1_at_share(scores >= th, gold, BALANCED_SHARE))
                      / (1.0 + BALANCED_WEIGHT) for th in grid])
    pad = THRESHOLD_SMOOTHING // 2
    smooth = np.convolve(np.pad(curve, pad, mode="edge"), np.ones(THRESHOLD_SMOOTHING) / THRESHOLD_SMOOTHING, "valid")
    return round(float(grid[int(smooth.argmax())]), 3)


def claimbuster_split(rows: Sequence[tuple[str, str]], held_out: float = 0.1,
                      seed: int = 0) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(train, held_out)`` sentences by a seeded shuffle (the benchmark re-creates the same split)."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    n_test = max(1, int(len(rows) * held_out))
    return [rows[i] for i in order[n_test:]], [rows[i] for i in order[:n_test]]


def newsmtsc_split(examples: Sequence[StanceExample], held_out: float = 0.1,
                   seed: int = 0) -> tuple[list[StanceExample], list[StanceExample]]:
    """``(train, held_out)`` targets, holding out a seeded share of the articles."""
    groups = sorted({e.group for e in examples})
    random.Random(seed).shuffle(groups)
    test_groups = set(groups[: max(1, int(len(groups) * held_out))])
    return ([e for e in examples if e.group not in test_groups], [e for e in examples if e.group in test_groups])


def base_parser(model: str | None = None) -> "Language":
    """The base spaCy pipeline (as ``load_pipeline`` picks it) that parses training sentences for the
    check-worthiness features; the lemmatizer is not needed."""
    from annotator.io.tokens import load_spacy

    nlp, _ = load_spacy(model)
    if "lemmatizer" in nlp.pipe_names:
        nlp.disable_pipe("lemmatizer")
    return nlp


def train_checkworthy(source: Path, out: Path, held_out: float = 0.1, seed: int = 0, c: float = CLAIMS_C,
                      folds: int = 5, log: Log = None, base_model: str | None = None,
                      extra: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Train, tune the threshold on out-of-fold scores, score the held-out split, save with a card.
    ``extra`` ``(sentence, "0"|"1")`` pairs (e.g. a dataset's own claims) join the training part only."""
    train, test = claimbuster_split(read_claimbuster(source), held_out, seed)
    train = train + list(extra)
    if len({y for _, y in train}) < 2:
        raise InputError("the training part needs both labels (0 and 1)", str(source))
    _say(log, f"check-worthiness: {len(train)} training, {len(test)} held-out sentences; parsing ...")
    nlp = base_parser(base_model)
    docs = list(nlp.pipe([t for t, _ in train], batch_size=64))
    test_docs = list(nlp.pipe([t for t, _ in test], batch_size=64))
    rows = [cw.claim_row(d) for d in docs]
    labels = [y for _, y in train]
    oof = np.zeros(len(train))
    k = max(2, min(folds, sum(y == "1" for y in labels), sum(y == "0" for y in labels)))
    for f in range(k):
        fit = [i for i in range(len(train)) if i % k != f]
        model = LinearTextModel.fit([rows[i] for i in fit], [labels[i] for i in fit], cw.FIELDS, c=c)
        part = [i for i in range(len(train)) if i % k == f]
        oof[part] = cw.CheckworthyClassifier(model, 0.5).scores([docs[i] for i in part])
        _say(log, f"  fold {f + 1}/{k} done")
    threshold = _best_threshold(oof, np.array([y == "1" for y in labels]))
    model = LinearTextModel.fit(rows, labels, cw.FIELDS, c=c)
    clf = cw.CheckworthyClassifier(model, threshold)
    pred = ["1" if ok else "0" for ok, _ in clf.decide(test_docs)]
    scores: dict[str, Any] = _prf([y for _, y in test], pred, "1")
    scores["n_held_out"] = len(test)
    scores["f1_balanced"] = round(f1_at_share(np.array([p == "1" for p in pred]), np.array([y == "1" for _, y in test]),
                                              BALANCED_SHARE), 4)
    model.info = {"threshold": threshold, "held_out": scores, "n_train": len(train), "n_extra": len(extra),
                  "seed": seed, "c": c,
                  "source": source.name, "parser": f"{nlp.meta.get('name')} {nlp.meta.get('version')}"}
    _save(model, out, _claims_card(model.info))
    _say(log, f"check-worthiness held-out: P {scores['precision']} R {scores['recall']} F1 {scores['f1']}"
              f" (threshold {threshold})")
    return model.info


#: A sentence's parse, keyed by its text (NewsMTSC repeats a sentence once per target).
Parses = dict[str, "Doc"]


def _parse_sentences(examples: Sequence[StanceExample], base_model: str | None, log: Log) -> tuple[Parses, str]:
    """Each distinct sentence parsed once, and the parser's name and version."""
    texts = sorted({e.text for e in examples})
    _say(log, f"stance: parsing {len(texts)} sentences ...")
    nlp = base_parser(base_model)
    return dict(zip(texts, nlp.pipe(texts, batch_size=64))), f"{nlp.meta.get('name')} {nlp.meta.get('version')}"


def _stance_rows(examples: Sequence[StanceExample], parses: Parses) -> list[list[str]]:
    return [sm.stance_fields(e.text, e.start, e.end, (parses[e.text], 0)) for e in examples]


def _stance_scores(model: LinearTextModel, examples: Sequence[StanceExample], parses: Parses) -> dict[str, Any]:
    clf = sm.StanceClassifier(model)
    pred = [label for label, _ in clf.classify([(e.text, (e.start, e.end)) for e in examples],
                                               [(parses[e.text], 0) for e in examples])]
    gold = [e.label for e in examples]
    return {"macro_f1": macro_f1(gold, pred), "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold)), 4),
            "per_label": {k: _prf(gold, pred, k) for k in LABELS}, "n": len(gold)}


def train_stance(source: Path, out: Path, dev: Path | None = None, held_out: float = 0.1, seed: int = 0,
                 c: float = STANCE_C, log: Log = None, extra: Sequence[StanceExample] = (),
                 base_model: str | None = None) -> dict[str, Any]:
    """Train on NewsMTSC ``source`` minus ``held_out`` of its articles; score those (and ``dev``); save.
    ``extra`` examples (e.g. a dataset's own quotes with their targets) join the training part only.
    Every sentence is parsed by the base pipeline first (the classifier reads the mention's place in the parse)."""
    train, test = newsmtsc_split(read_newsmtsc(source), held_out, seed)
    train = train + list(extra)
    if len({e.label for e in train}) < 2:
        raise InputError("the training part needs at least two stance labels", str(source))
    dev_examples = read_newsmtsc(dev) if dev is not None else []
    _say(log, f"stance: {len(train)} training, {len(test)} held-out targets ({len({e.group for e in test})} articles)")
    parses, parser = _parse_sentences([*train, *test, *dev_examples], base_model, log)
    model = LinearTextModel.fit(_stance_rows(train, parses), [e.label for e in train], sm.FIELDS, c=c)
    info: dict[str, Any] = {"held_out": _stance_scores(model, test, parses), "n_train": len(train), "n_extra": len(extra),
                            "seed": seed, "c": c,
                            "source": source.name, "parser": parser}
    if dev is not None:
        info["dev"] = _stance_scores(model, dev_examples, parses)
        info["dev_source"] = dev.name
    model.info = info
    _save(model, out, _stance_card(info))
    _say(log, f"stance held-out macro F1 {info['held_out']['macro_f1']}"
              + (f", dev macro F1 {info['dev']['macro_f1']}" if "dev" in info else ""))
    return info


def _save(model: LinearTextModel, out: Path, card: str) -> None:
    model.save(out)
    (out / "README.md").write_text(card, encoding="utf-8")


def _say(log: Log, message: str) -> None:
    if log is not None:
        log(message)


def _claims_card(info: dict[str, Any]) -> str:
    s = info["held_out"]
    return f"""# Check-worthiness classifier (`annotator_checkworthy`)

Decides whether a claim candidate (a sentence, or the reported content of a speech report) is a
check-worthy factual claim, with a score (probability).

- **Model**: TF-IDF of word 1-2-grams, character 2-5-grams (within words) and parse features of the
  candidate (entity types, tags and tag bigrams, dependency relations, the root's dependents; from the base
  spaCy pipeline, {info.get('parser', 'en_core_web_sm')}), logistic regression
  (scikit-learn, C={info['c']}, balanced class weights); saved as arrays and JSON (`model.json`,
  `weights.npz`), no pickles. Check-worthy when the score is at least the threshold {info['threshold']}, tuned
  on 5-fold out-of-fold scores of the training part for the weighted mean F1 at the corpus's share of
  check-worthy sentences (about 25%, weight 1) and at a balanced share (50%, weight {BALANCED_WEIGHT:g}), on the
  curve smoothed over {THRESHOLD_SMOOTHING} neighbouring thresholds: the share in the text being annotated is
  unknown, evaluation sets are often balanced, and the balanced F1 is flat over a wide range of thresholds
  while a threshold tuned for 25% only loses recall where claims are more frequent.
- **Data**: ClaimBuster two-class sentences from US presidential debates (`{info['source']}`; label 1 =
  check-worthy factual sentence): {info['n_train']} sentences for training, {s['n_held_out']} held out
  (seeded shuffle, seed {info['seed']}).
- **Terms**: ClaimBuster dataset, Arslan, Hassan, Li & Tremayne, "A Benchmark Dataset of Check-worthy Factual
  Claims", ICWSM 2020 (github.com/utaresearch/claimbuster-spotter); cite the paper. No sentence of the
  corpus is stored here, only n-gram vocabularies and weights.
- **Scores on the held-out split** (check-worthy class): precision {s['precision']}, recall {s['recall']},
  F1 {s['f1']}; F1 {s.get('f1_balanced')} re-weighted to a balanced share of check-worthy sentences.
- **Limits**: trained on spoken debate sentences; news prose, headlines and quotes differ.
- **Reproduce**: `make base-models` (or `annotator train-classifier claims --data
  ../shared/corpora/claimbuster/train.json --out annotator/models/checkworthy`), one core, a few minutes.
"""


def _stance_card(info: dict[str, Any]) -> str:
    s = info["held_out"]
    dev = info.get("dev")
    rows = "\n".join(f"| {k} | {s['per_label'][k]['precision']} | {s['per_label'][k]['recall']} | "
                     f"{s['per_label'][k]['f1']} | {s['per_label'][k]['n']} |" for k in LABELS)
    dev_line = (f"- **Scores on the NewsMTSC dev file** (`{info['dev_source']}`, not used for training): macro F1 "
                f"{dev['macro_f1']}, accuracy {dev['accuracy']} ({dev['n']} targets).\n") if dev else ""
    return f"""# Target-dependent stance classifier (`annotator_stance_clf`)

The stance (favor / against / neutral) of a quote toward one target mention, with a score (probability).

- **Model**: reads the target's position: the text with the mention replaced by the marker `TGT` (TF-IDF word
  1-2-grams) and marker tokens for the {sm.WINDOW} words left and right of the mention
  (`L_w`, `R_w`, the nearest {sm.NEAR} by position `L0_w`..., the neighbouring bigrams), and sentiment markers
  (VADER's word lexicon, Hutto & Gilbert 2014, MIT, with a negation scope of {sm.NEGATION_SCOPE} words: the
  summed valence of the sentence and of each side, binned, and the sentiment words within
  {sm.SENTIMENT_WINDOW} words of the mention, by side and sign), and the masked words within {sm.NEAR_CONTEXT} words
  of the mention once more (word 1-2-grams of that near context), and the mention's place in the parse
  ({info.get('parser', 'en_core_web_sm')}; lower-cased words: the mention's relation and head, the verb
  governing it, up to {sm.GOVERNOR_STEPS} heads up, by relation and preposition, that verb's VADER sign
  (flipped when negated), the sentiment of its other arguments and of its clause without the mention by
  relation, the mention's describing dependents, the agent of a passive); logistic regression (scikit-learn, C={info['c']}, balanced class weights); saved as arrays and
  JSON, no pickles. The parse is the pipeline's own in `preannotate`/`predict`; `predict --keep-spans` parses
  each text once.
- **Data**: NewsMTSC train split (`{info['source']}`; polarity 2 = against, 4 = neutral, 6 = favor, toward the
  main mention): {info['n_train']} targets for training; 10% of the articles held out (seed {info['seed']}).
- **Terms**: NewsMTSC, Hamborg & Donnay, EACL 2021, github.com/fhamborg/NewsMTSC, MIT licence. No sentence of the
  corpus is stored here, only n-gram vocabularies and weights.
- **Scores on the held-out articles**: macro F1 {s['macro_f1']}, accuracy {s['accuracy']} ({s['n']} targets).

| label | precision | recall | F1 | n |
|---|---|---|---|---|
{rows}

{dev_line}- **Limits**: NewsMTSC labels sentiment toward a person or group in news sentences; a quote's stance
  toward a country or alliance is close but not the same task.
- **Reproduce**: `make base-models` (or `annotator train-classifier stance --data ../shared/corpora/newsmtsc/train.jsonl
  --dev ../shared/corpora/newsmtsc/dev.jsonl --out annotator/models/stance`), one core, a few minutes
  (most of it parsing the 8,058 sentences).
"""
