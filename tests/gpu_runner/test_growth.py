"""The steady-climb detector on synthetic memory series, and the sampler's bounded series."""

from __future__ import annotations

import itertools
import random

import pytest

from mlready.gpu_runner.growth import MIB, Criteria, detect, slope
from mlready.gpu_runner.memory import Series

BASE = 500 * MIB
DT = 0.05  # the sampler's interval


def series(seconds: float, value: object) -> list[tuple[float, int]]:
    """Samples every DT seconds of ``value(t)`` (a callable of time)."""
    assert callable(value)
    return [(i * DT, int(value(i * DT))) for i in range(int(seconds / DT) + 1)]


def startup(t: float) -> float:
    """The start-up ramp every real run has: 0 -> BASE over the first 3 s."""
    return BASE * min(1.0, t / 3)


def test_flat_is_measured_and_not_climbing() -> None:
    growth = detect(series(20, lambda t: BASE))
    assert growth.measured and not growth.climbing
    assert growth.growth_bytes == 0 and growth.rising_fraction == 0


def test_noisy_flat_after_a_start_up_ramp_is_not_climbing() -> None:
    rng = random.Random(1)
    points = series(20, lambda t: startup(t) + rng.gauss(0, 4 * MIB))
    growth = detect(points)
    assert growth.measured and not growth.climbing
    assert abs(growth.growth_bytes) < 16 * MIB


def test_a_gc_sawtooth_is_not_a_leak() -> None:
    # Rises 40 MiB over 0.8 s, collected, again: the allocator at work, not a leak.
    growth = detect(series(20, lambda t: BASE + (t % 0.8) / 0.8 * 40 * MIB))
    assert growth.measured and not growth.climbing


def test_one_step_up_then_a_plateau_is_not_a_leak() -> None:
    # An eval buffer allocated halfway: the slope is positive, the windows rise once.
    growth = detect(series(20, lambda t: BASE + (200 * MIB if t > 12 else 0)))
    assert growth.measured and growth.slope_bytes_per_s > 0
    assert growth.rising_fraction < 0.75 and not growth.climbing


def test_a_steady_climb_is_a_leak_with_its_slope() -> None:
    rng = random.Random(2)
    growth = detect(series(20, lambda t: BASE + 10 * MIB * t + rng.gauss(0, 2 * MIB)))
    assert growth.measured and growth.climbing
    assert growth.slope_bytes_per_s == pytest.approx(10 * MIB, rel=0.05)
    assert growth.per_hour_bytes == pytest.approx(36000 * MIB, rel=0.05)
    assert growth.rising_fraction >= 0.75


def test_a_climbing_sawtooth_is_a_leak() -> None:
    # The GC gives back some, never all: the floor rises 8 MiB/s.
    growth = detect(series(20, lambda t: BASE + 8 * MIB * t + (t % 0.5) / 0.5 * 30 * MIB))
    assert growth.measured and growth.climbing


def test_a_small_climb_on_a_big_process_does_not_count() -> None:
    # +40 MiB on 8 GiB over the run: under 10% of the start, so noise, not evidence.
    growth = detect(series(20, lambda t: 8192 * MIB + 2 * MIB * t))
    assert growth.measured and growth.rising_fraction == 1.0 and not growth.climbing


def test_too_short_a_run_is_not_measured_even_when_it_climbs() -> None:
    growth = detect(series(4, lambda t: BASE + 100 * MIB * t))
    assert not growth.measured and not growth.climbing
    assert growth.why == "3.0s of training after warm-up, under 10s"
    few = detect([(float(t), BASE + t * MIB * 50) for t in range(0, 40, 2)],
                 criteria=Criteria(min_duration_s=1))
    assert not few.measured and few.why == "15 memory samples after warm-up, under 24"
    assert not detect([]).measured


def test_the_analysed_part_is_between_first_and_last_output() -> None:
    # Flat while training (2 s .. 14 s); a checkpoint write at the end adds 300 MiB.
    points = series(16, lambda t: BASE + (300 * MIB * (t - 14) if t > 14 else 0))
    assert not detect(points, first_output_s=2.0, last_output_s=14.0).climbing
    assert detect(points, first_output_s=2.0, last_output_s=14.0).duration_s == \
        pytest.approx(9.0, abs=0.1)


def test_slope_is_least_squares() -> None:
    assert slope([(0, 1.0), (1, 3.0), (2, 5.0)]) == 2.0
    assert slope([(1, 1.0)]) == 0.0 and slope([(1, 1.0), (1, 2.0)]) == 0.0


def test_a_long_series_is_thinned_evenly_and_stays_bounded() -> None:
    kept = Series(max_points=100)
    for i in range(10_000):
        kept.add(float(i), i)
    assert 50 <= len(kept.points) <= 100
    times = [t for t, _ in kept.points]
    gaps = {b - a for a, b in itertools.pairwise(times)}
    assert len(gaps) == 1 and times[0] == 0.0 and times[-1] > 9000
