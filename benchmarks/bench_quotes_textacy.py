"""A rule baseline: textacy's ``direct_quotations`` on the sample gold, scored with our evaluate().

textacy (``pip install textacy``, the ``bench`` extra) finds direct quotations with a speaker and cue;
it has no indirect/mixed quotes, stance or claims. Its content spans include the quotation marks, so they
are stripped to follow our scheme (marks are not part of a quote). Our pipeline's scores are printed next
to it on the same gold.

    .venv/bin/python benchmarks/bench_quotes_textacy.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.nlp.evaluate import evaluate  # noqa: E402
from annotator.nlp.pipeline import annotate, load_pipeline, model_info  # noqa: E402
from annotator.scheme import Annotation, Quote, SpeakerMention, Span, annotation_from_dict  # noqa: E402

MARKS = "\"“”'‘’«»„"


def textacy_annotation(doc, doc_id: str) -> Annotation:  # type: ignore[no-untyped-def]
    from textacy.extract.triples import direct_quotations

    text = doc.text
    quotes = []
    try:
        found = list(direct_quotations(doc))
    except ValueError as exc:  # textacy bails out on unbalanced quotation marks (article 002)
        print(f"  textacy gave up on {doc_id}: {str(exc).split(';')[0]}")
        found = []
    for i, dq in enumerate(found):
        start, end = dq.content[0].idx, dq.content[-1].idx + len(dq.content[-1].text)
        while start < end and text[start] in MARKS:
            start += 1
        while end > start and text[end - 1] in MARKS:
            end -= 1
        cue = Span(dq.cue[0].idx, dq.cue[-1].idx + len(dq.cue[-1].text), "") if dq.cue else None
        cue = Span(cue.start, cue.end, text[cue.start : cue.end]) if cue else None
        speaker = None
        if dq.speaker:
            s, e = dq.speaker[0].idx, dq.speaker[-1].idx + len(dq.speaker[-1].text)
            speaker = SpeakerMention(s, e, text[s:e], text[s:e])
        quotes.append(Quote(f"q{i + 1}", start, end, text[start:end], "direct", cue, speaker, status="suggested"))
    quotes.sort(key=lambda q: (q.start, q.end))
    return Annotation(doc_id, text, "textacy", "done", {}, tuple(quotes))


def show(title: str, report) -> None:  # type: ignore[no-untyped-def]
    d = report.to_dict()
    print(title)
    for name in ("quotes_exact", "quotes_overlap", "direct_exact", "direct_overlap", "indirect_overlap",
                 "mixed_overlap", "cues_exact", "cues_overlap", "claims_overlap"):
        s = d["scores"][name]
        fmt = lambda v: "  -  " if v is None else f"{v:.3f}"  # noqa: E731
        print(f"  {name:18s} P {fmt(s['precision'])}  R {fmt(s['recall'])}  F1 {fmt(s['f1'])}"
              f"  (gold {s['n_gold']}, pred {s['n_pred']})")
    acc = d["accuracy"]["speaker"]
    print(f"  speaker accuracy   {'-' if acc is None else f'{acc:.3f}'} (canonical names; textacy gives the mention)")


def main() -> None:
    gold_path = ROOT / "tests" / "gold" / "sample_gold.jsonl"
    gold = [annotation_from_dict(json.loads(line)) for line in gold_path.read_text(encoding="utf-8").splitlines() if line]
    nlp = load_pipeline()
    name, version = model_info(nlp)
    import spacy

    bare = spacy.load(name)
    t0 = time.perf_counter()
    baseline = [textacy_annotation(doc, g.doc_id) for doc, g in zip(bare.pipe([g.text for g in gold]), gold)]
    t_textacy = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = [a for _i, a, _t in annotate(nlp, [(g.text, g.doc_id) for g in gold])]
    t_ours = time.perf_counter() - t0
    import textacy

    print(f"gold: {gold_path.relative_to(ROOT)} ({len(gold)} docs); model {name} {version}; textacy {textacy.__version__}")
    show(f"textacy direct_quotations ({t_textacy:.2f} s incl. parse)", evaluate(gold, baseline))
    show(f"annotator pipeline ({t_ours:.2f} s incl. parse)", evaluate(gold, ours))


if __name__ == "__main__":
    main()
