"""``annotator_quotes``: direct quotes (text between quotation marks that has a reporting cue next to it, or
that continues a quote attributed just before), indirect quotes (a reporting verb's clausal complement,
``according to X, Y``, ``X accused Y of Z``, ``X urged Y to Z``, noun-phrase content of verbs such as
"denied") and mixed quotes (indirect content with a quoted fragment inside). Writes span groups
``doc.spans["quotes"]`` (label = kind) and ``["cues"]`` and one record per quote in ``doc._.attributions``
(shape in ``annotator.nlp.common``). Add after a parser and NER (``load_pipeline`` does).

The token helpers (``cue_lemma``, ``subject_of``, ``mention_tokens``) are also used by the learned
attribution component.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from annotator.nlp.char_cover import CharCover
from annotator.nlp import lexicon as lx
from annotator.nlp.common import (
    _QUOTE_CHARS,
    ATTRIBUTIONS_EXT,
    CUES_KEY,
    MAX_QUOTE_CHARS,
    QUOTES_FACTORY,
    QUOTES_KEY,
    _ents_in,
    _factory,
    _span_group,
    doc_text,
)


#: Tokens searched for a cue after a closing / before an opening quotation mark.
CUE_WINDOW_AFTER = 6
CUE_WINDOW_BEFORE = 10
#: A quote without its own cue continues the previous attributed quote when at most this many characters
#: separate them (or when it opens the paragraph right after).
CONTINUATION_GAP = 160
#: Quotes shorter than this (word tokens) need a cue right after them to count as direct quotes.
MIN_DIRECT_WORDS = 4
_SUBJ = ("nsubj", "nsubjpass", "csubj")
_SKIP_EDGE = {",", ".", ";", ":", "—", "–", "-", "!", "?", "(", ")"}
_TRAILING_WORDS = {"and", "but", "or", "that", "which", "where", "who", "whom", "while"}
#: After a comma, these words start the journalist's own addition, not the reported content.
_TAIL_STARTERS = {"which", "where", "who", "whom", "something", "without", "while", "whereas", "but"}


def _cut_tail(doc: Doc, start: int, end: int) -> int:
    """End of reported content before ", which ...", ", where ...", ", but ..." and similar additions."""
    for i in range(start + 2, end - 1):
        if doc[i].text == "," and doc[i + 1].lower_ in _TAIL_STARTERS:
            return i
    return end


# --------------------------------------------------------------------------------------------------
# quotation marks


def find_quote_segments(text: str) -> list[tuple[int, int, int, int | None]]:
    """Pair quotation marks within paragraphs: ``(start, end, open_idx, close_idx)`` of each quoted text.

    ``start:end`` is the text between the marks (marks excluded). Curly marks say which way they face;
    a straight ``"`` opens when nothing is open, else closes. A mark left open is dropped when a new
    opening mark comes, at the paragraph end (unless the next paragraph reopens the quote: a quote over
    several paragraphs) or after ``MAX_QUOTE_CHARS``. Single quotes (apostrophes) are never paired.
    """
    segments: list[tuple[int, int, int, int | None]] = []
    pos = 0
    paragraphs = text.split("\n")
    for p_index, para in enumerate(paragraphs):
        open_at: int | None = None
        for i, ch in enumerate(para):
            if ch not in _QUOTE_CHARS:
                continue
            prev = para[i - 1] if i > 0 else " "
            nxt = para[i + 1] if i + 1 < len(para) else " "
            if ch in lx.OPEN_QUOTES:
                can_open, can_close = True, False
            elif ch in lx.CLOSE_QUOTES:
                can_open, can_close = False, True
            else:
                can_open = not nxt.isspace()
                can_close = not prev.isspace()
            if open_at is not None and i - open_at > MAX_QUOTE_CHARS:
                open_at = None
            if open_at is None:
                if can_open:
                    open_at = i
            elif can_close:
                if i - open_at > 1:
                    segments.append((pos + open_at + 1, pos + i, pos + open_at, pos + i))
                open_at = None
            elif can_open:
                open_at = i
        if open_at is not None and len(para) - open_at > 1:
            rest = paragraphs[p_index + 1 :]
            following = next((p.strip() for p in rest if p.strip()), "")
            if following[:1] in lx.OPEN_QUOTES or following[:1] in lx.STRAIGHT_QUOTES:
                end = len(para.rstrip())
                segments.append((pos + open_at + 1, pos + end, pos + open_at, None))
        pos += len(para) + 1
    return segments


# --------------------------------------------------------------------------------------------------
# helpers on tokens


def _is_quote_tok(tok: Token) -> bool:
    return tok.text in _QUOTE_CHARS or tok.text in ("''", "``")


#: Verbs that can cue reported content: reporting verbs and directives ("pressed X to", "invited X to").
_CUE_VERBS = lx.REPORTING_VERBS | lx.DIRECTIVE_VERBS


def cue_lemma(tok: Token) -> str:
    """The token's lemma, with the silent "e" the lemmatizer drops put back when that makes a cue verb
    (the small English model lemmatises "hoping", "hoped" and "hopes" as "hop")."""
    lemma = tok.lemma_.lower()
    if lemma not in _CUE_VERBS and lemma + "e" in _CUE_VERBS and tok.lower_ in (lemma + "ing", lemma + "ed", lemma + "es"):
        return lemma + "e"
    return lemma


def _call_reports(tok: Token) -> bool:
    """ "call" reports only as "called on/for X", "called X a Y" or "called ... that": not a phone call
    ("Clinton called Alicia Machado to thank her")."""
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.lower_ in lx.CUE_PARTICLES["call"] and nxt.head.i == tok.i:
        return True
    return any(c.dep_ in ("oprd", "ccomp") for c in tok.children)


def _is_reporting(tok: Token) -> bool:
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    lemma = cue_lemma(tok)
    return lemma in _CUE_VERBS and lemma != "be" and (lemma != "call" or _call_reports(tok))


def _trim(doc: Doc, start: int, end: int, keep_quotes: bool = True) -> tuple[int, int] | None:
    """Token range ``[start, end)`` without leading or trailing punctuation. A leading complementizer
    ("that", "whether") stays: it is part of the reported content, as in PolNeAR."""
    while start < end and (
        doc[start].text in _SKIP_EDGE or doc[start].is_space
        or (not keep_quotes and _is_quote_tok(doc[start]))
    ):
        start += 1
    while end > start and (doc[end - 1].text in _SKIP_EDGE or doc[end - 1].is_space
                           or doc[end - 1].lower_ in _TRAILING_WORDS
                           or (not keep_quotes and _is_quote_tok(doc[end - 1]))):
        end -= 1
    if end - start < 2:
        return None
    return start, end


def _right_limit(head: Token, after: int) -> int:
    """Right edge (exclusive token index) of ``head``'s dependents right of ``after``, conj/cc/punct excluded."""
    end = after
    for child in head.rights:
        if child.i <= after or child.dep_ in ("conj", "cc", "punct", "advcl", "parataxis") and child.i > after + 1:
            if child.dep_ in ("conj", "cc", "parataxis") and child.i > after:
                break
            continue
        end = max(end, child.right_edge.i + 1)
    return end


def _antecedent(tok: Token) -> Token:
    """A relative pronoun subject ("the Kremlin, which said") stands for the noun the clause modifies."""
    if tok.lower_ in ("which", "who", "that") and tok.head.dep_ == "relcl":
        return tok.head.head
    return tok


def subject_of(verb: Token) -> Token | None:
    """The grammatical subject of a reporting verb, inherited from the governing verb for participles,
    conjuncts and infinitives ("..., saying that", "and announced that", "went on to say")."""
    if verb.tag_ == "VBG" and not any(c.dep_ in _SUBJ for c in verb.children):
        # "X stressed ..., saying that": the nearest reporting verb before it in the sentence with a subject
        for t in reversed(list(verb.sent[: verb.i - verb.sent.start])):
            if _is_reporting(t):
                subj = next((c for c in t.children if c.dep_ in ("nsubj",)), None)
                if subj is not None and subj.lower_ not in lx.FIRST_PERSON:
                    return _antecedent(subj)
    t = verb
    for _ in range(5):
        passive = False
        for child in t.children:
            if child.dep_ in ("nsubj", "csubj"):
                return _antecedent(child)
            if child.dep_ == "nsubjpass":
                passive = True
        if passive:
            for child in t.children:
                if child.dep_ == "agent":
                    return next((g for g in child.children if g.dep_ == "pobj"), None)
            return None
        if t.dep_ in ("advcl", "xcomp", "conj", "pcomp", "acl", "prep", "pobj") and t.head is not t:
            t = t.head
            continue
        break
    return None


def _ent_of(tok: Token) -> tuple[int, int] | None:
    if tok.ent_iob_ not in ("B", "I"):
        return None
    doc = tok.doc
    i = tok.i
    while i > 0 and doc[i].ent_iob_ == "I":
        i -= 1
    j = tok.i + 1
    while j < len(doc) and doc[j].ent_iob_ == "I":
        j += 1
    return i, j


def mention_tokens(tok: Token) -> tuple[int, int]:
    """The token range of a speaker mention headed by ``tok``: a name (with honorific, without job title),
    a pronoun, or a short noun phrase ("the US Secretary of State", "the Kremlin")."""
    doc = tok.doc
    if tok.pos_ == "PRON":
        return tok.i, tok.i + 1
    sub_start, sub_end = tok.left_edge.i, tok.right_edge.i + 1
    for i in range(tok.i - 1, sub_start - 1, -1):
        if "\n" in doc[i].text:
            sub_start = i + 1
            break
    # a person's name inside the phrase ("State Department spokesperson Ned Price", appositions)
    # ... but not a possessor: "Obama's former campaign strategist" is the strategist, not Obama
    persons = [(a, b) for a, b, label in _ents_in(doc, sub_start, sub_end) if label == "PERSON"
               and not (doc[b - 1].dep_ == "poss" and a <= doc[b - 1].i < b and not a <= tok.i < b)]
    if persons:
        own = [e for e in persons if e[0] <= tok.i < e[1]]
        person = own[0] if own else min(persons, key=lambda e: min(abs(e[0] - tok.i), abs(e[1] - 1 - tok.i)))
        start = person[0]
        if start > 0 and doc[start - 1].lower_ in lx.HONORIFICS:
            start -= 1
        return start, person[1]
    ent = _ent_of(tok)
    if ent is not None:
        start = ent[0]
        if start > 0 and doc[start - 1].lower_ == "the":
            start -= 1
        if start > 0 and doc[start - 1].lower_ in lx.HONORIFICS:
            start -= 1
        return start, ent[1]
    start = tok.i
    for child in tok.lefts:
        if child.dep_ in ("det", "amod", "compound", "poss", "nmod", "nummod", "advmod", "case", "quantmod"):
            start = min(start, child.left_edge.i)
    end = tok.i + 1
    for child in tok.rights:
        if child.dep_ in ("prep", "compound") and child.i == end and not any(t.text == "," for t in child.subtree):
            end = child.right_edge.i + 1
            if end - start > 8:
                end = tok.i + 1
            break
    while start < end and doc[start].is_punct:
        start += 1
    return start, end


def _cue_range(verb: Token) -> tuple[int, int]:
    """The cue: the verb, with its particle ("called on") or audience ("told reporters")."""
    doc = verb.doc
    lemma = cue_lemma(verb)
    end = verb.i + 1
    start = verb.i
    head = verb.head
    if verb.dep_ in ("xcomp", "advcl") and head.lemma_.lower() == "go" and head.i < verb.i and verb.i - head.i <= 3:
        start = head.i  # "went on to say"
    if end < len(doc):
        nxt = doc[end]
        if nxt.lower_ in lx.CUE_PARTICLES.get(lemma, ()) and nxt.head.i == verb.i:
            end += 1
    if lemma == "tell":
        for child in verb.rights:
            if child.dep_ in ("dobj", "dative", "iobj") and (
                child.lemma_.lower() in lx.AUDIENCE_NOUNS or child.ent_type_ in ("ORG", "PERSON")
                or any(t.lemma_.lower() in lx.AUDIENCE_NOUNS for t in child.subtree)
            ):
                if child.right_edge.i - verb.i <= 4:
                    end = child.right_edge.i + 1
                break
    return start, end


# --------------------------------------------------------------------------------------------------
# indirect (parse-based) candidates


def _candidate(doc: Doc, verb: Token, start: int, end: int, kind: str = "indirect",
               speaker: Token | None | str = "auto", cue: tuple[int, int] | None = None,
               head: Token | None = None) -> dict[str, Any] | None:
    cue = cue or _cue_range(verb)
    if start <= cue[0] < end:  # the content never contains its own cue ("which she says contradicts")
        start = max(start, cue[1])
    end = _cut_tail(doc, start, end)
    trimmed = _trim(doc, start, end)
    if trimmed is None:
        return None
    start, end = trimmed
    if speaker == "auto":
        speaker = subject_of(verb)
    if isinstance(speaker, Token) and speaker.lower_ in lx.FIRST_PERSON | {"you", "there"}:
        speaker = None
    return {
        "verb": verb.i,
        "head": head.i if head is not None else -1,
        "start": start,
        "end": end,
        "kind": kind,
        "cue": cue,
        "speaker": mention_tokens(speaker) if isinstance(speaker, Token) else None,
    }


def _clause_parts(clause: Token) -> list[tuple[int, int, Token]]:
    """A content clause; "said X and that Y" is one attribution (one content), "but" ends it."""
    start, end = clause.left_edge.i, clause.right_edge.i + 1
    for child in clause.rights:
        if child.dep_ != "conj":
            continue
        cc = next((t for t in clause.rights if t.dep_ == "cc" and t.i < child.i), None)
        if cc is not None and cc.lower_ == "but":
            end = min(end, cc.i if cc.i < child.left_edge.i else child.left_edge.i)
    return [(start, end, clause)]


def reported_candidates(doc: Doc) -> list[dict[str, Any]]:
    """Reported speech found in the dependency parse (token offsets)."""
    found: list[dict[str, Any]] = []

    def add(cand: dict[str, Any] | None) -> None:
        if cand:
            found.append(cand)

    for tok in doc:
        lower = tok.lower_
        if lower == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
            source = next((c for c in to.children if c.dep_ == "pobj"), None)
            head = tok.head
            if source is None or head is tok:
                continue
            if tok.i < head.i:
                start = tok.right_edge.i + 1
                subj = next((c for c in head.children if c.dep_ in _SUBJ and c.i > tok.i), None)
                if subj is not None:
                    start = min(start, subj.left_edge.i)
                end = max(_right_limit(head, head.i), head.i + 1)
            else:
                start, end = head.left_edge.i, tok.i
            add(_candidate(doc, tok, start, end, speaker=source, cue=(tok.i, tok.i + 2), head=head))
            continue
        if not _is_reporting(tok):
            continue
        lemma = cue_lemma(tok)
        children = list(tok.children)
        # a nested report ("condemned X ..., which she says ...") is a candidate of its own
        ccomp = [c for c in children if c.dep_ == "ccomp" and c.i > tok.i - 40
                 and not (_is_reporting(c) and any(g.dep_ in _SUBJ for g in c.children)
                          and any(g.dep_ == "ccomp" for g in c.children))]
        # further complements count only with their own "that"
        ccomp = ccomp[:1] + [c for c in ccomp[1:] if any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)]
        dobj = next((c for c in children if c.dep_ in ("dobj",)), None)
        passive = any(c.dep_ == "nsubjpass" for c in children)
        if ccomp:
            for c in ccomp:
                for start, end, head in _clause_parts(c):
                    if head.i > tok.i:
                        # a cue phrase ("told reporters") may be inside the left edge of a right ccomp
                        start = max(start, _cue_range(tok)[1])
                    add(_candidate(doc, tok, start, end, head=head))
            continue
        oprd = next((c for c in children if c.dep_ == "oprd"), None)
        if lemma == "call" and oprd is not None:  # "which X called a “red line”": a quoted label
            if any(_is_quote_tok(t) for t in oprd.subtree):
                add(_candidate(doc, tok, oprd.left_edge.i, max(oprd.right_edge.i + 1, _right_limit(tok, tok.i)),
                               head=oprd))
            continue
        if lemma in lx.WEAK_REPORTING_VERBS and lemma not in lx.DIRECTIVE_VERBS:
            continue
        cue_start, cue_end = _cue_range(tok)
        if lemma == "tell" and cue_end > tok.i + 1:
            continue
        right = [c for c in children if c.i > tok.i]
        has_infinitive = any(
            c.dep_ in ("xcomp", "advcl", "ccomp") and any(t.lower_ == "to" and t.tag_ == "TO" for t in c.lefts)
            for c in right
        ) or any(c.dep_ == "pobj" and any(g.dep_ in ("acl", "relcl", "xcomp") for g in c.children) for c in
                 (g for p in right if p.dep_ == "prep" for g in p.children))
        prep_of = any(c.dep_ == "prep" and c.lower_ in ("of", "for", "against") for c in right)
        if dobj is not None and dobj.i > tok.i:
            clause = next((g for g in dobj.children if g.dep_ in ("acl", "ccomp", "relcl")
                           and any(t.lower_ == "that" and t.dep_ == "mark" for t in g.children)), None)
            if clause is not None:
                add(_candidate(doc, tok, clause.left_edge.i, clause.right_edge.i + 1, head=clause,
                               cue=(cue_start, dobj.i + 1) if dobj.i - tok.i <= 3 else None))
                continue
        if passive:
            continue
        if (lemma in lx.DIRECTIVE_VERBS and has_infinitive) or (
            lemma in lx.ACCUSE_VERBS | {"warn"} and dobj is not None and prep_of
        ):
            end = _right_limit(tok, cue_end - 1)
            add(_candidate(doc, tok, cue_end, end, cue=(cue_start, cue_end)))
            continue
        if lemma in lx.NP_CONTENT_VERBS and dobj is not None and dobj.i > tok.i and dobj.pos_ in ("NOUN", "PROPN"):
            if subject_of(tok) is not None:
                add(_candidate(doc, tok, dobj.left_edge.i, dobj.right_edge.i + 1, head=dobj))
    return found


# --------------------------------------------------------------------------------------------------
# direct quotes


def _neighbours(doc: Doc, open_idx: int, close_idx: int | None) -> tuple[Token | None, Token | None]:
    """The token before the opening mark and the token after the closing mark (None at a line start/end)."""
    before = after = None
    first = doc.char_span(open_idx, open_idx + 1, alignment_mode="expand")
    if first is not None and first.start > 0:
        t = doc[first.start - 1]
        before = None if "\n" in t.text else t
    if close_idx is not None:
        last = doc.char_span(close_idx, close_idx + 1, alignment_mode="expand")
        if last is not None and last.end < len(doc):
            t = doc[last.end]
            after = None if "\n" in t.text else t
    return before, after


#: The longest speaker phrase (a subject with its appositions) searched between a quotation and its cue.
MAX_SUBJECT_TOKENS = 30


def _first_word_after(doc: Doc, i: int) -> Token | None:
    """The first token from ``i`` on that is not a comma or space (None at a line end)."""
    while i < len(doc) and (doc[i].text == "," or (doc[i].is_space and "\n" not in doc[i].text)):
        i += 1
    return doc[i] if i < len(doc) and "\n" not in doc[i].text else None


def _cue_after_subject(first: Token) -> Token | None:
    """The reporting verb whose subject phrase starts at ``first``, however long the phrase: "…,” Obama's
    former campaign strategist said", "…,” Jim Messina, the campaign manager for President Obama in 2012, said"
    (a fixed window of words misses both)."""
    doc = first.doc
    for subj in (first, *first.ancestors):
        if subj.dep_ not in ("nsubj", "nsubjpass"):
            continue
        verb = subj.head
        if subj.left_edge.i != first.i or not (0 < verb.i - first.i <= MAX_SUBJECT_TOKENS) or not _is_reporting(verb):
            return None
        if any("\n" in t.text or t.text in (".", "!", "?", ";") or _is_quote_tok(t) for t in doc[first.i : verb.i]):
            return None
        between = doc[subj.right_edge.i + 1 : verb.i]
        return verb if all(t.is_punct or t.dep_ in ("advmod", "aux", "neg") for t in between) else None
    return None


def _cue_near(doc: Doc, seg: tuple[int, int, int, int | None], text: str) -> tuple[Token | None, str]:
    """A reporting verb right after the closing mark or shortly before the opening mark."""
    _start, end, open_idx, close_idx = seg
    if close_idx is not None:
        after = doc.char_span(close_idx, close_idx + 1, alignment_mode="expand")
        # a quotation ending in "." ends the sentence; one ending in "?" or "!" may still take its cue
        # ("“Why?” Clinton said")
        sentence_done = text[:end].rstrip()[-1:] in (".", "…")
        if after is not None:
            i = after.end
            steps = 0
            while i < len(doc) and steps < CUE_WINDOW_AFTER:
                t = doc[i]
                if "\n" in t.text or _is_quote_tok(t) or t.text in (".", "!", "?", ";"):
                    break
                if steps == 0 and sentence_done and t.is_alpha and t.text[:1].isupper():
                    break  # a new sentence starts after the quotation
                if _is_reporting(t):
                    return t, "after"
                i += 1
                steps += 1
            first = _first_word_after(doc, after.end)
            verb = _cue_after_subject(first) if first is not None else None
            if verb is not None and first is not None and not (
                    sentence_done and first.text[:1].isupper() and first.i == after.end):
                return verb, "after"
    before = doc.char_span(open_idx, open_idx + 1, alignment_mode="expand")
    if before is not None:
        i = before.start - 1
        steps = 0
        while i >= 0 and steps < CUE_WINDOW_BEFORE:
            t = doc[i]
            if "\n" in t.text or _is_quote_tok(t) or t.text in (".", "!", "?", ";"):
                break
            if _is_reporting(t):
                return t, "before"
            i -= 1
            steps += 1
    return None, ""


def _speaker_near(doc: Doc, verb: Token) -> Token | None:
    subj = subject_of(verb)
    if subj is not None:
        return subj
    for i in list(range(verb.i + 1, min(verb.i + 4, len(doc)))) + list(range(verb.i - 1, max(verb.i - 4, -1), -1)):
        t = doc[i]
        if t.pos_ in ("PROPN", "PRON") and t.lower_ not in lx.FIRST_PERSON and not _is_quote_tok(t):
            return t
        if t.is_punct:
            break
    return None


# --------------------------------------------------------------------------------------------------
# the quotes component


def _char(doc: Doc, start: int, end: int) -> tuple[int, int]:
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


_CLAUSE_OPENERS = {",", ":", ";", ".", "?", "!", "—", "–", "-", "(", "that"}


def _starts_clause(before: Token | None) -> bool:
    return before is None or before.text in _CLAUSE_OPENERS or before.lower_ == "that" or before.is_space or (
        _is_reporting(before) or before.lemma_.lower() in lx.AUDIENCE_NOUNS or before.ent_type_ == "ORG"
    )


def _ends_clause(after: Token | None) -> bool:
    if after is None or after.is_punct or after.is_space or _is_reporting(after):
        return True
    if after.lower_ in ("and", "but", "he", "she", "they", "it", "according"):
        return True
    nxt = after.doc[after.i + 1] if after.i + 1 < len(after.doc) else None
    return after.pos_ in ("PROPN", "NOUN", "DET") and nxt is not None and (
        _is_reporting(nxt) or nxt.pos_ in ("PROPN", "NOUN"))


def find_quotes(doc: Doc) -> list[dict[str, Any]]:
    """Direct, indirect and mixed quotes of a parsed doc as attribution records (char offsets)."""
    text = doc_text(doc)
    if not text.strip():
        return []
    segments = find_quote_segments(text)
    cands = reported_candidates(doc)
    # a report whose verb heads another report's content is part of that content
    heads = {}
    for c in cands:
        if c["head"] >= 0:
            heads[c["head"]] = c
    cands = [c for c in cands if not (
        (c["verb"] in heads and heads[c["verb"]] is not c)
        or (doc[c["verb"]].dep_ == "conj" and doc[c["verb"]].head.i in heads and heads[doc[c["verb"]].head.i] is not c
            and heads[doc[c["verb"]].head.i]["verb"] != c["verb"]))]
    # an outer content stops where a nested report (its speaker or cue) begins
    by_cue = sorted(cands, key=lambda d: d["cue"][0])
    cue_starts = [d["cue"][0] for d in by_cue]
    for c in cands:
        lo, hi = bisect_right(cue_starts, c["start"]), bisect_left(cue_starts, c["end"])
        for d in by_cue[lo:hi]:
            if d is c or d["verb"] == c["verb"]:
                continue
            cue0 = d["cue"][0]
            if not (c["start"] < cue0 < c["end"]) or (d["start"] <= c["start"] and c["end"] <= d["end"]):
                continue
            cut = cue0
            if d["speaker"] and c["start"] < d["speaker"][0] < cue0:
                cut = d["speaker"][0]
            trimmed = _trim(doc, c["start"], cut)
            if trimmed:
                c["start"], c["end"] = trimmed
            else:
                c["drop"] = True
    for c in cands:
        c["cstart"], c["cend"] = _char(doc, c["start"], c["end"])
    cands = [c for c in cands if not c.get("drop")]
    cands.sort(key=lambda c: c["cstart"])
    cstarts = [c["cstart"] for c in cands]
    longest = max((c["cend"] - c["cstart"] for c in cands), default=0)

    def near(lo_char: int, hi_char: int) -> list[dict[str, Any]]:
        """Candidates whose content could touch ``[lo_char, hi_char)`` (a window, not all of them)."""
        return cands[bisect_left(cstarts, lo_char - longest) : bisect_right(cstarts, hi_char)]

    records: list[dict[str, Any]] = []
    directs: list[dict[str, Any]] = []
    prev_direct: dict[str, Any] | None = None
    for seg in segments:
        s, e, open_idx, close_idx = seg
        mark_end = close_idx + 1 if close_idx is not None else e
        # (a) a quoted fragment inside a longer reported clause: mixed
        host = None
        verb, where = _cue_near(doc, seg, text)
        for c in near(open_idx, mark_end):
            if where == "after" and verb is not None and verb.i != c["verb"]:
                continue  # the quotation has its own cue right after it
            if c["cstart"] <= open_idx and mark_end <= c["cend"]:
                outside = [t for t in doc[c["start"] : c["end"]]
                           if not (open_idx <= t.idx < mark_end) and t.is_alpha and t.lower_ != "that"]
                if len(outside) >= 2:
                    host = c
                    break
        if host is not None:
            host["kind"] = "mixed"
            prev_direct = None
            continue
        span = doc.char_span(s, e, alignment_mode="expand")
        n_words = sum(1 for t in span if t.is_alpha) if span is not None else 0
        before, after = _neighbours(doc, open_idx, close_idx)
        subject_cue = _cue_after_subject(after) if where == "after" and after is not None else None
        ends = _ends_clause(after) or (subject_cue is not None and verb is not None and subject_cue.i == verb.i)
        if not (_starts_clause(before) and ends):
            # (b) a fragment continuing a reported clause that ends right before it: mixed
            for c in near(open_idx, open_idx):
                gap = text[c["cend"] : open_idx]
                if c["cstart"] < open_idx and len(gap) <= 3 and not any(ch in gap for ch in ".;\n"):
                    tok = doc.char_span(mark_end - 1, mark_end, alignment_mode="expand")
                    if tok is not None:
                        if c["cend"] < mark_end:  # never shortens a content that goes on after the fragment
                            c["end"] = tok.end
                            c["cend"] = mark_end
                        c["kind"] = "mixed"
                    break
            prev_direct = None
            continue
        rec = None
        if verb is not None and (n_words >= MIN_DIRECT_WORDS or (where == "after" and n_words >= 2)):
            speaker = _speaker_near(doc, verb)
            speaker_range = mention_tokens(speaker) if speaker is not None else None
            rec = {"start": s, "end": e, "kind": "direct", "cue": _char(doc, *_cue_range(verb)),
                   "speaker": _char(doc, *speaker_range) if speaker_range else None, "verb": verb.i}
        if rec is None and prev_direct is not None and n_words >= 3:
            gap = text[prev_direct["mark_end"] : open_idx]
            new_para = "\n" in gap and text[text.rfind("\n", 0, open_idx) + 1 : open_idx].strip() == ""
            if len(gap) <= CONTINUATION_GAP or new_para:
                rec = {**{k: prev_direct[k] for k in ("cue", "speaker", "verb")}, "start": s, "end": e, "kind": "direct"}
        if rec is None:
            prev_direct = None
            continue
        rec["mark_end"] = mark_end
        rec["open"] = open_idx
        directs.append(rec)
        prev_direct = rec
    # indirect/mixed candidates: none inside a direct quote; cut before a direct quote that follows them
    d_opens = [d["open"] for d in directs]
    for c in cands:
        verb_at = doc[c["verb"]].idx
        lo = bisect_left(d_opens, min(c["cstart"], verb_at) - MAX_QUOTE_CHARS - 2)
        hi = bisect_right(d_opens, max(c["cend"], verb_at))
        for d in directs[lo:hi]:
            if d["open"] <= c["cstart"] < d["mark_end"] or d["open"] <= verb_at < d["mark_end"]:
                c["drop"] = True
                break
            if c["cstart"] < d["open"] < c["cend"]:
                tok = doc.char_span(d["open"], d["open"] + 1, alignment_mode="expand")
                trimmed = _trim(doc, c["start"], tok.start) if tok is not None else None
                if trimmed is None:
                    c["drop"] = True
                    break
                c["start"], c["end"] = trimmed
                c["cstart"], c["cend"] = _char(doc, *trimmed)
    for d in directs:
        records.append({"start": d["start"], "end": d["end"], "kind": "direct", "cue": d["cue"], "speaker": d["speaker"]})
    taken = CharCover(len(text), [(r["start"], r["end"]) for r in records])  # not a scan per candidate
    for c in sorted((c for c in cands if not c.get("drop")), key=lambda c: -(c["cend"] - c["cstart"])):
        if taken.overlaps(c["cstart"], c["cend"]):
            continue
        taken.add(c["cstart"], c["cend"])
        records.append({
            "start": c["cstart"], "end": c["cend"], "kind": c["kind"], "cue": _char(doc, *c["cue"]),
            "speaker": _char(doc, *c["speaker"]) if c["speaker"] else None,
        })
    records.sort(key=lambda r: (r["start"], r["end"]))
    for r in records:
        r["cue"] = list(r["cue"]) if r["cue"] else None
        r["speaker"] = list(r["speaker"]) if r["speaker"] else None
        r["name"] = None
        r["stance"] = None
    return records


@_factory(QUOTES_FACTORY, requires=["token.dep", "token.lemma", "doc.ents"],
                  assigns=["doc.spans", f"doc._.{ATTRIBUTIONS_EXT}"])
def make_quotes(nlp: Language, name: str) -> "QuoteFinder":
    return QuoteFinder()


def repair_initials(doc: Doc) -> None:
    """A PERSON entity that starts at a middle initial ("J. Blinken" in "Antony J. Blinken") takes in the
    capitalised first name the NER left out, so the speaker and canonical name are "Antony Blinken"."""
    ents = list(doc.ents)
    changed = False
    for k, ent in enumerate(ents):
        first = ent[0]
        if ent.label_ != "PERSON" or ent.start == 0 or not re.fullmatch(r"[A-Z]\.", first.text):
            continue
        prev = doc[ent.start - 1]
        if (prev.ent_iob_ == "O" and prev.pos_ == "PROPN" and prev.is_title and prev.is_alpha
                and prev.lower_ not in lx.ROLE_NOUNS and prev.lower_ not in lx.HONORIFICS):
            ents[k] = Span(doc, ent.start - 1, ent.end, label=ent.label)
            changed = True
    if changed:
        doc.ents = ents


class QuoteFinder:
    def __call__(self, doc: Doc) -> Doc:
        repair_initials(doc)
        records = find_quotes(doc)
        doc._.set(ATTRIBUTIONS_EXT, records)
        _span_group(doc, QUOTES_KEY, ((r["start"], r["end"], r["kind"]) for r in records))
        _span_group(doc, CUES_KEY, ((r["cue"][0], r["cue"][1], "CUE") for r in records if r["cue"]))
        return doc
