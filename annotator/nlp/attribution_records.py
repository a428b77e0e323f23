"""Which learned attributions to keep: a logistic regression over each joined record, trained on honest CRFs.

The CRF's Viterbi path is a record or not; nothing says how likely a record is right. Some kinds rarely
are on PolNeAR (a content without a cue, a long content whose first word is "and", a cue lemma the CRF
over-tags): a record helps F only when its chance of matching a gold attribution passes about F / 2, so
those cost more than they bring. Each record grouped from the CRF's spans gets a probability from one-hot
features of its shape, its parse and what the CRF said (the mean and lowest probability that its tokens
are content); those below the threshold are dropped before the join (a rule record they overlapped comes
back) and the second pass.

The classifier must learn from records like those it will see: the shipped CRF's records on its own
training texts are nearly all right. ``training.attribution.cross_fit`` trains one CRF per half of the
training texts and tags the other half with it; ``training.attribution.train_records`` fits on
those records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from spacy.tokens import Doc

from annotator.nlp.attribution_clauses import ClauseModel

#: The file of the classifier inside the attribution model folder.
RECORD_FILE = "records.json"


def _bucket(p: float) -> str:
    return str(min(int(p * 10), 9))


def record_features(doc: Doc, record: Mapping[str, Any], content: Mapping[int, float],
                    sent_of: Sequence[int]) -> dict[str, Any] | None:
    """One record's features (strings, one-hot); None when its characters cover no token."""
    span = doc.char_span(record["start"], record["end"], alignment_mode="expand")
    if span is None or not len(span):
        return None
    probs = [content.get(i, 0.0) for i in range(span.start, span.end)]
    score = _bucket(sum(probs) / len(probs))
    root = span.root
    f: dict[str, Any] = {
        "kind": record["kind"], "cue": str(record["cue"] is not None), "speaker": str(record["speaker"] is not None),
        "len": str(min(len(span) // 3, 15)), "score": score, "lowest": _bucket(min(probs)),
        "kind|score": f"{record['kind']}|{score}", "sentences": str(min(sent_of[span.end - 1] - sent_of[span.start], 3)),
        "first": span[0].lower_, "root_pos": root.pos_, "root_dep": root.dep_,
    }
    if record["cue"] is not None:
        cue = doc.char_span(record["cue"][0], record["cue"][1], alignment_mode="expand")
        if cue is not None and len(cue):
            f["cue_lemma"] = cue.root.lemma_.lower()
            f["cue_pos"] = cue.root.pos_
            f["cue_governs"] = str(any(a.i == cue.root.i for a in root.ancestors))
    if record["speaker"] is not None:
        src = doc.char_span(record["speaker"][0], record["speaker"][1], alignment_mode="expand")
        if src is not None and len(src):
            f["speaker_pos"] = src.root.pos_
            f["speaker_entity"] = src.root.ent_type_ or "-"
    return f


def keep_records(doc: Doc, learned: Sequence[dict[str, Any]], model: ClauseModel, content: Mapping[int, float],
                 sent_of: Sequence[int]) -> list[dict[str, Any]]:
    """The CRF's records (``attribution.group``'s, before the join) the classifier finds at least as likely
    right as its threshold (``content``: each token's probability of being content; ``sent_of``: each
    token's sentence number, ``attribution.sentence_index``)."""
    out = []
    for r in learned:
        f = record_features(doc, r, content, sent_of)
        if f is None or model.probability(f) >= model.threshold:
            out.append(r)
    return out


def find(folder: Path) -> ClauseModel | None:
    """The record classifier of an attribution folder (or of its base); None when it has none."""
    return ClauseModel.find(folder, RECORD_FILE)
