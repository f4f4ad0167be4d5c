"""The resume check's verdicts as pure functions of synthetic inputs: every cause, the
baseline skip, the tolerance pass, an unreadable final checkpoint and the not-applicable
results. Fast (no training run); the end-to-end runs live in test_checks.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner.checks import resume
from mlready.gpu_runner.checks.checkpoint import no_checkpoint_result
from mlready.gpu_runner.config import from_table
from mlready.gpu_runner.metrics import Divergence
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.session import Session

from .resume_cases import BY_NAME, CASES, Case, N, contents, finals, traj

GOLDEN = Path(__file__).parent / "data" / "resume_summaries.golden.txt"


def causes(name: str) -> list[str]:
    return [c["code"] for c in BY_NAME[name].judge().details["causes"]]


@pytest.mark.parametrize(("name", "expected"), [
    ("missing_optimizer", ["missing_optimizer_state"]),
    ("missing_rng", ["missing_rng_state", "missing_data_position"]),
    ("missing_data_first_step", ["missing_data_position"]),
    ("missing_data_redoing_step_n", ["missing_data_position"]),
    ("missing_data_later_step", ["state_not_in_checkpoint"]),
    ("missing_scheduler", ["missing_scheduler_state"]),
    ("missing_scaler", ["missing_scaler_state"]),
    ("missing_step_counter_restart", ["missing_step_counter"]),
    ("step_counter_not_restored_restart", ["step_counter_not_restored"]),
    ("iter_num_step_restored_by_logs", ["state_not_in_checkpoint"]),
    ("optimizer_not_restored", ["optimizer_not_restored"]),
    ("scheduler_counter_not_restored", ["scheduler_not_restored"]),
    ("scheduler_lr_differs", ["scheduler_not_restored"]),
    ("scaler_not_restored", ["scaler_not_restored"]),
    ("step_counter_saved_not_restored", ["step_counter_not_restored"]),
    ("rng_not_restored", ["rng_not_restored"]),
    ("data_saved_not_restored", ["data_order_not_restored"]),
    ("data_fallback_first_step", ["data_order_not_restored"]),
    ("state_outside_checkpoint", ["state_not_in_checkpoint"]),
    ("no_metrics_after_resume", ["resumed_metrics_missing"]),
    ("metrics_match_final_state_differs", ["state_not_in_checkpoint"]),
    ("rng_absent_named_before_data", ["missing_rng_state", "missing_data_position"]),
    ("no_compared_metrics_weights_differ", ["state_not_in_checkpoint"]),
    ("nothing_logged_after_the_checkpoint_by_either", ["resumed_metrics_missing"]),
    ("resumed_logged_nothing_no_step_counter", ["missing_step_counter"]),
    ("baseline_misses_a_step_but_agrees", ["data_order_not_restored"]),
    # One cause per category, the strongest: never "missing" and "not restored" both.
    ("lr_differs_and_scheduler_missing", ["missing_scheduler_state"]),
    ("restart_and_step_counter_ends_different", ["step_counter_not_restored"]),
    ("earlier_checkpoint_diverges_no_rng", ["missing_rng_state"]),
    ("earlier_checkpoint_counter_disagrees", ["step_counter_not_restored"]),
    ("earlier_checkpoint_restart", ["step_counter_not_restored"]),
])
def test_each_cause_is_named_first(name: str, expected: list[str]) -> None:
    result = BY_NAME[name].judge()
    assert (result.outcome, result.reason) == (Outcome.FAIL, expected[0])
    assert causes(name) == expected
    assert result.metrics["tier"] == "differ"


def test_saved_state_that_ends_different_outranks_what_the_checkpoint_lacks() -> None:
    # The optimizer's count ended wrong (direct evidence) and the RNG is absent too.
    case = Case("x", traj(range(N + 1, 2 * N + 1), shift_from=N + 1), src=contents("rng"),
                finals=finals("optimizer", "scheduler", counters=(
                    {"optimizer_step": 12.0, "scheduler_epoch": 12.0},
                    {"optimizer_step": 6.0, "scheduler_epoch": 6.0})))
    got = [c["code"] for c in case.judge().details["causes"]]
    assert got == ["optimizer_not_restored", "scheduler_not_restored", "missing_rng_state"]


def test_a_counter_that_is_not_saved_is_never_called_not_restored() -> None:
    # Scheduler absent from the checkpoint, so its epoch differs at the end: "missing".
    case = Case("x", traj(range(N + 1, 2 * N + 1), shift_from=N + 2),
                src=contents("scheduler"),
                finals=finals("scheduler", counters=({"scheduler_epoch": 12.0},
                                                     {"scheduler_epoch": 6.0})))
    assert case.judge().reason == "missing_scheduler_state"


def test_pre_update_checkpoint_is_compared_from_the_step_logged_again() -> None:
    result = BY_NAME["missing_data_redoing_step_n"].judge()
    assert result.metrics["first_compared_step"] == N
    assert result.metrics["first_divergence_step"] == N
    assert result.metrics["resumed_first_logged_step"] == N
    exact = BY_NAME["exact_redoing_step_n"].judge()
    assert exact.outcome is Outcome.PASS and exact.metrics["compared_points"] == 2 * (N + 1)


@pytest.mark.parametrize(("n", "resumed_first", "start"), [
    (6, 7, 7), (6, 6, 6), (6, 1, 7), (6, 5, 7), (6, None, 7), (6, 10, 7), (20, 25, 21)])
def test_compare_from(n: int, resumed_first: int | None, start: int) -> None:
    assert resume.compare_from(n, resumed_first) == start


def test_restart_is_only_a_step_before_the_checkpoint() -> None:
    div = Divergence(0, 0.0, True, True)
    ev = resume.Evidence(N, contents(), div, N + 1, N - 1)
    assert ev.restarted and not ev.redid_step
    again = resume.Evidence(N, contents(), div, N, N)
    assert not again.restarted and again.redid_step


def test_equal_within_tolerance_passes_and_says_so() -> None:
    result = BY_NAME["within_tolerance"].judge()
    assert (result.outcome, result.metrics["tier"]) == (Outcome.PASS, "tolerance")
    assert result.summary.endswith("equal within tolerance (max |diff| 1.00e-08)")
    bitwise = BY_NAME["exact"].judge()
    assert (bitwise.outcome, bitwise.metrics["tier"]) == (Outcome.PASS, "bitwise")
    # Beyond the tolerance the same shift fails.
    strict = Case("x", traj(range(N + 1, 2 * N + 1), shift_from=N + 1, shift=1e-8),
                  finals=finals("model", worst=1e-8), tolerance=1e-9).judge()
    assert strict.outcome is Outcome.FAIL


@pytest.mark.parametrize(("name", "tier", "shown"), [
    ("exact", "bitwise", None),
    ("within_tolerance", "tolerance", "1.00e-08"),
    ("weights_within_tolerance_metrics_bitwise", "tolerance", "1.00e-09"),
    ("weights_at_exactly_the_tolerance", "tolerance", "1.00e-06"),
    ("weights_differ_more_than_metrics", "tolerance", "5.00e-07"),  # the larger of the two
    ("no_compared_metrics_weights_equal", "bitwise", None),
    ("corrupted_final_checkpoint_metrics_equal", "bitwise", None),
])
def test_pass_tiers(name: str, tier: str, shown: str | None) -> None:
    result = BY_NAME[name].judge()
    assert (result.outcome, result.metrics["tier"]) == (Outcome.PASS, tier)
    if shown is not None:
        assert f"equal within tolerance (max |diff| {shown})" in result.summary


def test_pass_records_what_was_compared() -> None:
    result = BY_NAME["exact"].judge()
    assert (result.metrics["weights_bitwise"], result.metrics["weights_max_abs_diff"]) == (
        True, 0.0)
    assert result.metrics["compared_points"] == 2 * N
    assert result.details["checkpoint_step_key"] == "step"
    assert result.details["final_counters"]["resumed"]["step"] == 12.0
    bare = Case("x", traj(range(N + 1, 2 * N + 1)), src=contents("step")).judge()
    assert "checkpoint_step_key" not in bare.details


def test_nondeterministic_baseline_is_skipped_not_failed() -> None:
    result = BY_NAME["nondeterministic_baseline"].judge()
    assert (result.outcome, result.reason) == (Outcome.SKIPPED, "nondeterministic_baseline")
    assert "causes" not in result.details
    # Step 0 is part of the baseline; a step the long run did not log is no difference.
    zero = BY_NAME["baseline_differs_at_step_0"].judge()
    assert (zero.outcome, zero.reason) == (Outcome.SKIPPED, "nondeterministic_baseline")
    assert "already differ at step 0 " in zero.summary
    assert BY_NAME["baseline_misses_a_step_but_agrees"].judge().outcome is Outcome.FAIL


def test_unreadable_final_checkpoint() -> None:
    # What `resume.check` passes on when `ckpt.load` raises on a final checkpoint (the
    # loading itself is tested in test_checkpoint.py, with torch).
    reason = ckpt.CheckpointError("corrupted", "checkpoint.pt cannot be read: ...").result_reason
    assert reason == "corrupted_checkpoint"
    same = Case("x", traj(range(N + 1, 2 * N + 1)), finals=reason).judge()
    assert same.outcome is Outcome.PASS
    assert same.details["weights"] == "final weights not compared (corrupted_checkpoint)"
    assert "weights_bitwise" not in same.metrics
    assert same.summary.endswith("; final checkpoints not compared (corrupted_checkpoint)")
    differ = BY_NAME["corrupted_final_checkpoint_metrics_differ"].judge()
    assert (differ.outcome, differ.reason) == (Outcome.FAIL, "data_order_not_restored")


def session(tmp_path: Path, **table: object) -> Session:
    cfg = from_table({"train": "{python} t.py", **table}, tmp_path / "pyproject.toml",
                     tmp_path)
    return Session(cfg, "cpu", tmp_path, Progress(0, enabled=False), needs_torch=False)


def test_not_configured_starts_nothing(tmp_path: Path) -> None:
    s = session(tmp_path)
    result = resume.check(s)
    assert (result.outcome, result.reason) == (Outcome.NOT_APPLICABLE, "not_configured")
    assert result.summary == resume.NOT_CONFIGURED_SUMMARY
    assert s.records == [] and s.cached("ref") is None


def test_headline_units_and_texts() -> None:
    epochs = Case("x", traj(range(N, 2 * N + 1), shift_from=N), src=contents("data"),
                  unit="epoch").judge()
    assert epochs.summary.startswith("resumed run diverges at epoch 6 (|diff loss| = 0.5; it "
                                     "logs epoch 6 again: the checkpoint precedes that "
                                     "epoch's update); ")


def _render() -> str:
    gap = no_checkpoint_result("resume")
    lines = ["not_configured: not_applicable not_configured\n"
             f"  {resume.NOT_CONFIGURED_SUMMARY}\n",
             f"no_checkpoint: {gap.outcome.value} {gap.reason}\n  {gap.summary}\n"]
    for case in CASES:
        result = case.judge()
        lines.append(f"{case.name}: {result.outcome.value} {result.reason}\n"
                     f"  {result.summary}\n")
    return "".join(lines)


def test_summaries_golden() -> None:
    """Every user-visible resume summary; MLREADY_UPDATE_GOLDEN=1 rewrites the file."""
    text = _render()
    if os.environ.get("MLREADY_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert GOLDEN.read_text() == text


@pytest.mark.parametrize(("name", "at", "start"), [
    ("earlier_checkpoint_counter_agrees", N - 2, N - 1),
    ("earlier_checkpoint_no_counter", N - 2, N - 1),  # the step before the first logged
    ("earlier_checkpoint_diverges_no_rng", N - 2, N - 1),
    ("earlier_checkpoint_counter_disagrees", N, N + 1),  # a restart, judged against N
    ("exact", N, N + 1),
    ("exact_redoing_step_n", N, N),
])
def test_the_resume_point_is_where_the_checkpoint_was_written(name: str, at: int,
                                                              start: int) -> None:
    result = BY_NAME[name].judge()
    assert (result.metrics["resume_step"], result.metrics["first_compared_step"]) == (at, start)


def test_a_restart_names_the_step_only_where_the_checkpoint_says_it() -> None:
    assert BY_NAME["earlier_checkpoint_restart"].judge().summary.startswith(
        f"resumed run logged from step 1 instead of {N - 1}; ")
    assert BY_NAME["missing_step_counter_restart"].judge().summary.startswith(
        "resumed run logged from step 1, where a fresh run starts, instead of continuing "
        "after its checkpoint; ")
