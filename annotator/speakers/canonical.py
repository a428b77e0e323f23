"""Who said what across outlets: one canonical speaker per person, and the same statement aligned.

Articles about one event quote the same people under name variants ("Sergei Lavrov" / "Sergey
Lavrov", "Blinken" / "Antony Blinken"). The merge rule, in order:

1. A user correction wins (``annotator speakers merge/split``, stored per dataset).
2. Names are compared by a key: casefolded, accents stripped, titles ("Mr", "Secretary", ...) and
   middle initials dropped. Equal keys are one speaker.
3. Full names with the same surname merge when their first names are spelling variants
   (Jaro-Winkler similarity >= 0.85, e.g. Sergei/Sergey) or one is an initial of the other.
4. An initial and a surname ("J. Smith") merges into the one full name with that surname whose first name
   fits the initial; failing that, like a bare surname ("Blinken", or "J. Blinken" as a middle initial), into
   the full name with that surname, if exactly one exists.

The most frequent full variant names the group. Quotes of one speaker from different documents are
aligned when their wording is close (rapidfuzz token-set similarity >= ALIGN_THRESHOLD): "exact" when
the words are the same up to punctuation and case, "contains" when one quote only contains the other,
else "paraphrase".
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from annotator.unionfind import DisjointSets
from annotator.scheme import Annotation, Quote, SpeakerMention

TITLES = frozenset(
    "mr mrs ms dr sir madam president prime minister secretary general foreign deputy spokesperson "
    "spokesman spokeswoman chairman senator ambassador minister of state us u.s. russian".split()
)
FIRST_NAME_SIMILARITY = 0.85
ALIGN_THRESHOLD = 70.0
EXACT_THRESHOLD = 95.0
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def name_tokens(name: str) -> list[str]:
    """Casefolded name words without accents, titles or middle initials ("Antony J. Blinken" -> antony blinken)."""
    words = [w.strip("'’-") for w in _WORD.findall(strip_accents(name).casefold())]
    words = [w for w in words if w and w not in TITLES and w not in ("the",)]
    if len(words) > 2:
        words = [words[0], *[w for w in words[1:-1] if len(w) > 1], words[-1]]
    return words


def _first_names_compatible(a: str, b: str) -> bool:
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return JaroWinkler.similarity(a, b) >= FIRST_NAME_SIMILARITY


def merge_names(names: Iterable[str], corrections: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map every name variant to its canonical name (the rule in the module docstring)."""
    counts = Counter(names)
    corrections = dict(corrections or {})
    sets = DisjointSets(counts)
    find, union = sets.find, sets.union

    free = [n for n in counts if n not in corrections]
    keys = {n: name_tokens(n) for n in free}
    by_key: dict[tuple[str, ...], str] = {}
    for n in free:
        k = tuple(keys[n])
        if not k:
            continue
        if k in by_key:
            union(by_key[k], n)
        else:
            by_key[k] = n
    def initial_only(n: str) -> bool:
        return len(keys[n]) == 2 and len(keys[n][0]) == 1

    full = [n for n in free if len(keys[n]) >= 2 and not initial_only(n)]
    by_surname: dict[str, list[str]] = defaultdict(list)
    for n in full:
        by_surname[keys[n][-1]].append(n)
    for group in by_surname.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if _first_names_compatible(keys[a][0], keys[b][0]):
                    union(a, b)
    for n in free:
        if len(keys[n]) == 1 or initial_only(n):
            same_surname = by_surname.get(keys[n][-1], [])
            candidates = {find(m) for m in same_surname}
            if initial_only(n):  # "J. Smith": prefer the one full name whose first name fits the initial
                fitting = {find(m) for m in same_surname if keys[m][0].startswith(keys[n][0])}
                candidates = fitting if len(fitting) == 1 else candidates
            if len(candidates) == 1:
                union(candidates.pop(), n)

    groups: dict[str, list[str]] = defaultdict(list)
    for n in free:
        groups[find(n)].append(n)
    mapping: dict[str, str] = {}
    for members in groups.values():
        best = max(members, key=lambda m: (len(keys[m]) >= 2, counts[m], len(m), m))
        for m in members:
            mapping[m] = best
    for variant, canonical in corrections.items():
        if variant in counts:
            mapping[variant] = canonical
    return {v: resolve_chain(v, mapping, corrections) for v in mapping}


def resolve_chain(name: str, mapping: Mapping[str, str], corrections: Mapping[str, str]) -> str:
    """Follow merges to their end: A -> B and B -> C put A's quotes under C, however long the chain.

    A cycle (which ``speakers merge`` refuses, but an old database may hold) ends at the first name
    met twice, so every name still resolves to one of the names in the cycle.
    """
    seen: set[str] = set()
    current = name
    while current not in seen:
        seen.add(current)
        nxt = mapping[current] if current in mapping else corrections.get(current, current)
        if nxt == current:
            break
        current = nxt
    return current


@dataclass(frozen=True)
class SpeakerQuote:
    doc_id: str
    outlet: str
    quote_id: str
    text: str
    kind: str
    mention: str
    name: str
    stance_target: str | None
    stance_label: str | None


@dataclass(frozen=True)
class AlignedStatement:
    """One statement quoted in several outlets: the quotes and how close their wording is."""

    quotes: tuple[SpeakerQuote, ...]
    match: str  # "exact", "contains" (one copy is part of another) or "paraphrase"
    similarity: float


@dataclass(frozen=True)
class CanonicalSpeaker:
    name: str
    variants: tuple[str, ...]
    quotes: tuple[SpeakerQuote, ...]
    per_outlet: Mapping[str, int] = field(default_factory=dict)
    stances: Mapping[str, int] = field(default_factory=dict)
    aligned: tuple[AlignedStatement, ...] = ()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "variants": list(self.variants),
            "quotes": len(self.quotes),
            "per_outlet": dict(self.per_outlet),
            "stances": dict(self.stances),
            "aligned": [
                {
                    "match": a.match,
                    "similarity": round(a.similarity, 1),
                    "quotes": [{"doc_id": q.doc_id, "outlet": q.outlet, "quote_id": q.quote_id, "text": q.text}
                               for q in a.quotes],
                }
                for a in self.aligned
            ],
        }


def outlet_of(ann: Annotation) -> str:
    meta = ann.meta or {}
    return str(meta.get("outlet") or meta.get("source") or ann.doc_id)


def _normalized_words(text: str) -> str:
    return " ".join(_WORD.findall(strip_accents(text).casefold()))


def align_quotes(quotes: Sequence[SpeakerQuote]) -> tuple[AlignedStatement, ...]:
    """Group near-duplicate quotes from different documents (single-link, by wording similarity).

    Near-linear in the number of quotes rather than quadratic: quotes with the same words form one wording
    (scored once), and only wordings that share a rare word are compared (see ``_similar_pairs``). Up to
    COMMON_WORD_MIN_WORDINGS distinct wordings per speaker this is exactly comparing every pair; beyond,
    pairs that share none of their rarest (non-common) words are not compared.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(quotes):
        text = _normalized_words(q.text)
        if len(text.split()) >= 4:  # shorter quotes are never aligned
            members[text].append(i)
    keys = list(members)
    docs = [{quotes[i].doc_id for i in members[k]} for k in keys]
    sets = DisjointSets(range(len(keys)))
    find = sets.find
    # identical wording in two documents is aligned by itself
    linked = [len(d) > 1 for d in docs]
    scores: dict[tuple[int, int], float] = {}

    for a, b, score in _similar_pairs(keys, [next(iter(d)) if len(d) == 1 else None for d in docs]):
        scores[(a, b)] = score
        linked[a] = linked[b] = True
        sets.union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    lowest: dict[int, float] = {}  # the weakest link of each group
    for c in range(len(keys)):
        if linked[c]:
            groups[find(c)].append(c)
            if len(docs[c]) > 1:
                lowest[find(c)] = 100.0
    for (a, _), score in scores.items():
        root = find(a)
        lowest[root] = min(score, lowest.get(root, 100.0))
    out = []
    for root, classes in groups.items():
        out.append(AlignedStatement(
            tuple(quotes[i] for i in sorted(i for c in classes for i in members[keys[c]])),
            match_kind([keys[c] for c in classes]),
            lowest[root],
        ))
    return tuple(sorted(out, key=lambda a: (a.quotes[0].doc_id, a.quotes[0].quote_id)))


# A speaker with more distinct wordings than this is compared through each wording's rarest words only:
# words in more wordings than this are too common to propose pairs, and a wording proposes pairs through its
# RAREST_WORDS_PROBED rarest words. Below it, every pair sharing a word is compared, as comparing all pairs
# would (a pair sharing no word at all is below ALIGN_THRESHOLD in practice: a test checks it on random quotes).
COMMON_WORD_MIN_WORDINGS = 64
RAREST_WORDS_PROBED = 4


def _similar_pairs(texts: Sequence[str], only_doc: Sequence[str | None]) -> list[tuple[int, int, float]]:
    """Pairs (a, b, similarity) of wordings from different documents with similarity >= ALIGN_THRESHOLD.

    Compared: pairs sharing a word (for a large speaker: one of a's rarest words) that is in at most
    COMMON_WORD_MIN_WORDINGS wordings. ``only_doc[c]`` is the one document of wording c, or None when several.
    """
    words = [set(t.split()) for t in texts]
    postings: dict[str, list[int]] = defaultdict(list)
    for c, ws in enumerate(words):
        for w in ws:
            postings[w].append(c)
    found: dict[tuple[int, int], float] = {}
    small = len(texts) <= COMMON_WORD_MIN_WORDINGS
    for a, ws in enumerate(words):
        candidates: set[int] = set()
        for w in ws if small else sorted(ws, key=lambda w: (len(postings[w]), w))[:RAREST_WORDS_PROBED]:
            posting = postings[w]
            if len(posting) <= COMMON_WORD_MIN_WORDINGS:
                candidates.update(posting[bisect_right(posting, a):])
        doc = only_doc[a]
        choices = [b for b in candidates if b != a and (doc is None or only_doc[b] != doc)]
        for _, score, k in process.extract(texts[a], [texts[b] for b in choices], scorer=fuzz.token_set_ratio,
                                           score_cutoff=ALIGN_THRESHOLD, limit=None):
            b = choices[k]
            found[(a, b) if a < b else (b, a)] = score
    return [(a, b, score) for (a, b), score in sorted(found.items())]


def _close(x: str, y: str) -> bool:
    return x == y or fuzz.ratio(x, y, score_cutoff=EXACT_THRESHOLD) >= EXACT_THRESHOLD


def match_kind(texts: Sequence[str]) -> str:
    """How a group of wordings relate: "exact" when every two are the same up to punctuation and case (or
    differ only slightly), "contains" when some only contain the others (a 5-word quote inside a 30-word
    one: a decision on one may not fit the other), else "paraphrase"."""
    pairs = [(x, y) for a, x in enumerate(texts) for y in texts[a + 1:]]
    if all(_close(x, y) for x, y in pairs):
        return "exact"
    if all(_close(x, y) or x in y or y in x for x, y in pairs):
        return "contains"
    return "paraphrase"


def cross_outlet_speakers(
    annotations: Iterable[Annotation], corrections: Mapping[str, str] | None = None
) -> list[CanonicalSpeaker]:
    """Canonical speakers over all documents, most quoted first, with aligned statements."""
    raw: list[tuple[Annotation, Quote, SpeakerMention]] = []
    for ann in annotations:
        for q in ann.kept().quotes:
            if q.speaker is not None and q.speaker.name.strip():
                raw.append((ann, q, q.speaker))
    mapping = merge_names((spk.name for _, _, spk in raw), corrections)
    by_name: dict[str, list[SpeakerQuote]] = defaultdict(list)
    variants: dict[str, Counter[str]] = defaultdict(Counter)
    for ann, q, spk in raw:
        name = mapping[spk.name]
        variants[name][spk.name] += 1
        by_name[name].append(SpeakerQuote(
            doc_id=ann.doc_id, outlet=outlet_of(ann), quote_id=q.id, text=q.text, kind=q.kind,
            mention=spk.text, name=spk.name,
            stance_target=q.stance.target if q.stance else None,
            stance_label=q.stance.label if q.stance else None,
        ))
    speakers = []
    for name, quotes in by_name.items():
        per_outlet = Counter(q.outlet for q in quotes)
        stances = Counter(f"{q.stance_target}: {q.stance_label}" for q in quotes if q.stance_label)
        speakers.append(CanonicalSpeaker(
            name=name, variants=tuple(sorted(variants[name])), quotes=tuple(quotes),
            per_outlet=dict(sorted(per_outlet.items())), stances=dict(sorted(stances.items())),
            aligned=align_quotes(quotes),
        ))
    return sorted(speakers, key=lambda s: (-len(s.quotes), s.name))
