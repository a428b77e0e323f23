"""Doc -> Annotation conversion and the token round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from annotator.io.tokens import doc_from_tokens
from annotator.nlp.convert import doc_to_annotation, doc_tokens
from annotator.scheme import annotation_from_dict

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_doc_from_tokens_round_trip_samples(nlp: Language, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = nlp.make_doc(text)
    tokens = doc_tokens(doc)
    rebuilt = doc_from_tokens(nlp.vocab, text, tokens)
    assert rebuilt.text == text
    assert [t.text for t in rebuilt] == [t.text for t in doc]


@pytest.mark.parametrize("text", ["", " ", "  lead", "trail  ", "a\n\nb", "x\u00a0y", "“Quote,” he said.\t"])
def test_doc_from_tokens_round_trip_odd_whitespace(nlp: Language, text: str) -> None:
    doc = nlp.make_doc(text)
    assert doc_from_tokens(nlp.vocab, text, doc_tokens(doc)).text == text


def test_doc_from_tokens_rejects_gaps(nlp: Language) -> None:
    with pytest.raises(ValueError):
        doc_from_tokens(nlp.vocab, "ab  cd", [[0, 2], [4, 6]])


def test_doc_to_annotation_fields(nlp: Language) -> None:
    text = "“Prices will fall by 5% in June,” Mark Otto said. Officials said that 200 shops closed in May."
    ann = doc_to_annotation(nlp(text), "d1", meta={"source": "x.txt"})
    assert ann.doc_id == "d1" and ann.annotator == "model" and ann.status == "done"
    assert ann.meta == {"source": "x.txt"}
    assert [q.id for q in ann.quotes] == [f"q{i + 1}" for i in range(len(ann.quotes))]
    assert [c.id for c in ann.claims] == [f"c{i + 1}" for i in range(len(ann.claims))]
    assert all(q.status == "suggested" for q in ann.quotes) and all(c.status == "suggested" for c in ann.claims)
    for q in ann.quotes:
        assert text[q.start : q.end] == q.text
        assert q.cue is None or text[q.cue.start : q.cue.end] == q.cue.text
        assert q.speaker is None or text[q.speaker.start : q.speaker.end] == q.speaker.text
    # the gold JSONL shape survives a round trip
    assert annotation_from_dict(ann.to_dict(), "suggested").to_dict() == ann.to_dict()
