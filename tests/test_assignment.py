"""The assignment plan (``annotator.assignment``): documents split among annotators, each document given
``overlap`` of them, balanced, reproducible from a seed, and extended without moving anyone."""

from __future__ import annotations

from collections import Counter

import pytest

from annotator.assignment import plan_assignment
from annotator.errors import UserError

DOCS = [f"d{i:02d}" for i in range(10)]


def test_plan_is_balanced_reproducible_and_gives_each_document_overlap_annotators() -> None:
    plan = plan_assignment(DOCS, ["a", "b", "c"], {}, overlap=2, seed=1)
    assert set(plan) == set(DOCS)
    assert all(len(set(who)) == 2 for who in plan.values())
    load = Counter(n for who in plan.values() for n in who)
    assert sorted(load.values()) == [6, 7, 7]  # 20 places, at most one apart
    assert plan_assignment(DOCS, ["a", "b", "c"], {}, overlap=2, seed=1) == plan
    assert any(plan_assignment(DOCS, ["a", "b", "c"], {}, overlap=2, seed=s) != plan for s in range(2, 6))
    pairs = Counter(tuple(sorted(who)) for who in plan.values())
    assert len(pairs) == 3  # every pair of annotators shares documents


def test_assigning_again_adds_only_what_is_new() -> None:
    first = plan_assignment(DOCS[:6], ["a", "b", "c"], {}, overlap=2, seed=3)
    existing = {d: set(who) for d, who in first.items()}
    assert plan_assignment(DOCS[:6], ["a", "b", "c"], existing, overlap=2, seed=3) == {}
    # four new documents and a new annotator: only the new documents, the newcomer first
    later = plan_assignment(DOCS, ["a", "b", "c", "d"], existing, overlap=2, seed=3)
    assert set(later) == set(DOCS[6:])
    assert sum("d" in who for who in later.values()) == 4
    # a larger overlap tops documents up without moving anyone
    more = plan_assignment(DOCS[:6], ["a", "b", "c"], existing, overlap=3, seed=3)
    assert all(len(more[d]) == 1 and not set(more[d]) & existing[d] for d in DOCS[:6])
    with pytest.raises(UserError, match="between 1 and the number of annotators"):
        plan_assignment(DOCS, ["a", "b"], {}, overlap=3)
