"""seed-spread: the spread statistics, and the check on real runs of a seeded stand-in trainer
(tests/fixtures/runner/burn.py: the final loss is 1/steps + center + spread * z(seed))."""

from __future__ import annotations

import io
import random
import re
import statistics
from pathlib import Path

import pytest

from mlready.config import ConfigError
from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.checks import REGISTRY, _docs
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.plan import planned
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.runner import execute
from mlready.gpu_runner.spread import bootstrap_ci, spread

from .helpers import FIXTURES, by_id

ID = "seed-spread"


def test_spread_is_mean_sample_std_and_a_deterministic_bootstrap_interval() -> None:
    values = [0.50, 0.54, 0.47, 0.52, 0.49]
    s = spread(values)
    assert (s.n, s.low, s.high) == (5, 0.47, 0.54)
    assert s.mean == pytest.approx(0.504) and s.std == pytest.approx(statistics.stdev(values))
    assert s.low <= s.ci_low < s.mean < s.ci_high <= s.high
    assert bootstrap_ci(values) == bootstrap_ci(list(values))  # fixed RNG: same interval
    assert bootstrap_ci(values, seed=1) != bootstrap_ci(values)
    assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)
    with pytest.raises(ValueError, match="at least two"):
        spread([1.0])


def project(tmp_path: Path, extra: str, spread_: float = 0.1, objective: str = "") -> (
        RunnerConfig):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        "[tool.mlready.runner]\n"
        f'train = "{{python}} {FIXTURES / "burn.py"} --steps {{steps}} --seed {{seed}} '
        f'--out {{run_dir}} --spread {spread_}"\n'
        f"steps = 4\nseed = 7\ntimeout = 30\n{objective}\n{extra}\n")
    return runner_config.load(root)


def finals(seeds: range, spread_: float = 0.1) -> list[float]:
    return [1 / 4 + 1.0 + spread_ * random.Random(s).gauss(0.0, 1.0) for s in seeds]


def test_three_seeds_under_a_larger_claim_pass(tmp_path: Path) -> None:
    report = execute(project(tmp_path, "seeds = 3\nclaimed-improvement = 0.5"), (ID,),
                     progress=False)
    result = by_id(report)[ID]
    assert result.outcome is Outcome.PASS, result.summary
    assert [r.id for r in report.runs] == ["ref", "other_seed", "seed_2"]
    expected = finals(range(7, 10))
    assert result.metrics["mean"] == pytest.approx(statistics.fmean(expected))
    assert result.metrics["std"] == pytest.approx(statistics.stdev(expected))
    assert result.details["final_by_seed"] == pytest.approx(
        {str(s): v for s, v in zip(range(7, 10), expected, strict=True)})
    std = statistics.stdev(expected)
    assert result.summary.startswith(
        f"3 seeds, final loss after 4 steps: {statistics.fmean(expected):.4g} ± {std:.4g} "
        "(mean ± std; 95% bootstrap CI of the mean ")
    assert result.summary.endswith(f"the std is {std / 0.5:.2g}x the claimed improvement 0.5")


def test_the_progress_total_counts_every_seed_run(tmp_path: Path) -> None:
    """`seeds = 4` starts ref, other_seed, seed_2 and seed_3: the progress says [i/4],
    not [i/2] grown as the extra seeds start."""
    stream = io.StringIO()
    report = execute(project(tmp_path, "seeds = 4\nclaimed-improvement = 0.5"), (ID,),
                     progress=True, progress_stream=stream)
    assert [r.id for r in report.runs] == ["ref", "other_seed", "seed_2", "seed_3"]
    counts = re.findall(r"^\[(\d)/(\d)\] train (\w+) ", stream.getvalue(), re.M)
    assert counts == [("1", "4", "ref"), ("2", "4", "other_seed"), ("3", "4", "seed_2"),
                      ("4", "4", "seed_3")]


def test_the_plan_derives_the_seed_runs_from_the_config(tmp_path: Path) -> None:
    check = next(c for c in REGISTRY if c.id == ID)
    for i, (extra, runs) in enumerate((
            ("", []), ("seeds = 0", []), ("seeds = 1", []),  # off, or one seed: no run
            ("seeds = 2", ["ref", "other_seed"]),
            ("seeds = 5", ["ref", "other_seed", "seed_2", "seed_3", "seed_4"]))):
        (tmp_path / str(i)).mkdir()
        assert planned([check.plan(project(tmp_path / str(i), extra))]) == runs
    # and the docs' run-plan table shows them, and counts them in the full run
    table = _docs.run_plan()
    assert "| `seed_2` ... `seed_{K-1}` | seed+k, N (k = 2 ... K-1) |" in table
    assert ", and K - 2 more with `seeds` = K (seed-spread)," in table.splitlines()[-1]


def test_seeds_off_counts_no_run_in_the_progress_total(tmp_path: Path) -> None:
    """`seeds = 0` (the default, "off") starts nothing, so beside smoke (which needs `ref`)
    the total is 1: `other_seed`, which only reproducibility or seeds >= 2 start, is not
    counted as a run to come ([1/2] that never reached 2/2)."""
    stream = io.StringIO()
    report = execute(project(tmp_path, "seeds = 0"), ("smoke", ID), progress=True,
                     progress_stream=stream)
    assert (by_id(report)[ID].outcome, by_id(report)[ID].reason) == (
        Outcome.NOT_APPLICABLE, "not_configured")
    assert [r.id for r in report.runs] == ["ref"]
    assert re.findall(r"^\[(\d)/(\d)\] train (\w+) ", stream.getvalue(), re.M) == [
        ("1", "1", "ref")]


def test_a_claim_within_seed_noise_fails(tmp_path: Path) -> None:
    result = by_id(execute(project(tmp_path, "seeds = 3\nclaimed-improvement = 0.01"), (ID,),
                           progress=False))[ID]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "spread_exceeds_claim")
    assert result.summary.endswith("the seed-to-seed std is at least as large as the claimed "
                                   f"improvement 0.01 ({result.metrics['std_to_claim']:.2g}x):"
                                   " the claim is within seed noise")


def test_without_a_claim_the_spread_is_information_not_a_pass(tmp_path: Path) -> None:
    result = by_id(execute(project(tmp_path, "seeds = 2"), (ID,), progress=False))[ID]
    assert (result.outcome, result.reason) == (Outcome.NOT_APPLICABLE, "no_claim")
    assert "(the checklists ask for 3-5 seeds); no `claimed-improvement` to test against it" \
        in result.summary
    assert result.metrics["std"] == pytest.approx(statistics.stdev(finals(range(7, 9))))


def test_seeds_that_all_end_alike_say_nothing(tmp_path: Path) -> None:
    result = by_id(execute(project(tmp_path, "seeds = 2\nclaimed-improvement = 0.5",
                                   spread_=0.0), (ID,), progress=False))[ID]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "no_spread")
    assert result.summary == ("all 2 seeds ended at loss = 1.25 exactly: the seed does not "
                              "reach the randomness, so their spread says nothing")


@pytest.mark.parametrize(("extra", "objective", "reason"), [
    ("", "", "not_configured"), ("seeds = 1", "", "too_few_seeds"),
    ("seeds = 3", 'objective = ""', "no_objective")])
def test_off_or_unusable_starts_nothing(tmp_path: Path, extra: str, objective: str,
                                        reason: str) -> None:
    report = execute(project(tmp_path, extra, objective=objective), (ID,), progress=False)
    assert (by_id(report)[ID].outcome, by_id(report)[ID].reason) == (
        Outcome.NOT_APPLICABLE, reason)
    assert report.runs == ()


def test_a_negative_seed_count_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"`tool.mlready.runner.seeds` must be >= 0, got -2"):
        project(tmp_path, "seeds = -2")
