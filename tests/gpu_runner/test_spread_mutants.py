"""The seed spread's numbers, pinned: the quantile, the bootstrap's settings, the fields.

A results file must read the same interval for the same seeds in every release, so the
interval of a fixed input is pinned here (a change of resamples, seed or confidence
shows), beside the exact quantile and the smallest spread (two values).
"""

from __future__ import annotations

import math

import pytest

from mlready.gpu_runner import spread as spread_module
from mlready.gpu_runner.spread import Spread, _quantile, bootstrap_ci, spread

VALUES = [0.1, 0.7, 2.3, 5.9, 3.1, 1.3]


def test_the_quantile_interpolates_between_neighbours() -> None:
    assert _quantile([0.0, 10.0], 0.25) == 2.5
    assert _quantile([1.0, 2.0, 3.0], 0.0) == 1.0
    assert _quantile([1.0, 2.0, 3.0], 0.5) == 2.0
    assert _quantile([1.0, 2.0, 3.0], 0.75) == 2.5
    assert _quantile([1.0, 2.0, 3.0], 1.0) == 3.0
    assert _quantile([5.0], 0.7) == 5.0


def test_the_bootstrap_settings() -> None:
    assert (spread_module.RESAMPLES, spread_module.BOOTSTRAP_SEED,
            spread_module.CONFIDENCE) == (2000, 0, 0.95)
    assert bootstrap_ci(VALUES) == bootstrap_ci(VALUES, 0.95, 2000, 0)


def test_the_interval_of_a_fixed_input_never_changes() -> None:
    assert bootstrap_ci(VALUES) == pytest.approx((0.8666666666666667, 3.966666666666667))
    assert bootstrap_ci(VALUES, confidence=0.9) == pytest.approx((1.0666666666666667,
                                                                  3.6333333333333333))
    assert bootstrap_ci(VALUES, 0.5, 7, 3) == pytest.approx((1.2666666666666666,
                                                             3.1333333333333337))
    assert bootstrap_ci(VALUES, resamples=1) == pytest.approx((2.6, 2.6))


def test_full_confidence_spans_every_resampled_mean_and_none_is_the_median() -> None:
    values = [0.0, 1.0, 2.0, 3.0, 4.0]
    assert bootstrap_ci(values, confidence=1.0) == pytest.approx((0.4, 4.0))
    assert bootstrap_ci(values, confidence=0.0) == pytest.approx((2.0, 2.0))


def test_two_values_are_enough_and_every_field_is_set() -> None:
    assert spread([1.0, 3.0]) == Spread(n=2, mean=2.0, std=math.sqrt(2), ci_low=1.0,
                                        ci_high=3.0, low=1.0, high=3.0)
    s = spread([3.0, 1.0, 2.0])
    assert (s.n, s.mean, s.std, s.low, s.high) == (3, 2.0, 1.0, 1.0, 3.0)
    assert (s.ci_low, s.ci_high) == bootstrap_ci([3.0, 1.0, 2.0])


@pytest.mark.parametrize("values", [[], [1.0]])
def test_fewer_than_two_values_is_an_error_that_says_so(values: list[float]) -> None:
    with pytest.raises(ValueError, match=r"^a spread needs at least two values$"):
        spread(values)
