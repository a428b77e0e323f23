"""Long documents are parsed in bounded pieces; normal articles exactly as a whole-document parse."""

from __future__ import annotations

import pytest
from spacy.language import Language

from annotator.nlp.chunked import PIECE_CHARS, parse_long, pieces
from annotator.nlp.convert import doc_to_annotation, doc_tokens
from annotator.nlp.pipeline import annotate
from tests.conftest import SAMPLE_DIR


def _samples() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_DIR.glob("*.txt"))]


def test_pieces_cover_the_text_at_paragraph_breaks_within_the_limit() -> None:
    text = "\n\n".join(_samples())
    ranges = pieces(text, 2_000)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    assert all(a < b and b - a <= 2_000 for a, b in ranges)
    assert all(prev[1] == nxt[0] for prev, nxt in zip(ranges, ranges[1:]))
    assert all(text[b - 2 : b] == "\n\n" or text[b - 1] == "\n" for _, b in ranges[:-1])  # paragraph or line breaks
    assert pieces("x" * 25, 10) == [(0, 10), (10, 20), (20, 25)]  # no break at all: cut hard
    assert pieces("short", 10) == [(0, 5)]


def test_normal_articles_are_annotated_exactly_as_a_whole_document_parse(nlp: Language) -> None:
    texts = _samples()
    assert all(len(t) <= PIECE_CHARS for t in texts)
    got = list(annotate(nlp, [(t, f"d{i}") for i, t in enumerate(texts)], batch_size=2))
    for (doc_id, ann, tokens), text in zip(got, texts):
        whole = nlp(text)
        assert ann == doc_to_annotation(whole, doc_id) and tokens == doc_tokens(whole)


def test_a_long_document_keeps_its_text_offsets_and_nearly_all_quotes(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.nlp.chunked as chunked

    monkeypatch.setattr(chunked, "PIECE_CHARS", 4_000)  # the ~17,000 characters below: five pieces
    text = "\n\n".join(_samples()[:3])
    doc = parse_long(nlp, text, 4_000)
    assert doc.text == text and len(pieces(text, 4_000)) == 5
    assert [t.idx for t in doc] == sorted(t.idx for t in doc) and doc[-1].idx + len(doc[-1]) <= len(text)
    pieced = doc_to_annotation(doc, "long")
    for q in pieced.quotes:
        assert text[q.start : q.end] == q.text
        assert q.speaker is None or text[q.speaker.start : q.speaker.end] == q.speaker.text
    whole = doc_to_annotation(nlp(text), "long")
    same = {(q.start, q.end) for q in whole.quotes} & {(q.start, q.end) for q in pieced.quotes}
    assert len(same) >= 0.85 * len(whole.quotes), (len(same), len(whole.quotes))  # differences only near the cuts
    (doc_id, via_annotate, tokens), = annotate(nlp, [(text, "long")])
    assert via_annotate == pieced and tokens == doc_tokens(doc)


def test_a_quote_over_two_paragraphs_cut_between_them_is_found_as_in_a_whole_parse(nlp: Language) -> None:
    """The cut falls on the blank line inside a quote that goes on in the next paragraph (the mark reopened):
    what the pieces give there, quotes, kinds and speakers, is what the whole document gives."""
    before = ("Officials met in Vienna on Tuesday for a new round of talks on the border. The meeting lasted four "
              "hours. Diplomats from both sides described the atmosphere as businesslike.\n\nObservers had expected "
              "little from the meeting, which followed weeks of rising tension along the frontier.")
    first = "“We spent the whole afternoon on the troops at the border, and we said clearly what we expect from Moscow."
    second = "“We will keep talking until every one of those soldiers has gone home,” Antony Blinken told reporters."
    text = f"{before}\n\n{first}\n\n{second}\n\nThe next round is planned for the spring."
    limit = len(before) + len(first) + 4 + 10
    (_, cut), _ = pieces(text, limit)
    assert text[:cut].endswith(first + "\n\n")  # the cut: between the two paragraphs of the quote
    whole = doc_to_annotation(nlp(text), "d")
    pieced = doc_to_annotation(parse_long(nlp, text, limit), "d")
    near = [q for q in whole.quotes if q.end >= cut - len(first) and q.start <= cut + len(second)]
    assert any(q.start < cut for q in near) and any(q.start >= cut for q in near)  # both sides quoted
    assert any(q.speaker is not None and q.speaker.name == "Antony Blinken" for q in near)
    assert pieced.quotes == whole.quotes
