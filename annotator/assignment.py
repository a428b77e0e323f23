"""Planning ``annotator assign``: each document to ``overlap`` annotators, balanced and reproducible.

Documents are taken in dataset order. A document already given to ``overlap`` or more annotators
is left alone (assigning again only adds what is new: new documents, new annotators, a larger
overlap); otherwise it goes to the annotators not yet on it with the fewest documents so far
(counting earlier assignments), ties broken by a seeded random draw. Loads therefore differ by at
most one within a run, and the same seed on the same state gives the same plan. No database here.
"""

from __future__ import annotations

import random
from typing import Mapping, Sequence

from annotator.errors import UserError

__all__ = ["plan_assignment"]


def plan_assignment(
    documents: Sequence[str],
    annotators: Sequence[str],
    existing: Mapping[str, set[str]],
    overlap: int,
    seed: int = 0,
) -> dict[str, list[str]]:
    """New assignments as document -> annotators to add (only documents that get someone).

    ``documents`` in dataset order; ``existing`` maps a document to the annotators it already has
    (any annotator, also ones not in ``annotators``).
    """
    names = list(dict.fromkeys(annotators))
    if not names:
        raise UserError("assign needs at least one annotator: --annotators a,b,c")
    if not 1 <= overlap <= len(names):
        raise UserError(f"--overlap must be between 1 and the number of annotators ({len(names)}), not {overlap}")
    load = {n: 0 for n in names}
    for who in existing.values():
        for n in who:
            if n in load:
                load[n] += 1
    rng = random.Random(seed)
    plan: dict[str, list[str]] = {}
    for doc in documents:
        have = existing.get(doc, set())
        draw = {n: rng.random() for n in names}  # drawn for every document: plans do not drift
        needed = overlap - len(have)
        if needed <= 0:
            continue
        free = sorted((n for n in names if n not in have), key=lambda n: (load[n], draw[n]))
        chosen = free[:needed]
        for n in chosen:
            load[n] += 1
        if chosen:
            plan[doc] = chosen
    return plan
