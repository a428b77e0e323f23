"""Multi-document versions for the streamed agreement tests: random spans by 2-4 annotators with missing
documents, rejected items, quote kinds outside the scheme first met late, a document whose text differs
between annotators, one not done and one of whitespace only."""

from __future__ import annotations

import random
from dataclasses import replace

from annotator.scheme import Annotation, Quote

from tests.agreement.test_report import random_versions

#: (seed, documents, annotators) of each reference report in data/streamed_reference.json
CASES: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (5, 30, ("ann", "bob", "cy")),
    (9, 25, ("ann", "bob", "cy", "dee")),
    (13, 20, ("ann", "bob")),
)


def fixture_versions(seed: int, n_docs: int, names: tuple[str, ...]) -> dict[str, dict[str, Annotation]]:
    versions = random_versions(seed, n_docs, names)
    late = sorted(versions[names[0]])[-3:]
    for doc_id in late:  # kinds outside the scheme, first seen in the last documents
        ann = versions[names[0]][doc_id]
        quotes = tuple(replace(q, kind="scare") if i % 2 == 0 else q for i, q in enumerate(ann.quotes))
        versions[names[0]][doc_id] = replace(ann, quotes=quotes)
    if len(names) > 3 and late:
        ann = versions[names[-1]].get(late[-1])
        if ann is not None and ann.quotes:
            versions[names[-1]][late[-1]] = replace(ann, quotes=(replace(ann.quotes[0], kind="partial"), *ann.quotes[1:]))
    first = sorted(versions[names[1]])[0]
    ann = versions[names[1]][first]
    versions[names[1]][first] = replace(ann, text=ann.text + " (corrected)")
    second = sorted(versions[names[0]])[1]
    versions[names[0]][second] = replace(versions[names[0]][second], status="flagged")
    for name in names:
        versions[name]["zz-blank"] = Annotation("zz-blank", "  \n ", name)
    return versions


def quotes_of(versions: dict[str, dict[str, Annotation]]) -> list[Quote]:
    return [q for docs in versions.values() for ann in docs.values() for q in ann.quotes]


WORDS = "the minister said that talks would continue while officials warned of escalation in the east".split()
NAMES = ("Antony Blinken", "Sergei Lavrov", "NATO")


def valid_versions(seed: int, n_docs: int, names: tuple[str, ...]) -> list[Annotation]:
    """Versions ``annotator import`` accepts (one quote per 12-word slot, speaker and cue before it, a claim
    after it), each annotator varying boundaries, kinds, speakers and stances; some documents left out."""
    from annotator.scheme import Claim, Quote, Span, SpeakerMention, Stance

    rng = random.Random(seed)
    out: list[Annotation] = []
    for d in range(n_docs):
        words = [rng.choice(WORDS) for _ in range(12 * rng.randint(1, 4))]
        starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words) + 1)]
        text = " ".join(words)

        def span(a: int, b: int) -> tuple[int, int]:  # words a..b-1
            return starts[a], starts[b] - 1

        for name in names:
            if rng.random() < 0.15:
                continue
            quotes, claims = [], []
            for n, w in enumerate(range(0, len(words), 12)):
                if rng.random() < 0.15:
                    continue
                qs, qe = span(w + 2 + rng.choice((0, 0, 1)), w + 7 + rng.choice((0, 0, 1, 2)))
                ss, se = span(w, w + 1)
                cs, ce = span(w + 1, w + 2)
                label = rng.choice((None, "favor", "against"))
                quotes.append(Quote(f"q{n}", qs, qe, text[qs:qe], rng.choice(("direct", "indirect", "indirect")),
                                    Span(cs, ce, text[cs:ce]) if rng.random() < 0.8 else None,
                                    SpeakerMention(ss, se, text[ss:se], rng.choice(NAMES)),
                                    None if label is None else Stance("NATO", label)))
                if rng.random() < 0.6:
                    a, b = span(w + 9, w + 11 + rng.choice((0, 1)))
                    claims.append(Claim(f"c{n}", a, b, text[a:b], checkworthy=rng.random() < 0.6))
            out.append(Annotation(f"d{d:02d}", text, name, "done", {}, tuple(quotes), tuple(claims)))
    return out
