"""Disjoint sets (union-find with path halving): the one implementation behind grouping speaker name
variants, aligning quotes across outlets and building agreement units."""

from __future__ import annotations

from typing import Generic, Hashable, Iterable, TypeVar

T = TypeVar("T", bound=Hashable)


class DisjointSets(Generic[T]):
    """Each item starts in a set of its own; ``union`` joins two sets, ``find`` names an item's set."""

    def __init__(self, items: Iterable[T]):
        self.parent: dict[T, T] = {x: x for x in items}

    def find(self, x: T) -> T:
        """The representative of ``x``'s set (paths halved on the way: near-constant time)."""
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: T, b: T) -> T:
        """Join the sets of ``a`` and ``b``; ``a``'s representative stays the representative."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
        return ra
