"""`resume.check` wiring, without a training run: the three runs are handed to a real
`Session` as finished outcomes (what `Session.run` caches), with real checkpoint files
written by ``torch.save``, so that what `check` passes on to `judge` (the runs' problems,
the trajectories, the compared metrics, the final checkpoints' differences and counters)
is pinned down. The end-to-end runs that start processes live in test_checks.py.

Written against the surviving mutants of ``bench/mutation.py`` on checks/resume.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlready.gpu_runner.checks import resume
from mlready.gpu_runner.config import from_table
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.metrics import Trajectory
from mlready.gpu_runner.plan import RUNS
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.session import RunOutcome, Session

from .resume_cases import BY_NAME, N, contents, finals, traj

torch = pytest.importorskip("torch")

AFTER = range(N + 1, 2 * N + 1)


def _state(step: int, opt_step: int) -> dict[str, Any]:
    return {"model": {"w": torch.ones(2)},
            "optimizer": {"state": {0: {"step": torch.tensor(float(opt_step))}},
                          "param_groups": [{"lr": 0.1, "params": [0]}]},
            "step": step}


def _outcome(tmp_path: Path, run_id: str, trajectory: Trajectory, state: Any = None,
             problem: Problem | None = None, raw: bytes | None = None) -> RunOutcome:
    run_dir = tmp_path / run_id
    run_dir.mkdir(exist_ok=True)
    path = run_dir / "checkpoint.pt"
    if raw is not None:
        path.write_bytes(raw)
    elif state is not None:
        torch.save(state, path)
    return RunOutcome(RUNS[run_id.rstrip("2")], run_dir, N, 0, problem=problem,
                      trajectory=trajectory, checkpoints=(path,) if path.exists() else ())


def _session(tmp_path: Path, runs: dict[str, RunOutcome], *, smoke: bool = True,
             **table: Any) -> Session:
    cfg = from_table({"train": "{python} t.py", "resume": {"args": "--resume"},
                      "steps": N, **table}, tmp_path / "pyproject.toml", tmp_path)
    s = Session(cfg, "cpu", tmp_path, Progress(0, enabled=False), smoke_selected=smoke,
                needs_torch=False)
    s._runs.update(runs)  # finished runs, as `Session.run` caches them
    return s


def _three(tmp_path: Path, resumed_opt_step: int = 2 * N,
           resumed_raw: bytes | None = None) -> dict[str, RunOutcome]:
    return {"ref": _outcome(tmp_path, "ref", traj(range(1, N + 1)), _state(N, N)),
            "long": _outcome(tmp_path, "long", traj(range(1, 2 * N + 1)),
                             _state(2 * N, 2 * N)),
            "resumed": _outcome(tmp_path, "resumed", traj(AFTER),
                                _state(2 * N, resumed_opt_step), raw=resumed_raw)}


def test_an_exact_resume_passes_with_the_checkpoints_compared(tmp_path: Path) -> None:
    result = resume.check(_session(tmp_path, _three(tmp_path), compare=["lr"]))
    assert (result.check, result.outcome, result.metrics["tier"]) == (
        "resume", Outcome.PASS, "bitwise")
    assert result.summary == ("resume at step 6 to 12 matches the uninterrupted run: "
                              "metrics and final model/optimizer bitwise identical")
    assert result.details["compared_metrics"] == ["lr"]  # the configured ones only
    assert result.details["final_counters"] == {
        "uninterrupted": {"step": 12.0, "optimizer_step": 12.0},
        "resumed": {"step": 12.0, "optimizer_step": 12.0}}
    assert result.metrics["weights_bitwise"] is True
    assert result.metrics["optimizer_max_abs_diff"] == 0.0


def test_the_objective_leads_the_compared_metrics(tmp_path: Path) -> None:
    result = resume.check(_session(tmp_path, _three(tmp_path), objective="lr"))
    assert result.details["compared_metrics"] == ["lr", "loss"]


def test_an_optimizer_count_that_ends_different_is_named_from_the_counters(
        tmp_path: Path) -> None:
    result = resume.check(_session(tmp_path, _three(tmp_path, resumed_opt_step=N)))
    assert (result.outcome, result.reason) == (Outcome.FAIL, "optimizer_not_restored")
    assert result.summary == (
        "resumed run matches the metrics but its final state differs (max |diff| = 6); "
        "optimizer state is saved but not restored on resume (ends at 6 after resume vs "
        "12 uninterrupted); also checkpoint has no RNG state: random draws after the resume "
        "(dropout, sampling, augmentation) differ")


def test_the_tolerance_and_unit_come_from_the_config(tmp_path: Path) -> None:
    runs = _three(tmp_path, resumed_opt_step=2 * N + 1)  # optimizer differs by 1
    table: dict[str, Any] = {"tolerance": 2.0, "step-unit": "epoch"}
    loose = resume.check(_session(tmp_path, runs, **table))
    assert (loose.outcome, loose.metrics["tier"]) == (Outcome.PASS, "tolerance")
    assert loose.summary.startswith("resume at epoch 6 to 12 matches")


def test_an_unreadable_final_checkpoint_leaves_the_metrics_to_decide(tmp_path: Path) -> None:
    runs = _three(tmp_path, resumed_raw=b"not a checkpoint")
    result = resume.check(_session(tmp_path, runs))
    assert result.outcome is Outcome.PASS
    assert result.details["weights"].startswith("final weights not compared (")
    assert "weights_bitwise" not in result.metrics


@pytest.mark.parametrize("smoke", [True, False])
def test_a_failed_first_run_is_a_prerequisite(tmp_path: Path, smoke: bool) -> None:
    broken = Problem(Outcome.FAIL, "train_failed", "training exited with 1")
    runs = {"ref": _outcome(tmp_path, "ref", Trajectory(), problem=broken)}
    result = resume.check(_session(tmp_path, runs, smoke=smoke))
    assert result.check == "resume"
    if smoke:
        assert (result.outcome, result.reason) == (Outcome.SKIPPED, "prerequisite_failed")
    else:
        assert (result.outcome, result.reason, result.summary) == (
            Outcome.FAIL, "train_failed", "training exited with 1")


def test_a_failed_long_run_is_named_with_its_length(tmp_path: Path) -> None:
    broken = Problem(Outcome.FAIL, "train_failed", "training exited with 1")
    runs = _three(tmp_path)
    runs["long"] = _outcome(tmp_path, "long2", Trajectory(), problem=broken)
    result = resume.check(_session(tmp_path, runs))
    assert (result.check, result.reason) == ("resume", "train_failed")
    assert result.summary == "uninterrupted 12-steps run: training exited with 1"


def test_a_failed_resumed_run_is_reported_as_it_is(tmp_path: Path) -> None:
    broken = Problem(Outcome.ERROR, "resume_failed", "resume exited with 2")
    runs = _three(tmp_path)
    runs["resumed"] = _outcome(tmp_path, "resumed2", Trajectory(), problem=broken)
    result = resume.check(_session(tmp_path, runs))
    assert (result.check, result.outcome, result.summary) == (
        "resume", Outcome.ERROR, "resume exited with 2")


def test_an_unreadable_first_checkpoint_cannot_resume(tmp_path: Path) -> None:
    runs = _three(tmp_path)
    runs["ref"] = _outcome(tmp_path, "ref2", traj(range(1, N + 1)), raw=b"garbage")
    result = resume.check(_session(tmp_path, runs))
    assert (result.check, result.outcome) == ("resume", Outcome.FAIL)
    assert result.summary.startswith("cannot resume: ")


def test_a_counter_named_only_by_its_logged_value_is_the_step(tmp_path: Path) -> None:
    # `env_steps_done` is no known counter name: it is the step because its value is the
    # last step the first run logged, which `check` passes on to the classification.
    runs = _three(tmp_path)
    state = _state(N, N)
    state["env_steps_done"] = state.pop("step")
    runs["ref"] = _outcome(tmp_path, "ref2", traj(range(1, N + 1)), state)
    result = resume.check(_session(tmp_path, runs))
    assert result.details["checkpoint_step_key"] == "env_steps_done"


# -- judge and diagnose: the facts each verdict records ---------------------------------

def test_every_verdict_records_the_resume_and_final_steps() -> None:
    for case in BY_NAME.values():
        result = case.judge()
        # A checkpoint of step N - 2 that the resumed run continued from is resumed there.
        at = N - 2 if case.name in ("earlier_checkpoint_counter_agrees",
                                    "earlier_checkpoint_no_counter",
                                    "earlier_checkpoint_diverges_no_rng") else N
        assert (result.check, result.metrics["resume_step"], result.metrics["final_step"]) \
            == ("resume", at, 2 * N), case.name


def test_the_final_state_differences_are_recorded_per_category() -> None:
    case = BY_NAME["optimizer_not_restored"]
    result = case.judge()
    assert result.metrics["optimizer_max_abs_diff"] == 0.25
    assert result.metrics["step_max_abs_diff"] == 0.0
    step = BY_NAME["step_counter_saved_not_restored"].judge()
    assert step.metrics["step_max_abs_diff"] == 0.25


def test_a_saved_scaler_that_ends_equal_is_no_cause() -> None:
    from mlready.gpu_runner import checkpoint_compare

    from .resume_cases import Case

    same_scaler = finals(also={"scaler": checkpoint_compare.CategoryDiff(compared=2)})
    case = Case("x", traj(AFTER, shift_from=N + 3),
                src=contents(extra={"scaler": ["scaler"]}), finals=same_scaler)
    assert [c["code"] for c in case.judge().details["causes"]] == ["state_not_in_checkpoint"]
