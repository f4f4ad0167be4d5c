"""Does a run's memory climb steadily? A pure test on the sampler's (seconds, bytes) series.

A burn-in test watches memory over a long run: a leak (a list of tensors that keeps
every loss with its graph, a cache keyed by step, a replay buffer with no bound) shows
as memory that rises all the way through, while a healthy run rises at start-up and
then holds, perhaps in a sawtooth as the garbage collector or the allocator works.
One slope alone cannot tell these apart (a single allocation halfway through, or the
start-up ramp, gives a positive slope too), so a *steady climb* needs all of:

1. **enough evidence**: the analysed part lasts at least ``min_duration_s`` and holds
   at least ``min_samples`` samples; otherwise the result is *not measured*, never a
   pass. The analysed part is the training itself: from the first output (or the
   start) to the last output (or the end), minus its first ``warmup_fraction``
   (model build, first batches, allocator and cache warm-up).
2. **a rise in most windows**: the part is cut into ``windows`` equal time windows and
   the median of each is taken (a median ignores a GC spike); at least
   ``min_rising_fraction`` of the consecutive medians must rise. Noise around a flat
   line rises in about half, a sawtooth shorter than a window not at all, a single
   step up once.
3. **a rise that matters**: last window's median minus the first's is at least
   ``min_growth_bytes`` and at least ``min_growth_ratio`` of the first, so that page
   granularity and allocator noise on a small process do not count, and the
   least-squares slope over the part is positive.

"The first output" is the first *metric* written, not the first byte of the log: a
log's first lines are often import warnings, while torch is still loading, and its
libraries paging in look like a climb (a real trainer's import ramp lasted 20 s on a
loaded machine). `when` maps the first metric line's offset in its file to the time
the sampler saw the file reach it.

The slope is reported as well (bytes per second, least squares over every analysed
sample), with the growth it projects over an hour.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MIB = 2**20


@dataclass(frozen=True)
class Criteria:
    """The thresholds of a steady climb (see the module docstring)."""

    min_duration_s: float = 10.0
    min_samples: int = 24
    warmup_fraction: float = 0.25
    windows: int = 8
    min_rising_fraction: float = 0.75
    min_growth_bytes: float = 16 * MIB
    min_growth_ratio: float = 0.10


@dataclass(frozen=True)
class Growth:
    """The verdict on one series; ``measured`` False means too little evidence."""

    measured: bool
    climbing: bool
    duration_s: float  # of the analysed part
    samples: int  # in the analysed part
    slope_bytes_per_s: float = 0.0
    growth_bytes: float = 0.0  # last window's median minus the first's
    start_bytes: float = 0.0  # the first window's median
    rising_fraction: float = 0.0
    why: str = ""  # when not measured: what was missing

    @property
    def per_hour_bytes(self) -> float:
        return self.slope_bytes_per_s * 3600.0


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of value over time; 0 for fewer than two distinct times."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / var


def when(grew: Sequence[tuple[float, int]], offset: int) -> float | None:
    """The first time a file that grew as ``grew`` (seconds, size) held byte ``offset``."""
    for t, size in grew:
        if size > offset:
            return t
    return None


def analysed(points: Sequence[tuple[float, int]], first_output_s: float | None,
             last_output_s: float | None, warmup_fraction: float) -> list[tuple[float, int]]:
    """The training part of the series: between first and last output, warm-up removed."""
    if not points:
        return []
    begin = first_output_s if first_output_s is not None else points[0][0]
    end = last_output_s if last_output_s is not None and last_output_s > begin \
        else points[-1][0]
    begin += (end - begin) * warmup_fraction
    return [(t, v) for t, v in points if begin <= t <= end]


def detect(points: Sequence[tuple[float, int]], *, first_output_s: float | None = None,
           last_output_s: float | None = None, criteria: Criteria = Criteria()) -> Growth:
    """Whether ``points`` (seconds, bytes) climb steadily over the training part."""
    part = analysed(points, first_output_s, last_output_s, criteria.warmup_fraction)
    duration = part[-1][0] - part[0][0] if part else 0.0
    if duration < criteria.min_duration_s:
        return Growth(False, False, duration, len(part),
                      why=f"{duration:.1f}s of training after warm-up, under "
                          f"{criteria.min_duration_s:g}s")
    if len(part) < max(criteria.min_samples, 2 * criteria.windows):
        return Growth(False, False, duration, len(part),
                      why=f"{len(part)} memory samples after warm-up, under "
                          f"{max(criteria.min_samples, 2 * criteria.windows)}")
    t0 = part[0][0]
    buckets: list[list[int]] = [[] for _ in range(criteria.windows)]
    for t, v in part:
        index = min(criteria.windows - 1, int((t - t0) / duration * criteria.windows))
        buckets[index].append(v)
    medians = [statistics.median(b) for b in buckets if b]
    if len(medians) < 2:  # pragma: no cover - enough samples over the duration fill windows
        return Growth(False, False, duration, len(part), why="samples bunched in one window")
    rises = sum(1 for a, b in itertools.pairwise(medians) if b > a)
    rising = rises / (len(medians) - 1)
    growth = medians[-1] - medians[0]
    fitted = slope([(t, float(v)) for t, v in part])
    climbing = (rising >= criteria.min_rising_fraction and fitted > 0
                and growth >= criteria.min_growth_bytes
                and growth >= criteria.min_growth_ratio * medians[0])
    return Growth(True, climbing, duration, len(part), fitted, growth, medians[0], rising)
