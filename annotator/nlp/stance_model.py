"""Learned, target-dependent stance: favor / against / neutral of a quote toward one target mention.

The classifier reads where the target is: the quote with the mention replaced by a marker (so words about
the target are not confused with the target's own name), marker tokens for the words left and right
of the mention (``L_``/``R_`` within a window, ``L0_`` ... for the nearest ones), the sentiment (VADER
lexicon, ``vaderSentiment``) of the sentence and of each side of the mention, and, where the text is parsed
(the pipeline's document, or ``predict --keep-spans`` parsing it), the mention's place in the parse (its
relation, the verb governing it and that verb's sentiment, ...). Trained on NewsMTSC
(``annotator train-classifier``); the packaged model is in ``annotator/models/stance``.

``annotator_stance_clf`` is the spaCy component: for each attribution record it finds the dataset targets
the quote mentions (through ``lexicon.TARGET_ALIASES``: Moscow/Kremlin -> Russia, ...), classifies the
stance toward each and keeps the most mentioned one (ties: the first) in ``record["stance"]`` as
``[target, label]``, with ``record["stance_score"]`` (the label's probability) and every scored target in
``record["stances"]`` (``[[target, label, score], ...]``). A quote mentioning no target has no stance.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from annotator.nlp import common as comp
from annotator.nlp.stance import _alias_patterns
from annotator.nlp.textmodel import FieldSpec, LinearTextModel
from annotator.scheme import DEFAULT_STANCE_TARGETS

STANCE_CLF_FACTORY = "annotator_stance_clf"
#: Words left and right of the mention that become position features.
WINDOW = 6
NEAR = 3
TARGET_MARK = "TGT"
#: Words on each side whose sentiment (VADER) becomes features.
SENTIMENT_WINDOW = 8
#: A negation word within this many words before a sentiment word flips it.
NEGATION_SCOPE = 3
#: Words (whitespace-separated) on each side of the mention in the masked near-context field.
NEAR_CONTEXT = 12
#: Heads walked up from the mention to the verb that governs it ("the plan of [[X]] failed": plan, failed).
GOVERNOR_STEPS = 4
FIELDS: tuple[FieldSpec, ...] = (FieldSpec(0, "word", (1, 2)), FieldSpec(1, "marker", (1, 1), min_df=1),
                                 FieldSpec(2, "marker", (1, 1), min_df=1), FieldSpec(3, "word", (1, 2)),
                                 FieldSpec(4, "marker", (1, 1), min_df=2))
#: Where a text's parse is: the parsed document and the character offset of the text in it.
Parsed = tuple[Doc, int]
Mention = tuple[int, int] | None
_VERBS = frozenset({"VERB", "AUX"})
#: A governing verb's dependents whose words' sentiment is read ("X [[won]] a stunning victory").
_ARGUMENTS = frozenset({"dobj", "attr", "acomp", "xcomp", "ccomp", "advmod", "prep", "oprd"})
#: The mention's own dependents that describe it ("the [[corrupt]] senator", "X, a hero of ...").
_DESCRIBERS = frozenset({"amod", "appos", "acl", "relcl", "compound"})

_TOKEN = re.compile(r"\w+|[^\w\s]")


def default_model_path() -> Path:
    """The packaged NewsMTSC model folder."""
    return Path(str(resources.files("annotator") / "models" / "stance"))


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, float], frozenset[str]]:
    """VADER's word valences (-4..4) and negation words (``vaderSentiment``, MIT; read from the package)."""
    from vaderSentiment.vaderSentiment import NEGATE, SentimentIntensityAnalyzer

    return dict(SentimentIntensityAnalyzer().lexicon), frozenset(NEGATE) | {"no", "not", "never", "without", "nor"}


def _negated(words: Sequence[str], i: int, negations: frozenset[str]) -> bool:
    """Whether one of the three words before ``words[i]`` negates it ("not good", "didn't help")."""
    return any(w in negations or w.endswith("n't") for w in words[max(0, i - NEGATION_SCOPE) : i])


def _valence(words: Sequence[str]) -> tuple[float, list[tuple[str, float]]]:
    """Sum of the lexicon valences of ``words`` (a negated word counts -0.74 times, as in VADER) and the
    sentiment words found with their valence there (``("not_good", -1.4)``)."""
    lexicon, negations = _lexicon()
    total, found = 0.0, []
    for i, w in enumerate(words):
        v = lexicon.get(w)
        if v is None:
            continue
        if _negated(words, i, negations):
            w, v = f"not_{w}", -0.74 * v
        total += v
        found.append((w, v))
    return total, found


def _polarity(name: str, value: float) -> list[str]:
    sign = "pos" if value > 0.5 else "neg" if value < -0.5 else "zero"
    strong = [f"{name}_{sign}2"] if abs(value) > 2.5 else []
    return [f"{name}_{sign}", *strong]


def sentiment_marks(text: str, start: int | None, end: int | None,
                    tokens: tuple[list[str], list[str]] | None = None) -> str:
    """Sentiment around the mention from VADER's word lexicon, with negation scope (three words): the sum of
    the valences of the sentence and of the words left and right of the mention (``VS_``, ``VL_``, ``VR_``:
    pos/neg/zero, ``2`` when strong), and each side's sentiment words by sign and by word (``LEXl_p``,
    ``SWl_not_good`` ...). Word look-ups only: VADER's full scorer cost more than the rest of the model.
    ``tokens``: the lower-cased tokens left and right of the mention when the caller has them already."""
    lower = text.lower()
    marks = _polarity("VS", _valence(_TOKEN.findall(lower))[0])
    if start is None or end is None:
        return " ".join(marks)
    before, after = tokens or (_TOKEN.findall(text[:start].lower()), _TOKEN.findall(text[end:].lower()))
    sides = (("l", before[-SENTIMENT_WINDOW:]), ("r", after[:SENTIMENT_WINDOW]))
    for side, words in sides:
        value, found = _valence(words)
        marks += _polarity(f"V{side.upper()}", value)
        for w, v in found:
            marks += [f"LEX{side}_{'p' if v > 0 else 'n'}", f"SW{side}_{w}"]
    return " ".join(marks)


def _sign(word: str) -> str | None:
    v = _lexicon()[0].get(word)
    return None if v is None else "p" if v > 0 else "n"


@lru_cache(maxsize=1)
def _signs_by_hash() -> dict[int, int]:
    """VADER's words by their spaCy string id (``Token.lower``: a hash, or a symbol's number for words such
    as "number"), +1 / -1: a subtree's words are looked up without building their strings."""
    from spacy.strings import get_string_id

    return {get_string_id(w): 1 if v > 0 else -1 for w, v in _lexicon()[0].items() if v}


def _sign_counts(tokens: Iterable[Token], skip: frozenset[int] = frozenset()) -> tuple[int, int]:
    """How many of ``tokens`` (but those at indices in ``skip``) are positive and negative VADER words."""
    signs = _signs_by_hash()
    p = n = 0
    for t in tokens:
        v = signs.get(t.lower) if t.i not in skip else None
        if v is not None:
            if v > 0:
                p += 1
            else:
                n += 1
    return p, n


def _subtree_sign(token: Token) -> str | None:
    p, n = _sign_counts(token.subtree)
    return None if not (p or n) else "p" if p > n else "n" if n > p else "m"


def _clause_sign(verb: Token, span: Span, root: Token) -> str:
    """The sentiment of the governing verb's clause without the mention's own words (p, n, m: both, z: none)."""
    p, n = _sign_counts(verb.subtree, frozenset(range(span.start, span.end)) | {t.i for t in root.subtree})
    return "p" if p > n else "n" if n > p else "z" if not p else "m"


def dependency_marks(doc: Doc, start: int, end: int) -> str:
    """The mention ``doc.text[start:end]``'s place in the parse (lower-cased words, no lemmatizer needed):
    its root's relation and head (``DR_nsubj``, ``DH_blamed_nsubj``), the verb governing it (walking up at
    most ``GOVERNOR_STEPS`` heads through nouns and prepositions) with the relation of the path's last step
    and its preposition (``GVR_blamed_nsubj``, ``GR_prep:with``), the verb's VADER sign by that relation,
    flipped under a ``neg`` dependent (``GVP_n_nsubj``; "[[X]] did not win" vs "... defeated [[X]]"), the
    sentiment of the verb's other arguments by relation (``ARG_nsubj_dobj_n``: "[[X]] made a terrible
    mistake"), the sentiment of the verb's clause without the mention by relation (``CL_nsubj_n``), the
    mention's describing dependents (``CH_amod_corrupt``, ``CHS_amod_n``), and ``PASS_AGENT`` for the agent
    of a passive. +0.008 macro F1 in 5-fold group CV (0.659 -> 0.668), dev 0.684 -> 0.700, held-out
    0.690 -> 0.695 (the clause and agent marks: CV +0.000, held-out and dev +0.005 each)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return "DEP_NONE"
    root = span.root
    out = [f"DR_{root.dep_}", f"DH_{root.head.lower_}_{root.dep_}"]
    if root.head.dep_ == "agent" or (root.head.lower_ == "by" and root.dep_ == "pobj"):
        out.append("PASS_AGENT")  # "was praised by [[X]]": X is not the one praised
    tok, prep = root, ""
    for _ in range(GOVERNOR_STEPS):
        head = tok.head
        if head.pos_ in _VERBS:
            break
        if head.dep_ == "prep" or head.pos_ == "ADP":
            prep = head.lower_
        tok = head
    if tok.head.pos_ in _VERBS:
        out.append(f"CL_{tok.dep_}_{_clause_sign(tok.head, span, root)}")
    verb = tok.head if tok.head.pos_ in _VERBS else tok if tok.pos_ in _VERBS else None
    if verb is not None:
        rel = f"{tok.dep_}:{prep}" if prep else tok.dep_
        word = verb.lower_
        negated = any(c.dep_ == "neg" for c in verb.children)
        out += [f"GV_{word}", f"GVR_{word}_{rel}", f"GR_{rel}"]
        sign = _sign(word)
        if sign:
            out.append(f"GVP_{({'p': 'n', 'n': 'p'}[sign] if negated else sign)}_{rel}")
        if negated:
            out.append(f"GNEG_{rel}")
        for c in verb.children:  # the argument that holds the mention counts too ("with [[X]]'s awful plan")
            if c.dep_ in _ARGUMENTS and not span.start <= c.i < span.end:
                arg = _subtree_sign(c)
                if arg:
                    out.append(f"ARG_{rel}_{c.dep_}_{arg}")
    for c in root.children:
        if c.dep_ in _DESCRIBERS:
            out.append(f"CH_{c.dep_}_{c.lower_}")
            described = _subtree_sign(c)
            if described:
                out.append(f"CHS_{c.dep_}_{'n' if described == 'n' else 'p'}")
    return " ".join(out)


def stance_fields(text: str, start: int | None, end: int | None, parsed: Parsed | None = None) -> list[str]:
    """The classifier's input for the target mention ``text[start:end]`` (``None``: no mention found):
    the masked text, position markers, sentiment markers, the masked text within ``NEAR_CONTEXT`` words
    of the mention (its words count once more when near the target: a long sentence about several people
    otherwise dilutes them; +0.004 macro F1 in 5-fold CV, +0.008 held-out, +0.005 dev), and the
    ``dependency_marks`` of the mention when ``parsed`` says where the text is in a parsed document."""
    if start is None or end is None:
        return [text, "", sentiment_marks(text, None, None), text, ""]
    masked = f"{text[:start]} {TARGET_MARK} {text[end:]}"
    before, after = _TOKEN.findall(text[:start].lower()), _TOKEN.findall(text[end:].lower())
    left, right = before[-WINDOW:], after[:WINDOW]
    marks = [f"L_{w}" for w in left] + [f"R_{w}" for w in right]
    marks += [f"L{i}_{w}" for i, w in enumerate(reversed(left[-NEAR:]))]
    marks += [f"R{i}_{w}" for i, w in enumerate(right[:NEAR])]
    if len(left) >= 2:
        marks.append("LB_" + "_".join(left[-2:]))
    if len(right) >= 2:
        marks.append("RB_" + "_".join(right[:2]))
    if start == 0 or not text[:start].strip():
        marks.append("TGT_FIRST")
    near = " ".join([*text[:start].split()[-NEAR_CONTEXT:], TARGET_MARK, *text[end:].split()[:NEAR_CONTEXT]])
    syntax = dependency_marks(parsed[0], parsed[1] + start, parsed[1] + end) if parsed is not None else ""
    return [masked, " ".join(marks), sentiment_marks(text, start, end, (before, after)), near, syntax]


def find_mention(text: str, target: str) -> tuple[int, int] | None:
    """Where ``target`` is mentioned in ``text``: itself or an alias (whole words, case-insensitive), else
    its last word ("Judge Gorsuch" -> "Gorsuch"); ``None`` when absent."""
    hits = mentions(text, [target]).get(target)
    if hits:
        return hits[0]
    words = re.findall(r"\w+", target)
    if len(words) > 1:
        m = re.search(r"(?<!\w)" + re.escape(words[-1]) + r"(?!\w)", text, flags=re.IGNORECASE)
        if m:
            return m.start(), m.end()
    return None


@lru_cache(maxsize=64)
def _patterns(targets: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    """The alias patterns of a target list, built once (a document asks for the same list per quote)."""
    return _alias_patterns(list(targets))


def mentions(text: str, targets: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Mentions of each target in ``text`` through its aliases (lower-case "us" is a word, not the US)."""
    lower = text.lower()
    out: dict[str, list[tuple[int, int]]] = {}
    for target, pattern in _patterns(tuple(targets)):
        hits = [(m.start(), m.end()) for m in pattern.finditer(lower)
                if not (m.group(0) == "us" and text[m.start() : m.end()] != "US")]
        if hits:
            out[target] = hits
    return out


class StanceClassifier:
    """The model and the decision for one quote and target."""

    def __init__(self, model: LinearTextModel):
        self.model = model

    @classmethod
    def load(cls, path: Path | None = None) -> "StanceClassifier":
        return cls(LinearTextModel.load(path or default_model_path()))

    def classify(self, items: Sequence[tuple[str, Mention]],
                 parsed: Sequence[Parsed | None] | None = None) -> list[tuple[str, float]]:
        """``(label, probability)`` for each ``(text, mention)``; ``parsed``: where each text is in a parsed
        document (the parse features are left empty without it)."""
        where = parsed if parsed is not None else [None] * len(items)
        rows = [stance_fields(text, span[0], span[1], at) if span else stance_fields(text, None, None)
                for (text, span), at in zip(items, where)]
        probs = self.model.predict_proba(rows)
        out = []
        for row in probs:
            k = int(row.argmax())
            out.append((self.model.classes[k], float(row[k])))
        return out

    def toward(self, text: str, target: str, parsed: Parsed | None = None) -> tuple[str, float]:
        """The stance of ``text`` toward a given target (found by ``find_mention``)."""
        return self.classify([(text, find_mention(text, target))], [parsed])[0]

    def best_target(self, text: str, targets: Sequence[str], parsed: Parsed | None = None) -> tuple[str, str, float] | None:
        """``(target, label, score)`` toward the most mentioned target (ties: first mentioned), ``None`` when
        the text mentions none of ``targets``."""
        scored = self.all_targets(text, targets, parsed)
        return scored[0] if scored else None

    def all_targets(self, text: str, targets: Sequence[str], parsed: Parsed | None = None) -> list[tuple[str, str, float]]:
        """Every mentioned target with its stance, the most mentioned first (ties: first mentioned)."""
        return self.all_targets_many([text], targets, [parsed])[0]

    def all_targets_many(self, texts: Sequence[str], targets: Sequence[str],
                         parsed: Sequence[Parsed | None] | None = None) -> list[list[tuple[str, str, float]]]:
        """``all_targets`` of several texts with one call of the model (a document's quotes at once)."""
        where = parsed if parsed is not None else [None] * len(texts)
        orders = []
        items: list[tuple[str, Mention]] = []
        item_parses: list[Parsed | None] = []
        for text, at in zip(texts, where):
            found = mentions(text, targets)
            order = sorted(found, key=lambda t: (-len(found[t]), found[t][0][0]))
            orders.append(order)
            items.extend((text, found[t][0]) for t in order)
            item_parses.extend(at for _t in order)
        results = iter(self.classify(items, item_parses) if items else [])
        return [[(t, *next(results)) for t in order] for order in orders]


@comp._factory(STANCE_CLF_FACTORY, default_config={"targets": list(DEFAULT_STANCE_TARGETS), "model": ""},
               requires=[f"doc._.{comp.ATTRIBUTIONS_EXT}"])
def make_stance_clf(nlp: Language, name: str, targets: list[str], model: str) -> "StanceClfComponent":
    return StanceClfComponent(targets, StanceClassifier.load(Path(model) if model else None))


class StanceClfComponent:
    """Writes each attribution record's stance from the classifier."""

    def __init__(self, targets: Sequence[str], classifier: StanceClassifier):
        self.targets = list(targets)
        self.classifier = classifier

    def to_disk(self, path: Path, exclude: Sequence[str] = ()) -> None:
        """``nlp.to_disk``: the classifier goes into the pipeline folder (a trained pipeline carries it)."""
        self.classifier.model.save(Path(path))

    def from_disk(self, path: Path, exclude: Sequence[str] = ()) -> "StanceClfComponent":
        self.classifier = StanceClassifier.load(Path(path))
        return self

    def __call__(self, doc: Doc) -> Doc:
        records = doc._.get(comp.ATTRIBUTIONS_EXT) or []
        text = comp.doc_text(doc)
        texts = [text[r["start"] : r["end"]] for r in records]
        parsed: list[Parsed | None] = [(doc, r["start"]) if doc.has_annotation("DEP") else None for r in records]
        for r, scored in zip(records, self.classifier.all_targets_many(texts, self.targets, parsed)):
            set_stance(r, scored)
        return doc


def set_stance(record: dict[str, Any], scored: list[tuple[str, str, float]]) -> None:
    """Store classifier results on an attribution record (the first result is the quote's stance)."""
    record["stances"] = [[t, label, round(score, 4)] for t, label, score in scored]
    record["stance"] = [scored[0][0], scored[0][1]] if scored else None
    record["stance_score"] = round(scored[0][2], 4) if scored else None
