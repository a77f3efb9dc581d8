"""Cheap draws from a ``random.Random``: the generator's hot loops make tens of millions.

``Random.randint``, ``choice`` and ``choices`` go through several Python frames each; these
helpers use one ``random()`` call. Determinism is unchanged: same stream, same draws.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return low + int(rng.random() * (high - low + 1))


class Weighted(Generic[T]):
    """Items with relative weights, drawn by bisection over the cumulative weights."""

    __slots__ = ("items", "_cum", "_total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if len(items) != len(weights) or not items:
            raise ValueError("one weight per item, at least one item")
        self.items = tuple(items)
        self._cum = tuple(accumulate(weights))
        self._total = self._cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect(self._cum, rng.random() * self._total)]
