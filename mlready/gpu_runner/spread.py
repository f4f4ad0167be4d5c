"""The spread of one number over seeds: mean, sample std and a bootstrap confidence interval.

The interval is the percentile bootstrap of the mean: `RESAMPLES` resamples with
replacement drawn from ``random.Random(BOOTSTRAP_SEED)``, so the same values always give
the same interval (a results file must not change between two reads of one run), with
no dependency beyond the standard library. With 3-5 seeds it is coarse, and it never
reaches outside the values' own range: it says how far the mean could move if the same
seeds were drawn again, not where an unseen seed could land (for that, see the std).
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

RESAMPLES = 2000
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Spread:
    n: int
    mean: float
    std: float  # sample standard deviation (n - 1)
    ci_low: float
    ci_high: float
    low: float
    high: float


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of an ascending sequence."""
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def bootstrap_ci(values: Sequence[float], confidence: float = CONFIDENCE,
                 resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """The percentile bootstrap interval of the mean of ``values`` (deterministic)."""
    rng = random.Random(seed)
    n = len(values)
    means = sorted(math.fsum(rng.choices(values, k=n)) / n for _ in range(resamples))
    tail = (1.0 - confidence) / 2
    return _quantile(means, tail), _quantile(means, 1.0 - tail)


def spread(values: Sequence[float]) -> Spread:
    """Mean, std and bootstrap interval of two or more finite ``values``."""
    if len(values) < 2:
        raise ValueError("a spread needs at least two values")
    low, high = bootstrap_ci(values)
    return Spread(len(values), statistics.fmean(values), statistics.stdev(values), low, high,
                  min(values), max(values))
