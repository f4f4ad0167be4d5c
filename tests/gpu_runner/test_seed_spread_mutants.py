"""`seed_spread.check`'s verdicts, without a training run: a real `Session` whose runs are
handed back as finished outcomes with the final objective each seed is given here, so
that every branch (off, one seed, no objective, a failed or silent seed, NaN, no spread,
no claim, a claim within noise, a pass) and the exact summaries and metrics are pinned.

test_seed_spread.py trains a stand-in per seed (slow); these are the fast synthetic cases
at each boundary. Written against the surviving mutants of ``bench/mutation.py`` on
checks/seed_spread.py.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest

from mlready.gpu_runner.checks import seed_spread
from mlready.gpu_runner.config import from_table
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.metrics import Record, Trajectory
from mlready.gpu_runner.plan import RunSpec
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.gpu_runner.session import RunOutcome, Session
from mlready.gpu_runner.spread import spread

SEED = 7
STEPS = 4


class Handed(Session):
    """A real session that starts no process: each run it is asked for is finished at once
    with the trajectory given for its seed offset, and the spec it was asked with is kept."""

    def __init__(self, tmp_path: Path, trajectories: dict[int, Trajectory], *,
                 problems: dict[int, Problem] | None = None, smoke: bool = True,
                 **table: Any) -> None:
        cfg = from_table({"train": "{python} t.py", "steps": STEPS, "seed": SEED, **table},
                         tmp_path / "pyproject.toml", tmp_path)
        super().__init__(cfg, "cpu", tmp_path, Progress(0, enabled=False),
                         smoke_selected=smoke, needs_torch=False)
        self.trajectories, self.problems = trajectories, problems or {}
        self.asked: list[RunSpec] = []

    def _start(self, spec: RunSpec) -> RunOutcome:
        self.asked.append(spec)
        offset = spec.seed_offset
        return RunOutcome(spec, self.work_dir / spec.id, STEPS, SEED + offset,
                          problem=self.problems.get(offset),
                          trajectory=self.trajectories.get(offset, Trajectory()))


def ending(*values: float, name: str = "loss") -> Trajectory:
    """Logged at steps 1 .. len(values); the last one is the final objective."""
    return Trajectory(tuple(Record(step, {name: v}) for step, v in enumerate(values, 1)))


def finals(*values: float) -> dict[int, Trajectory]:
    """Seed offset k ends at ``values[k]`` (after a first value of 9.0 that must not count)."""
    return {k: ending(9.0, v) for k, v in enumerate(values)}


def judged(tmp_path: Path, values: tuple[float, ...], claim: float | None = None,
           **table: Any) -> tuple[CheckResult, Handed]:
    if claim is not None:
        table["claimed-improvement"] = claim
    session = Handed(tmp_path, finals(*values), seeds=len(values), **table)
    return seed_spread.check(session), session


def shown(values: tuple[float, ...], few: str = "") -> str:
    s = spread(list(values))
    return (f"{len(values)} seeds, final loss after {STEPS} steps: {s.mean:.4g} ± {s.std:.4g} "
            f"(mean ± std; 95% bootstrap CI of the mean {s.ci_low:.4g} .. {s.ci_high:.4g})"
            f"{few}")


def test_the_run_ids_are_reproducibilitys_two_then_one_per_seed() -> None:
    assert [seed_spread.run_id(k) for k in range(4)] == ["ref", "other_seed", "seed_2",
                                                         "seed_3"]


def test_the_extra_seeds_are_asked_for_with_their_offset_and_purpose(tmp_path: Path) -> None:
    result, session = judged(tmp_path, (1.0, 1.5, 2.0, 2.5), claim=10.0)
    assert result.outcome is Outcome.PASS
    assert [(s.id, s.seed_offset) for s in session.asked] == [
        ("ref", 0), ("other_seed", 1), ("seed_2", 2), ("seed_3", 3)]
    assert [s.purpose for s in session.asked[2:]] == ["seed spread: seed+2",
                                                      "seed spread: seed+3"]
    assert session.asked[0] is session.runs["ref"]  # the plan's own runs, not new specs
    assert session.asked[1] is session.runs["other_seed"]


@pytest.mark.parametrize(("table", "reason", "summary"), [
    ({}, "not_configured",
     "off: set `tool.mlready.runner.seeds` (3-5 in RL) to train several seeds and report "
     "their spread"),
    ({"seeds": 1}, "too_few_seeds",
     "`seeds = 1`: a spread needs at least 2 seeds (the checklists ask for 3-5)"),
    ({"seeds": 3, "objective": ""}, "no_objective",
     "no `objective` configured: nothing to compare over seeds"),
])
def test_off_or_unusable_asks_for_no_run(tmp_path: Path, table: dict[str, Any], reason: str,
                                         summary: str) -> None:
    session = Handed(tmp_path, finals(1.0, 2.0, 3.0), **table)
    result = seed_spread.check(session)
    assert (result.check, result.outcome, result.reason, result.summary) == (
        "seed-spread", Outcome.NOT_APPLICABLE, reason, summary)
    assert session.asked == []


@pytest.mark.parametrize("smoke", [True, False])
def test_a_failed_first_run_is_a_prerequisite(tmp_path: Path, smoke: bool) -> None:
    broken = Problem(Outcome.FAIL, "train_failed", "training exited with 1")
    session = Handed(tmp_path, finals(1.0, 2.0), problems={0: broken}, smoke=smoke, seeds=2)
    result = seed_spread.check(session)
    expected = ((Outcome.SKIPPED, "prerequisite_failed") if smoke
                else (Outcome.FAIL, "train_failed"))
    assert (result.check, result.outcome, result.reason) == ("seed-spread", *expected)


def test_a_failed_later_seed_is_named_by_its_seed(tmp_path: Path) -> None:
    broken = Problem(Outcome.FAIL, "train_failed", "training exited with 1")
    session = Handed(tmp_path, finals(1.0, 2.0, 3.0), problems={2: broken}, seeds=3)
    result = seed_spread.check(session)
    assert (result.check, result.outcome, result.reason, result.summary) == (
        "seed-spread", Outcome.FAIL, "train_failed", "seed 9 run: training exited with 1")


def test_a_seed_that_never_logged_the_objective_fails(tmp_path: Path) -> None:
    trajectories = finals(1.0, 2.0)
    trajectories[1] = ending(9.0, 0.5, name="acc")
    session = Handed(tmp_path, trajectories, seeds=2)
    result = seed_spread.check(session)
    assert (result.check, result.outcome, result.reason, result.summary) == (
        "seed-spread", Outcome.FAIL, "objective_missing",
        "the seed 8 run never logged `loss` (`tool.mlready.runner.objective`)")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_seed_that_ends_non_finite_fails_with_where(tmp_path: Path, bad: float) -> None:
    table: dict[str, Any] = {"seeds": 2, "step-unit": "epochs"}
    trajectories = finals(1.0, 2.0)
    trajectories[1] = ending(9.0, 8.0, bad)  # the last of three records
    session = Handed(tmp_path, trajectories, **table)
    result = seed_spread.check(session)
    assert (result.check, result.outcome, result.reason, result.summary) == (
        "seed-spread", Outcome.FAIL, "nonfinite_objective",
        f"the seed 8 run ended with loss = {bad} at epoch 3")


def test_the_configured_objective_is_the_one_read(tmp_path: Path) -> None:
    trajectories = {k: Trajectory((Record(1, {"loss": 5.0, "ret": v}),))
                    for k, v in enumerate((1.0, 2.0, 4.0))}
    table: dict[str, Any] = {"seeds": 3, "objective": "ret", "claimed-improvement": 100.0}
    session = Handed(tmp_path, trajectories, **table)
    result = seed_spread.check(session)
    assert result.details["final_by_seed"] == {"7": 1.0, "8": 2.0, "9": 4.0}
    assert result.summary.startswith("3 seeds, final ret after 4 steps: 2.333 ± ")


def test_a_pass_records_every_metric_and_the_finals_by_seed(tmp_path: Path) -> None:
    values = (1.0, 1.5, 2.5)
    result, _ = judged(tmp_path, values, claim=4.0)
    s = spread(list(values))
    assert (result.check, result.outcome, result.reason) == ("seed-spread", Outcome.PASS, None)
    assert result.metrics == {
        "seeds": 3, "mean": s.mean, "std": s.std, "ci_low": s.ci_low, "ci_high": s.ci_high,
        "min": 1.0, "max": 2.5, "claimed_improvement": 4.0, "std_to_claim": s.std / 4.0}
    assert result.details == {"final_by_seed": {"7": 1.0, "8": 1.5, "9": 2.5}, "steps": 4}
    assert result.summary == (f"{shown(values)}: the std is {s.std / 4.0:.2g}x the claimed "
                              "improvement 4")


def test_a_std_equal_to_the_claim_fails(tmp_path: Path) -> None:
    values = (0.0, 1.0, 2.0)  # sample std exactly 1
    assert statistics.stdev(values) == 1.0
    result, _ = judged(tmp_path, values, claim=1.0)
    assert (result.check, result.outcome, result.reason) == (
        "seed-spread", Outcome.FAIL, "spread_exceeds_claim")
    assert result.metrics["std_to_claim"] == 1.0
    assert result.summary == (f"{shown(values)}: the seed-to-seed std is at least as large "
                              "as the claimed improvement 1 (1x): the claim is within seed "
                              "noise")
    assert result.details["final_by_seed"] == {"7": 0.0, "8": 1.0, "9": 2.0}


def test_a_claim_half_the_std_is_named_as_twice_over(tmp_path: Path) -> None:
    result, _ = judged(tmp_path, (0.0, 1.0, 2.0), claim=0.5)
    assert result.metrics["std_to_claim"] == 2.0
    assert result.summary.endswith("the claimed improvement 0.5 (2x): the claim is within "
                                   "seed noise")


def test_a_std_just_under_the_claim_passes(tmp_path: Path) -> None:
    result, _ = judged(tmp_path, (0.0, 1.0, 2.0), claim=1.0000001)
    assert result.outcome is Outcome.PASS


def test_two_seeds_say_the_checklists_ask_for_more(tmp_path: Path) -> None:
    values = (1.0, 3.0)
    result, _ = judged(tmp_path, values, claim=0.0)
    assert (result.check, result.outcome, result.reason) == (
        "seed-spread", Outcome.NOT_APPLICABLE, "no_claim")
    assert result.summary == (f"{shown(values, ' (the checklists ask for 3-5 seeds)')}; "
                              "no `claimed-improvement` to test against it")
    assert result.metrics["std_to_claim"] is None and result.metrics["claimed_improvement"] == 0
    assert result.details == {"final_by_seed": {"7": 1.0, "8": 3.0}, "steps": 4}


def test_three_seeds_are_enough_for_the_checklists(tmp_path: Path) -> None:
    values = (1.0, 3.0, 4.0)
    result, _ = judged(tmp_path, values)
    assert result.summary == f"{shown(values)}; no `claimed-improvement` to test against it"


def test_seeds_that_end_alike_fail_whatever_the_claim(tmp_path: Path) -> None:
    result, _ = judged(tmp_path, (0.5, 0.5, 0.5), claim=0.0)
    assert (result.check, result.outcome, result.reason) == (
        "seed-spread", Outcome.FAIL, "no_spread")
    assert result.summary == ("all 3 seeds ended at loss = 0.5 exactly: the seed does not "
                              "reach the randomness, so their spread says nothing")
    assert result.metrics["std"] == 0.0 and result.metrics["seeds"] == 3
    assert result.details == {"final_by_seed": {"7": 0.5, "8": 0.5, "9": 0.5}, "steps": 4}


def test_seeds_that_differ_only_at_the_end_are_a_spread(tmp_path: Path) -> None:
    # min and max differ though two of the three agree: a spread, judged against the claim
    result, _ = judged(tmp_path, (0.5, 0.5, 0.75), claim=10.0)
    assert result.outcome is Outcome.PASS


@pytest.mark.parametrize(("table", "ids"), [
    ({"seeds": 3, "objective": ""}, ()),  # no objective: nothing to compare, nothing trained
    ({"seeds": 1, "objective": "loss"}, ()),
    ({"seeds": 2, "objective": "loss"}, ()),  # reproducibility's two runs are the two seeds
    ({"seeds": 4, "objective": "loss"}, ("seed_2", "seed_3")),
])
def test_extra_runs_are_the_seeds_beyond_reproducibilitys_two(
        tmp_path: Path, table: dict[str, Any], ids: tuple[str, ...]) -> None:
    """The runs the progress total counts are the runs `check` starts (issue 16: the
    no-objective case is reached only here, `check` returns before it asks)."""
    cfg = from_table({"train": "{python} t.py", "steps": STEPS, "seed": SEED, **table},
                     tmp_path / "pyproject.toml", tmp_path)
    specs = seed_spread.extra_runs(cfg)
    assert tuple(s.id for s in specs) == ids
    assert [s.seed_offset for s in specs] == list(range(2, 2 + len(ids)))
    assert all(s.steps_factor == 1 and s.resume_from is None for s in specs)
