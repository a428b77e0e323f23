"""A version's lookups (``DocumentVersion.index_of``, ``first_overlap``) answer exactly as scanning its
layer does, also on the versions a chain of decisions hands them on to (``carry_lookups``)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.annotate import edits
from annotator.errors import UserError
from annotator.records import DocumentInfo, DocumentVersion
from annotator.scheme import KEPT_STATUSES, Annotation, Claim, Quote, first_overlap
from tests.tui.helpers import DATASET, build_repo

TEXT = "word " * 200
STATUSES = ("suggested", "accepted", "rejected", "edited", "added")


def version(quotes: tuple[Quote, ...], claims: tuple[Claim, ...] = ()) -> DocumentVersion:
    return DocumentVersion(1, DocumentInfo(1, "d", 0, TEXT, {}, None), "ann", "in_progress", 0, quotes, claims)


def scanned_index(state: DocumentVersion, layer: str, item_id: str) -> int | None:
    return next((i for i, it in enumerate(state.items(layer)) if it.id == item_id), None)


spans = st.tuples(st.integers(0, 300), st.integers(-5, 60), st.sampled_from(STATUSES), st.integers(0, 12))


@settings(max_examples=80, deadline=None)
@given(st.lists(spans, max_size=20), st.integers(0, 320), st.integers(-5, 80), st.integers(0, 12))
def test_lookups_give_what_a_scan_of_the_layer_gives(items: list[tuple[int, int, str, int]], start: int,
                                                     length: int, probe: int) -> None:
    # overlapping, unsorted, zero-length and reversed spans, repeated ids: the first one is the item
    quotes = tuple(Quote(f"q{n}", s, s + d, "", "indirect", status=status) for s, d, status, n in items)
    state = version(quotes)
    for item_id in {q.id for q in quotes} | {f"q{probe}"}:
        assert state.index_of("quotes", item_id) == scanned_index(state, "quotes", item_id)
        assert state.first_overlap("quotes", item_id, start, start + length) == first_overlap(
            quotes, item_id, start, start + length)
    assert state.index_of("claims", "q1") is None and state.first_overlap("claims", "", 0, 10) is None


def test_lookups_stay_true_through_decisions_that_change_statuses_spans_and_the_layer(sqlite_url: str) -> None:
    quotes = tuple(Quote(f"q{i}", 10 * i, 10 * i + 9, TEXT[10 * i:10 * i + 9], "indirect") for i in range(40))
    repo = build_repo(sqlite_url, [Annotation("d1", TEXT, "model", "done", {}, quotes, ())])
    state = repo.open_version(repo.document_id(DATASET, "d1"), "ann")
    rng = random.Random(7)
    for step in range(70):
        ids = [q.id for q in state.quotes]
        item_id = rng.choice(ids)
        choice = rng.randrange(5)
        try:
            if choice == 0:
                state = repo.update_item(state.version_id, "quotes", item_id, edits.accept, "accept")
            elif choice == 1:
                state = repo.update_item(state.version_id, "quotes", item_id, edits.reject, "reject")
            elif choice == 2:
                edge = rng.choice(("start", "end"))
                state = repo.update_item(state.version_id, "quotes", item_id,
                                         edits.move_boundary(edge, rng.choice((-1, 1))), f"move_{edge}")
            elif choice == 3:
                at = rng.randrange(0, 950, 5)
                state = repo.update_item(state.version_id, "quotes", f"n{step}",
                                         edits.new_item("quotes", at, at + 4, f"n{step}"), "add")
            else:
                state = repo.undo(state.version_id)
        except UserError:
            continue  # e.g. an overlap: nothing stored, the state stays
        for probe in [*ids, *(q.id for q in state.quotes)]:
            assert state.index_of("quotes", probe) == scanned_index(state, "quotes", probe)
        at = rng.randrange(0, 1000)
        assert state.first_overlap("quotes", "", at, at + 12) == first_overlap(state.quotes, "", at, at + 12)
        assert all(q.status in KEPT_STATUSES or q.status == "rejected" for q in state.quotes)
    repo.close()
