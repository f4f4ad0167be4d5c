"""The steady-climb detector's thresholds and boundaries, on tiny hand-built series.

test_growth.py shows the detector on realistic shapes (a sawtooth, a step, a climb);
these pin each threshold at its boundary and every field of the verdict, so a changed
comparison or default cannot pass unnoticed.
"""

from __future__ import annotations

import pytest

from mlready.gpu_runner.growth import MIB, Criteria, Growth, analysed, detect, slope, when

# No warm-up, 5 windows, 10 samples one second apart: window k holds t = 2k and 2k + 1.
TINY = Criteria(min_duration_s=9.0, min_samples=10, warmup_fraction=0.0, windows=5,
                min_rising_fraction=0.75, min_growth_bytes=0.0, min_growth_ratio=0.0)


def windows(*medians: float, scale: float = MIB) -> list[tuple[float, int]]:
    """Ten samples, two per window, each window at its given median (times ``scale``)."""
    return [(float(t), int(medians[t // 2] * scale)) for t in range(10)]


def test_the_default_thresholds() -> None:
    assert Criteria() == Criteria(min_duration_s=10.0, min_samples=24, warmup_fraction=0.25,
                                  windows=8, min_rising_fraction=0.75,
                                  min_growth_bytes=16 * MIB, min_growth_ratio=0.10)
    assert MIB == 1048576
    assert Growth(True, False, 1.0, 2).per_hour_bytes == 0.0
    assert Growth(True, False, 1.0, 2, slope_bytes_per_s=2.0).per_hour_bytes == 7200.0


def test_slope_is_least_squares_and_zero_without_two_distinct_times() -> None:
    assert slope([]) == 0.0
    assert slope([(1.0, 5.0)]) == 0.0
    assert slope([(3.0, 1.0), (3.0, 9.0)]) == 0.0
    assert slope([(0.0, 0.0), (2.0, 1.0)]) == 0.5
    assert slope([(0.0, 1.0), (1.0, 0.0), (2.0, 5.0)]) == 2.0
    assert slope([(1.0, 4.0), (2.0, 2.0), (3.0, 0.0)]) == -2.0
    # far from zero (a monotonic clock's seconds) the centred sum stays exact
    assert slope([(1e6, 0.0), (1e6 + 1, 0.0), (1e6 + 2, 1.0)]) == 0.5


def test_when_is_the_first_time_the_file_held_the_byte() -> None:
    grew = [(0.5, 0), (1.5, 10), (2.5, 20)]
    assert when(grew, 0) == 1.5
    assert when(grew, 9) == 1.5
    assert when(grew, 10) == 2.5  # size 10 holds bytes 0-9
    assert when(grew, 20) is None
    assert when([], 0) is None


def test_analysed_keeps_the_training_part_inclusive_minus_warm_up() -> None:
    points = [(float(t), t) for t in range(11)]
    assert analysed([], 1.0, 2.0, 0.25) == []
    assert [t for t, _ in analysed(points, 2.0, 6.0, 0.25)] == [3.0, 4.0, 5.0, 6.0]
    assert [t for t, _ in analysed(points, 2.0, 6.0, 0.0)] == [2.0, 3.0, 4.0, 5.0, 6.0]
    assert [t for t, _ in analysed(points, None, None, 0.3)] == [3.0, 4.0, 5.0, 6.0, 7.0,
                                                                 8.0, 9.0, 10.0]
    assert [t for t, _ in analysed(points, None, 8.0, 0.0)] == [float(t) for t in range(9)]
    # a last output at or before the first is no end: the series' own end is
    assert [t for t, _ in analysed(points, 2.0, 2.0, 0.25)] == [4.0, 5.0, 6.0, 7.0, 8.0,
                                                                9.0, 10.0]
    assert [t for t, _ in analysed(points, 6.0, 3.0, 0.0)] == [6.0, 7.0, 8.0, 9.0, 10.0]


def test_too_short_is_not_measured_with_the_duration_named() -> None:
    points = windows(1, 2, 3, 4, 5)
    growth = detect(points, criteria=Criteria(min_duration_s=9.5, min_samples=1,
                                              warmup_fraction=0.0, windows=1))
    assert growth == Growth(False, False, 9.0, 10,
                            why="9.0s of training after warm-up, under 9.5s")
    assert detect(points, criteria=TINY).measured  # exactly the minimum duration is enough
    assert detect([], criteria=TINY) == Growth(
        False, False, 0.0, 0, why="0.0s of training after warm-up, under 9s")


def test_too_few_samples_is_not_measured_with_the_count_named() -> None:
    points = windows(1, 2, 3, 4, 5)
    assert detect(points, criteria=TINY).measured  # exactly the minimum count is enough
    fewer = Criteria(min_duration_s=9.0, min_samples=11, warmup_fraction=0.0, windows=5)
    assert detect(points, criteria=fewer) == Growth(
        False, False, 9.0, 10, why="10 memory samples after warm-up, under 11")
    # two samples per window at least, whatever min_samples says
    narrow = Criteria(min_duration_s=9.0, min_samples=2, warmup_fraction=0.0, windows=6)
    assert detect(points, criteria=narrow) == Growth(
        False, False, 9.0, 10, why="10 memory samples after warm-up, under 12")


def test_a_measured_verdict_reports_every_field() -> None:
    growth = detect(windows(80, 90, 100, 110, 120), criteria=TINY)
    assert growth.measured and growth.climbing
    assert (growth.duration_s, growth.samples) == (9.0, 10)
    assert (growth.growth_bytes, growth.start_bytes) == (40 * MIB, 80 * MIB)
    assert growth.rising_fraction == 1.0
    assert growth.slope_bytes_per_s == pytest.approx(slope(windows(80, 90, 100, 110, 120)))
    assert growth.slope_bytes_per_s > 4 * MIB and growth.why == ""


def test_the_last_sample_falls_in_the_last_window() -> None:
    # t = 9 is exactly the end: were it a window of its own the last median would be 500
    points = windows(80, 90, 100, 110, 120)
    points[-1] = (9.0, 500 * MIB)
    growth = detect(points, criteria=TINY)
    assert growth.growth_bytes == (120 + 500) / 2 * MIB - 80 * MIB


def test_rising_fraction_at_its_threshold_climbs() -> None:
    growth = detect(windows(80, 90, 85, 110, 120), criteria=TINY)
    assert growth.rising_fraction == 0.75 and growth.climbing
    just_over = Criteria(**{**TINY.__dict__, "min_rising_fraction": 0.76})
    assert not detect(windows(80, 90, 85, 110, 120), criteria=just_over).climbing


def test_an_equal_window_is_no_rise() -> None:
    growth = detect(windows(100, 100, 100, 110, 120), criteria=TINY)
    assert growth.rising_fraction == 0.5 and not growth.climbing


def test_growth_in_bytes_and_ratio_at_their_thresholds() -> None:
    points = windows(80, 90, 100, 110, 120)

    def at(**changes: float) -> bool:
        return detect(points, criteria=Criteria(**{**TINY.__dict__, **changes})).climbing

    assert at(min_growth_bytes=40 * MIB) and not at(min_growth_bytes=40 * MIB + 1)
    assert at(min_growth_ratio=0.5) and not at(min_growth_ratio=0.51)


def test_a_slope_under_one_byte_per_second_still_counts() -> None:
    points = windows(0, 1, 2, 3, 4, scale=1)
    growth = detect(points, criteria=TINY)
    assert 0 < growth.slope_bytes_per_s < 1 and growth.climbing


def test_a_falling_series_does_not_climb() -> None:
    growth = detect(windows(120, 110, 100, 90, 80), criteria=TINY)
    assert growth.measured and not growth.climbing and growth.rising_fraction == 0.0


def test_the_slope_of_a_large_process_keeps_its_precision() -> None:
    # 500 MB sampled every 0.1 s, one byte more each sample: 10 bytes/s, not 10.00002
    points = [(0.1 * i, 5e8 + i) for i in range(10)]
    assert slope(points) == pytest.approx(10.0, rel=1e-9)


def test_one_window_is_not_measured_two_are() -> None:
    points = windows(80, 90, 100, 110, 120)
    one = Criteria(**{**TINY.__dict__, "windows": 1})
    assert detect(points, criteria=one) == Growth(False, False, 9.0, 10,
                                                  why="samples bunched in one window")
    two = detect(points, criteria=Criteria(**{**TINY.__dict__, "windows": 2}))
    assert two.measured and two.climbing and two.rising_fraction == 1.0


def test_a_series_that_starts_late_is_windowed_from_its_start() -> None:
    late = [(t + 100.0, v) for t, v in windows(80, 90, 100, 110, 120)]
    growth = detect(late, criteria=TINY)
    assert (growth.measured, growth.climbing, growth.rising_fraction) == (True, True, 1.0)
    assert (growth.start_bytes, growth.growth_bytes) == (80 * MIB, 40 * MIB)


def test_rising_medians_with_a_flat_fit_do_not_climb() -> None:
    # medians 0 then 5, but the least-squares slope is exactly zero
    points = [(0.0, 10), (1.0, 0), (2.0, 0), (3.0, 5), (4.0, 5), (5.0, 6)]
    criteria = Criteria(min_duration_s=5.0, min_samples=6, warmup_fraction=0.0, windows=2,
                        min_rising_fraction=0.75, min_growth_bytes=0.0, min_growth_ratio=0.0)
    growth = detect(points, criteria=criteria)
    assert (growth.rising_fraction, growth.growth_bytes, growth.slope_bytes_per_s) == (
        1.0, 5, 0.0)
    assert growth.measured and not growth.climbing
