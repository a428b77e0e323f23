"""The edit rules of annotation, as pure functions: the latest stored version and one item in, the item's
new state out (``None``: the item goes), or a UserError saying why the edit cannot apply.

``Repository.update_item`` calls an edit inside the transaction that holds the version's row lock, so the
rule always sees the state it changes. The annotation session and the aligned copies of a statement
(``annotator.annotate.aligned``) use the same rules; nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import replace
from annotator.errors import UserError
from annotator.records import DocumentVersion, Edit, Item
from annotator.scheme import (
    KEPT_STATUSES,
    QUOTE_KINDS,
    QUOTE_MARKS,
    Claim,
    Quote,
    Span,
    SpeakerMention,
    Stance,
    trim_span,
)
from annotator.words import move_edge, through_closing_mark, words

#: What the boundary keys move: the item itself, or a quote's cue or speaker mention.
PARTS = ("item", "cue", "speaker")


def edited_status(item: Item) -> str:
    """Status of an item after a change of its content: new items stay "added"."""
    return "added" if item.status == "added" else "edited"


def layer_of(item: Item) -> str:
    return "quotes" if isinstance(item, Quote) else "claims"


def check_overlap(version: DocumentVersion, layer: str, item_id: str, start: int, end: int) -> None:
    """Spans of one layer never overlap within one version (docs/contract.md section 1)."""
    other = version.first_overlap(layer, item_id, start, end)
    if other is not None:
        name = "quote" if layer == "quotes" else "claim"
        raise UserError(f"that would overlap {name} {other.id} ({other.start}-{other.end}); reject it first")


def _present(item: Item | None) -> Item:
    if item is None:
        raise UserError("that item is no longer in this document")
    return item


def _quote(item: Item | None, what: str) -> Quote:
    item = _present(item)
    if not isinstance(item, Quote):
        raise UserError(f"{what} is set on quotes only")
    return item


def accept(version: DocumentVersion, item: Item | None) -> Item | None:
    """The item is right: suggested/rejected -> accepted (edited and added items keep their status)."""
    item = _present(item)
    if item.status not in KEPT_STATUSES:  # a rejected item comes back: it must still fit
        check_overlap(version, layer_of(item), item.id, item.start, item.end)
    return replace(item, status=item.status if item.status in ("edited", "added") else "accepted")


def accept_suggested(version: DocumentVersion, item: Item | None) -> Item | None:
    """``enter``/``A`` on one item: a suggestion becomes accepted; anything already decided stays as it is."""
    item = _present(item)
    return replace(item, status="accepted") if item.status == "suggested" else item


def reject(version: DocumentVersion, item: Item | None) -> Item | None:
    """The item is wrong: it is kept as "rejected" (an item this annotator added is removed)."""
    item = _present(item)
    return None if item.status == "added" else replace(item, status="rejected")


def move_boundary(edge: str, delta: int, part: str = "item") -> Edit:
    """Move the start or end of a quote/claim, or of a quote's cue or speaker mention (``part``), by
    ``delta`` words (``annotator.words``; negative: to the left)."""
    if edge not in ("start", "end") or delta == 0:
        raise ValueError(f"bad boundary move {edge!r} {delta}")
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}")

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        item = _present(item)
        text = version.document.text
        if part != "item":
            span = getattr(item, part) if isinstance(item, Quote) else None
            if span is None:
                raise UserError(f"this item has no {part} to move: mark one with v, then {part[0]}")
            start, end = move_edge(words(text), span.start, span.end, edge, delta)
            if (start, end) == (span.start, span.end):
                raise UserError(f"the {part}'s {edge} cannot move further")
            if start >= end:
                raise UserError("a span needs at least one word")
            moved = replace(span, start=start, end=end, text=text[start:end])
            return replace(item, **{part: moved}, status=edited_status(item))
        direct = isinstance(item, Quote) and item.kind == "direct"
        kind = item.kind if isinstance(item, Quote) else None
        start, end = move_edge(words(text, kind), item.start, item.end, edge, delta)
        if (start, end) == (item.start, item.end):
            raise UserError(f"the {edge} cannot move further")
        if direct:  # quotation marks are never part of a direct quote (docs/contract.md section 1)
            start, end = trim_span(text, start, end, marks=True)
        if start >= end:
            raise UserError("a span needs at least one word")
        check_overlap(version, layer_of(item), item.id, start, end)
        return replace(item, start=start, end=end, text=text[start:end], status=edited_status(item))

    return edit


def remove_part(part: str) -> Edit:
    """Remove the cue or the speaker of an item (a claim's speaker is a name: it goes too)."""
    if part not in ("cue", "speaker"):
        raise ValueError(f"only a cue or a speaker can be removed, not {part!r}")

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        item = _present(item)
        if isinstance(item, Claim):
            if part == "cue":
                raise UserError("a claim has no cue")
            return replace(item, speaker=None, status=edited_status(item))
        if part == "cue":
            return replace(item, cue=None, status=edited_status(item))
        return replace(item, speaker=None, status=edited_status(item))

    return edit


def new_id(version: DocumentVersion, prefix: str) -> str:
    """The next free item id ("q7", "c3") of a version."""
    used = {q.id for q in version.quotes} | {c.id for c in version.claims}
    n = len(version.quotes if prefix == "q" else version.claims) + 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def new_item(layer: str, start: int, end: int, item_id: str) -> Edit:
    """A new quote or claim from a selection. Quote spans lose surrounding quotation marks (and become
    "direct" when they had them)."""

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        if item is not None:
            raise UserError(f"item {item_id} already exists")
        text = version.document.text
        s, e = trim_span(text, start, end)
        marked = False
        if layer == "quotes":
            qs, qe = trim_span(text, s, through_closing_mark(text, e), marks=True)
            marked = (qs, qe) != (s, e) or (s > 0 and text[s - 1] in QUOTE_MARKS) or (e < len(text) and text[e] in QUOTE_MARKS)
            s, e = qs, qe
        if s >= e:
            raise UserError("select at least one word first")
        check_overlap(version, layer, "", s, e)
        if layer == "quotes":
            return Quote(item_id, s, e, text[s:e], "direct" if marked else "indirect", status="added")
        return Claim(item_id, s, e, text[s:e], True, None, status="added")

    return edit


def _selection(version: DocumentVersion, start: int, end: int) -> tuple[int, int]:
    s, e = trim_span(version.document.text, start, end)
    if s >= e:
        raise UserError("select at least one word first")
    return s, e


def set_cue(start: int, end: int) -> Edit:
    """The selection is the quote's reporting cue."""

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        item = _present(item)
        s, e = _selection(version, start, end)
        if not isinstance(item, Quote):
            raise UserError("a cue belongs to a quote: select a quote first")
        return replace(item, cue=Span(s, e, version.document.text[s:e]), status=edited_status(item))

    return edit


def guess_name(version: DocumentVersion, mention: str) -> str:
    """Canonical name for a new speaker mention: an existing name it matches, else the mention itself."""
    m = mention.strip()
    names = [q.speaker for q in version.quotes if q.speaker is not None]
    for sp in names:
        if sp.text == m or sp.name == m:
            return sp.name
    words = [w.casefold() for w in re.findall(r"\w+", m)]
    if words:
        for sp in names:
            name_words = [w.casefold() for w in re.findall(r"\w+", sp.name)]
            if name_words and name_words[-1] == words[-1]:  # "Mr Lavrov" -> "Sergey Lavrov"
                return sp.name
    return m


def set_speaker(start: int, end: int) -> Edit:
    """The selection is the speaker mention of a quote (or the speaker of a claim)."""

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        item = _present(item)
        s, e = _selection(version, start, end)
        text = version.document.text
        name = guess_name(version, text[s:e])
        if isinstance(item, Quote):
            return replace(item, speaker=SpeakerMention(s, e, text[s:e], name), status=edited_status(item))
        return replace(item, speaker=name, status=edited_status(item))

    return edit


def names_the_speaker(mention: str, name: str) -> bool:
    """Whether a mention's text is (part of) the name: "Lavrov", "Mr Lavrov" for Sergey Lavrov, not "He"."""
    said = {w.casefold() for w in re.findall(r"\w+", mention)}
    return bool(said & {w.casefold() for w in re.findall(r"\w+", name)})


def reassign_speaker(name: str, mention: tuple[int, int] | None = None) -> Edit:
    """Another speaker: a canonical name, and for a quote the mention.

    ``mention`` re-points the quote's speaker mention to that span of the text. Without it the mention
    follows the name: a quote without a mention, or whose mention names the old speaker ("Ben Aris"
    for Ben Aris), gets the nearest mention of the new name in the article; a pronoun or description
    ("He", "the official") stays and only its name changes.
    """

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        item = _present(item)
        if isinstance(item, Claim):
            return replace(item, speaker=name, status=edited_status(item))
        text = version.document.text
        old = item.speaker
        if mention is not None:
            s, e = trim_span(text, *mention)
            if s >= e:
                raise UserError("a speaker mention needs at least one word")
            new_mention = SpeakerMention(s, e, text[s:e], name)
        else:
            mentions = [q.speaker for q in version.quotes if q.speaker is not None and q.speaker.name == name]
            if old is not None and (not mentions or not names_the_speaker(old.text, old.name)):
                new_mention = replace(old, name=name)
            elif mentions:  # the nearest mention that names them ("Blinken", not "He"), else the nearest
                named = [m for m in mentions if names_the_speaker(m.text, name)] or mentions
                new_mention = replace(min(named, key=lambda m: abs(m.start - item.start)), name=name)
            else:
                raise UserError(f"no mention of {name!r} in this article yet: select it (v, then s)")
        return replace(item, speaker=new_mention, status=edited_status(item))

    return edit


def claim_follows_speaker(old_name: str, name: str) -> Edit:
    """A claim inside a quote whose speaker changed from ``old_name`` follows the change (still attributed
    to ``old_name`` when the edit runs; else it stays as it is)."""

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        item = _present(item)
        if isinstance(item, Claim) and item.speaker == old_name:
            return replace(item, speaker=name, status=edited_status(item))
        return item

    return edit


def set_stance(label: str | None, target: str | None) -> Edit:
    """The quote's stance label and/or target (a label needs a target, kept from before)."""

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        quote = _quote(item, "stance")
        old = quote.stance
        new_target = target if target is not None else (old.target if old else None)
        new_label = label if label is not None else (old.label if old else "neutral")
        if not new_target:
            raise UserError("choose a stance target first (t)")
        return replace(quote, stance=Stance(new_target, new_label), status=edited_status(quote))

    return edit


def remove_stance(version: DocumentVersion, item: Item | None) -> Item | None:
    """The quote takes no stance (toward any target)."""
    quote = _quote(item, "stance")
    return replace(quote, stance=None, status=edited_status(quote))


def set_kind(kind: str) -> Edit:
    """Quote kind; a direct quote loses the quotation marks at its edges (docs/contract.md section 1)."""
    if kind not in QUOTE_KINDS:
        raise ValueError(f"unknown quote kind {kind!r}")

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        quote = _quote(item, "kind")
        start, end = quote.start, quote.end
        if kind == "direct":
            start, end = trim_span(version.document.text, start, end, marks=True)
            if start >= end:
                raise UserError("nothing but quotation marks would be left of this quote")
        return replace(quote, kind=kind, start=start, end=end, text=version.document.text[start:end],
                       status=edited_status(quote))

    return edit


def toggle_checkworthy(version: DocumentVersion, item: Item | None) -> Item | None:
    """A claim is check-worthy or not (kept either way: the distinction is the annotation)."""
    item = _present(item)
    if not isinstance(item, Claim):
        raise UserError("check-worthiness is set on claims only")
    return replace(item, checkworthy=not item.checkworthy, status=edited_status(item))


def aligned_copy(status: str | None, kind: str | None, stance: Stance | None) -> Edit:
    """One decision on a statement applied to one of its copies in another article
    (``annotator.annotate.aligned``): accept/reject, kind and stance at once."""

    def edit(version: DocumentVersion, item: Item | None) -> Item | None:
        quote = _quote(_present(item), "an aligned decision")
        text = version.document.text
        start, end = quote.start, quote.end
        if (kind or quote.kind) == "direct":  # quotation marks are never the edge of a direct quote
            start, end = trim_span(text, start, end, marks=True)
            if start >= end:
                raise UserError("nothing but quotation marks would be left of this quote")
        changed = replace(
            quote,
            start=start, end=end, text=text[start:end],
            # A suggestion someone labelled is accepted; an item already decided keeps its status.
            status=status or ("accepted" if quote.status == "suggested" else quote.status),
            kind=kind or quote.kind,
            stance=stance if stance is not None else quote.stance,
        )
        if changed.status in KEPT_STATUSES:
            other = version.first_overlap("quotes", quote.id, changed.start, changed.end)
            if other is not None:
                raise UserError(f"it would overlap quote {other.id} in {version.document.ext_id}")
        return changed

    return edit
