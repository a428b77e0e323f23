"""Candidate spans for the trained span categorizers: sentences, clauses and quoted stretches.

Quotes and claims are clause-sized and long (often 10-60 tokens), where spaCy's n-gram suggester
would propose tens of thousands of candidates per article. These candidates come from the parse
instead: every sentence, every clausal subtree, every stretch between quotation marks, each also with
its edge punctuation trimmed. Registered as ``annotator.candidate_spans.v1`` in spaCy's misc registry and
listed as a ``spacy_misc`` entry point in pyproject.toml, so a trained pipeline that names it loads with
``spacy.load`` in any process (spaCy imports this module when the config asks for the function).
"""

from __future__ import annotations

from typing import Iterable

from spacy.util import registry

CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "conj", "pcomp", "relcl", "parataxis", "acl", "pobj"})
QUOTE_WINDOW = 200


def _trimmed(doc, start: int, end: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def candidate_spans(doc, max_length: int = 120) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Sorted (start, end) token spans proposed for one parsed Doc."""
    found: set[tuple[int, int]] = set()

    def add(start: int, end: int) -> None:
        for s, e in ((start, end), _trimmed(doc, start, end)):
            if 0 <= s < e <= len(doc) and e - s <= max_length:
                found.add((s, e))

    if doc.has_annotation("DEP") or doc.has_annotation("SENT_START"):
        for sent in doc.sents:
            add(sent.start, sent.end)
            # "According to X, <content>": the rest of the sentence after an early comma.
            for tok in sent[: max(len(sent) // 2, 1)]:
                if tok.text == ",":
                    add(tok.i + 1, sent.end)
    if doc.has_annotation("DEP"):
        for tok in doc:
            if tok.dep_ in CLAUSE_DEPS:
                start = tok.left_edge.i
                add(start, tok.right_edge.i + 1)
                while start < tok.i and doc[start].dep_ in ("mark", "punct"):  # drop "that"
                    start += 1
                add(start, tok.right_edge.i + 1)
            if tok.pos_ in ("VERB", "AUX"):
                # What follows a verb within its clause: "accused <Nato of refusing ...>",
                # "urging <Russia to pull back>", one end per right-hand dependent.
                start = tok.i + 1
                while start < len(doc) and doc[start].dep_ in ("mark", "punct", "prt"):
                    start += 1
                for child in tok.rights:
                    if child.i >= start and child.dep_ not in ("punct", "cc"):
                        add(start, child.right_edge.i + 1)
    marks = [t.i for t in doc if t.is_quote]
    for a, b in zip(marks, marks[1:]):
        if b - a <= QUOTE_WINDOW:
            add(a + 1, b)
    return sorted(found)


@registry.misc("annotator.candidate_spans.v1")
def build_candidate_suggester(max_length: int = 120):  # type: ignore[no-untyped-def]
    from thinc.api import Ragged, get_current_ops

    def suggest(docs: Iterable, *, ops=None):  # type: ignore[no-untyped-def]
        ops = ops if ops is not None else get_current_ops()
        spans: list[tuple[int, int]] = []
        lengths: list[int] = []
        for doc in docs:
            cands = candidate_spans(doc, max_length)
            spans.extend(cands)
            lengths.append(len(cands))
        data = ops.asarray2i(spans) if spans else ops.xp.zeros((0, 2), dtype="i")
        return Ragged(data, ops.asarray1i(lengths))

    return suggest
