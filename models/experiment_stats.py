"""The statistics of a journey experiment (docs/journeys.md, "Experiments"): per variant, its
conversion rate with a 95 % Wilson score interval, the probability that it converts better than
the control and that it is the best of all variants; and the rule `winner: auto` decides by.

Each variant's unknown conversion rate has the posterior Beta(1 + conversions, 1 + recipients −
conversions): a uniform prior updated by what was seen. The probabilities are integrals over
those posteriors, computed by quadrature on a fixed grid, so the same counts always give the
same figures (no sampling). Pure arithmetic: no database, no numeric library.

The decision is by the probability of being **best**, not of beating the control: the control
can win too (the variants were worse), and with several variants it picks one of them, where
"beats the control" could hold for two at once. With two variants the two are the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

Z_95 = 1.959963984540054
"""The standard normal's 97.5th percentile: the half-width of a two-sided 95 % interval."""

SIGNIFICANCE = 0.95
"""How sure the rule must be that one variant is the best before it declares a winner."""

_TAIL_SDS = 20  # each posterior is integrated over its mean ± this many standard deviations
_POINTS = 2001  # grid points per posterior across that range


@dataclass(frozen=True)
class Counts:
    """One variant's recipients (counted once each) and how many of them converted."""

    recipients: int
    conversions: int

    def __post_init__(self) -> None:
        if not 0 <= self.conversions <= self.recipients:
            raise ValueError(
                f"expected 0 <= conversions <= recipients, got {self.conversions} of "
                f"{self.recipients}"
            )

    @property
    def rate(self) -> float | None:
        return self.conversions / self.recipients if self.recipients else None


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class VariantStatistics:
    counts: Counts
    interval: Interval | None
    """The 95 % Wilson interval of the conversion rate; None before any recipient."""
    beats_control: float | None
    """P(this variant's rate > the control's); None for the control itself."""
    best: float
    """P(this variant's rate is the highest of all variants')."""


def wilson_interval(counts: Counts, z: float = Z_95) -> Interval | None:
    """The Wilson score interval: unlike p ± z·se it stays within [0, 1] and is not empty at 0
    or at every recipient converting."""
    n = counts.recipients
    if not n:
        return None
    p = counts.conversions / n
    shrink = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z / shrink * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def probability_beats(variant: Counts, control: Counts) -> float:
    """P(the variant's conversion rate > the control's), under both posteriors."""
    return probabilities_best({"variant": variant, "control": control})["variant"]


def probabilities_best(counts: Mapping[str, Counts]) -> dict[str, float]:
    """P(each variant's rate is the highest), by quadrature of
    ∫ pdf_i(x) · Π_{j≠i} cdf_j(x) dx on a grid that resolves every posterior.

    Each posterior becomes the masses of its cells between grid points; within a cell where
    another posterior also has mass, half of it counts as below, so equal counts give exactly
    equal probabilities. The results are normalised to sum to 1."""
    posteriors = {name: _posterior(c) for name, c in counts.items()}
    grid = sorted({x for a, b in posteriors.values() for x in _range(a, b)})
    masses = {name: _cell_masses(grid, a, b) for name, (a, b) in posteriors.items()}
    below = {name: _cumulative(cells) for name, cells in masses.items()}
    best = {}
    for name, cells in masses.items():
        others = [(below[o], masses[o]) for o in masses if o != name]
        best[name] = sum(
            mass * math.prod(cdf[k] + other[k] / 2 for cdf, other in others)
            for k, mass in enumerate(cells)
            if mass
        )
    total = sum(best.values())
    return {name: p / total for name, p in best.items()}


def variant_statistics(counts: Mapping[str, Counts], control: str) -> dict[str, VariantStatistics]:
    """Every variant's interval, P(beats the control) and P(best); `control` names one of them."""
    best = probabilities_best(counts)
    return {
        name: VariantStatistics(
            counts=c,
            interval=wilson_interval(c),
            beats_control=None if name == control else probability_beats(c, counts[control]),
            best=best[name],
        )
        for name, c in counts.items()
    }


def decide_winner(
    counts: Mapping[str, Counts], min_sample: int, threshold: float = SIGNIFICANCE
) -> str | None:
    """The variant that is best with probability ≥ `threshold`, once every variant has at least
    `min_sample` recipients; else None (keep splitting). `counts` holds every variant of the
    experiment, those without recipients too."""
    if any(c.recipients < min_sample for c in counts.values()):
        return None
    name, p = max(probabilities_best(counts).items(), key=lambda item: item[1])
    return name if p >= threshold else None


def _posterior(counts: Counts) -> tuple[int, int]:
    return 1 + counts.conversions, 1 + counts.recipients - counts.conversions


def _range(a: int, b: int) -> list[float]:
    mean = a / (a + b)
    sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    low, high = max(0.0, mean - _TAIL_SDS * sd), min(1.0, mean + _TAIL_SDS * sd)
    step = (high - low) / (_POINTS - 1)
    return [low + i * step for i in range(_POINTS - 1)] + [high]


def _density(x: float, a: int, b: int, log_norm: float) -> float:
    """The Beta(a, b) density at x, for a, b ≥ 1 (an exponent of 0 contributes 1, even at 0)."""
    if (x <= 0 and a > 1) or (x >= 1 and b > 1):
        return 0.0
    log_density = -log_norm
    if a > 1:
        log_density += (a - 1) * math.log(x)
    if b > 1:
        log_density += (b - 1) * math.log1p(-x)
    return math.exp(log_density)


def _cell_masses(grid: list[float], a: int, b: int) -> list[float]:
    """The posterior's mass in each cell between neighbouring grid points (trapezoids), scaled
    to sum to 1."""
    log_norm = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    density = [_density(x, a, b, log_norm) for x in grid]
    cells = [
        (grid[k + 1] - grid[k]) * (density[k] + density[k + 1]) / 2 for k in range(len(grid) - 1)
    ]
    total = sum(cells)
    return [cell / total for cell in cells]


def _cumulative(cells: list[float]) -> list[float]:
    """The mass below each cell."""
    below, running = [], 0.0
    for cell in cells:
        below.append(running)
        running += cell
    return below
