"""``annotator_claims`` (rules): sentences or quote contents stating checkable facts; ``doc.spans["claims"]``
and ``doc._.claim_speakers``."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.nlp import lexicon as lx
from annotator.nlp.common import (
    _FINAL_PUNCT,
    _QUOTE_CHARS,
    ATTRIBUTIONS_EXT,
    CLAIM_SPEAKERS_EXT,
    CLAIMS_FACTORY,
    CLAIMS_KEY,
    MAX_QUOTE_CHARS,
    _ents_in,
    _factory,
    _span_group,
    doc_text,
)


def _checkable(span: Span) -> bool:
    doc = span.doc
    ents = _ents_in(doc, span.start, span.end)
    if any(label in lx.CHECKABLE_ENTS for _s, _e, label in ents):
        return True
    named = {doc[a:b].text for a, b, label in ents if label in lx.NAMED_ENTS}
    past = any(t.tag_ in ("VBD", "VBN") and t.dep_ in ("ROOT", "ccomp", "conj") for t in span)
    return len(named) >= 2 and past


def _opinion(span: Span) -> bool:
    root = span.root
    if root.lemma_.lower() in lx.OPINION_WORDS:
        return True
    for child in root.children:
        if child.dep_ == "aux" and child.lower_ in ("should", "must", "may", "might", "could", "can"):
            return True
        if child.dep_ in ("nsubj",) and child.lower_ in ("i", "we", "you"):
            return True
    return any(t.lower_ in ("hopefully", "perhaps", "maybe", "probably") for t in span)


def _states_fact(doc: Doc, record: dict[str, Any]) -> bool:
    span = doc.char_span(record["start"], record["end"], alignment_mode="expand")
    if span is None or len(span) < 4 or _opinion(span):
        return False
    named = any(label in lx.NAMED_ENTS for _a, _b, label in _ents_in(doc, span.start, span.end))
    tensed = any(t.tag_ in ("VBD", "VBN", "VBZ", "VBP") and t.dep_ in ("ROOT", "ccomp", "conj", "relcl") for t in span)
    return named and tensed


def _attribution_only(sent: Span, records: list[dict[str, Any]]) -> bool:
    """A sentence that reports speech (its root is a reporting verb, or most of it is a quote) and
    has no number, date or quantity of its own: what it asserts is that someone said something.
    Whether what they said is check-worthy is decided on the quote's content, not here."""
    start, end = sent.start_char, sent.end_char
    quoted = sum(max(0, min(end, r["end"]) - max(start, r["start"])) for r in records)
    reporting = sent.root.lemma_.lower() in lx.REPORTING_VERBS or quoted > (end - start) / 2
    if not reporting:
        return False
    doc = sent.doc
    outside = [(a, b) for a, b, label in _ents_in(doc, sent.start, sent.end) if label in lx.CHECKABLE_ENTS
               and not any(r["start"] <= doc[a].idx < r["end"] for r in records)]
    return not outside


def _on_unpunctuated_line(text: str, end: int) -> bool:
    """Whether the line a sentence ends on has no final punctuation: a headline, caption or byline
    ("… walking back the crisis. / wiki"), not body text."""
    line_end = text.find("\n", end)
    line = text[text.rfind("\n", 0, end) + 1 : len(text) if line_end < 0 else line_end].rstrip()
    return bool(line) and line[-1] not in _FINAL_PUNCT


def _after_complementizer(doc: Doc, start: int) -> int:
    """A claim taken from reported content starts after its "that"/"whether": the claim is the statement."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is not None and span[0].lower_ in ("that", "whether") and span[0].dep_ == "mark" and span.end < len(doc):
        return doc[span.end].idx
    return start


def find_claims(doc: Doc, records: list[dict[str, Any]]) -> list[tuple[int, int, str | None]]:
    text_all = doc_text(doc)
    records = sorted(records, key=lambda r: r["start"])
    starts = [r["start"] for r in records]
    claims: list[tuple[int, int, str | None]] = []
    for sent in doc.sents:
        text = sent.text.strip()
        if len(text) < 20 or "?" in text or not any(t.pos_ in ("VERB", "AUX") for t in sent):
            continue
        if text[-1] not in '.!”"\'’)…' or _on_unpunctuated_line(text_all, sent.start_char + len(sent.text.rstrip())):
            continue  # headlines, captions, bylines, datelines
        start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        end = start + len(text)
        window = records[bisect_left(starts, start - MAX_QUOTE_CHARS) : bisect_right(starts, end)]
        inner = [r for r in window if r["kind"] != "direct" and start <= r["start"] and r["end"] <= end]
        chosen = None
        for r in inner:
            span = doc.char_span(r["start"], r["end"], alignment_mode="expand")
            if span is not None and _checkable(span) and not _opinion(span):
                chosen = (_after_complementizer(doc, r["start"]), r["end"], r.get("name"))
                break
        if chosen is None:
            if not _checkable(sent) or _opinion(sent):
                continue
            if _attribution_only(sent, window):
                # "X said that Y": the speech event is not the claim; Y is, if it states something
                # (not an opinion) in the past or present with a named actor.
                content = None
                for r in window:
                    a, b = max(start, r["start"]), min(end, r["end"])
                    if a >= b:
                        continue
                    span = doc.char_span(a, b, alignment_mode="expand")
                    if span is not None and ((_checkable(span) and not _opinion(span)) or
                                             (r["kind"] != "direct" and _states_fact(doc, r))):
                        content = (_after_complementizer(doc, span.start_char), span.end_char, r.get("name"))
                        break
                if content is None:
                    continue
                chosen = content
            while start < end and text_all[start] in _QUOTE_CHARS:
                start += 1
            speaker = next((r.get("name") for r in window if r["start"] <= start < r["end"] or
                            (start <= r["start"] and r["end"] - r["start"] > (end - start) / 2 and r["end"] <= end)), None)
            chosen = (start, end, speaker)
        if chosen is None:
            continue
        if claims and chosen[0] < claims[-1][1]:
            continue
        claims.append(chosen)
    return claims


@_factory(CLAIMS_FACTORY, requires=["doc.sents", "doc.ents"],
                  assigns=["doc.spans", f"doc._.{CLAIM_SPEAKERS_EXT}"])
def make_claims(nlp: Language, name: str) -> "ClaimComponent":
    return ClaimComponent()


class ClaimComponent:
    def __call__(self, doc: Doc) -> Doc:
        claims = find_claims(doc, doc._.get(ATTRIBUTIONS_EXT) or []) if doc_text(doc).strip() else []
        _span_group(doc, CLAIMS_KEY, ((s, e, "CLAIM") for s, e, _ in claims))
        doc._.set(CLAIM_SPEAKERS_EXT, [[s, e, name] for s, e, name in claims])
        return doc
