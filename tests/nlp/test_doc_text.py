"""``doc_text``: the components read a document's text once between them (``Doc.text`` joins every token)."""

from __future__ import annotations

import gc

import spacy
from spacy.tokens import Doc

from annotator.nlp import common as comp


def test_the_text_is_joined_once_per_document_and_not_kept_past_it() -> None:
    nlp = spacy.blank("en")
    doc = nlp("“We disagree,” she said.\n\nThe vote is on Monday.")
    first = comp.doc_text(doc)
    assert first == doc.text and comp.doc_text(doc) is first  # the second read is the kept string
    assert comp.doc_text(nlp("Another text.")) == "Another text."
    kept = len(comp._TEXTS)
    del doc
    gc.collect()
    assert len(comp._TEXTS) < kept  # the document went, its text with it


def test_an_empty_doc_filled_later_reads_its_new_text() -> None:
    nlp = spacy.blank("en")
    data = nlp("Filled from bytes.").to_bytes()
    doc = Doc(nlp.vocab)
    assert comp.doc_text(doc) == ""
    doc.from_bytes(data)
    assert comp.doc_text(doc) == "Filled from bytes."
