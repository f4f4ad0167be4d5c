"""Synthetic inputs for the resume check's verdict: trajectories, checkpoint contents and
final-checkpoint differences written out by hand, one per verdict the check can give.

Shared by the unit tests (which pin the reason and the facts each verdict rests on) and
the golden test (which pins the exact summaries). No training run, no torch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner import checkpoint_compare
from mlready.gpu_runner.checks import resume
from mlready.gpu_runner.metrics import Record, Trajectory
from mlready.gpu_runner.results import CheckResult

N = 6
SAME = checkpoint_compare.CategoryDiff(compared=4)
FULL = {"model": ["model"], "optimizer": ["optimizer"], "scheduler": ["scheduler"],
        "step": ["step"], "rng": ["rng"], "data": ["sampler"], "config": ["config"]}


def loss(step: int) -> float:
    return 1.0 / (step + 1)


def traj(steps: Iterable[int], shift_from: int | None = None, shift: float = 0.5,
         metric: str = "loss", lr_shift_from: int | None = None,
         shift_to: int | None = None) -> Trajectory:
    """Records ``loss`` (and ``lr``) at ``steps``; from ``shift_from`` (to ``shift_to``)
    on, shifted."""
    records = []
    for s in steps:
        shifted = shift_from is not None and s >= shift_from and (shift_to is None
                                                                   or s <= shift_to)
        value = loss(s) + (shift if shifted else 0.0)
        lr = 0.1 + (0.05 if lr_shift_from is not None and s >= lr_shift_from else 0.0)
        records.append(Record(s, {metric: value, "lr": lr}))
    return Trajectory(tuple(records))


def contents(*lacking: str, extra: dict[str, list[str]] | None = None) -> ckpt.Contents:
    keys = {cat: list(names) for cat, names in FULL.items() if cat not in lacking}
    keys.update(extra or {})
    return ckpt.Contents(size_bytes=1000, keys=keys, step=float(N) if "step" in keys else None,
                         step_key="step" if "step" in keys else None)


def finals(*differ: str, counters: tuple[dict[str, float], dict[str, float]] | None = None,
           also: dict[str, checkpoint_compare.CategoryDiff] | None = None,
           worst: float = 0.25) -> resume.Finals:
    """Final checkpoints equal except in ``differ`` (by ``worst``)."""
    diffs = dict.fromkeys(("model", "optimizer", "rng", "scheduler", "step", "data"), SAME)
    for cat in differ:
        diffs[cat] = checkpoint_compare.CategoryDiff(compared=4, differing=1, max_abs_diff=worst,
                                       first_key=f"{cat}.x")
    diffs.update(also or {})
    same = {"step": 12.0, "optimizer_step": 12.0, "scheduler_epoch": 12.0}
    return resume.Finals(diffs, counters or (same, dict(same)))


@dataclass(frozen=True)
class Case:
    """One verdict: the inputs of `resume.judge`."""

    name: str
    resumed: Trajectory
    src: ckpt.Contents = field(default_factory=contents)
    finals: resume.Finals | str = field(default_factory=finals)
    long: Trajectory = field(default_factory=lambda: traj(range(1, 2 * N + 1)))
    ref: Trajectory = field(default_factory=lambda: traj(range(1, N + 1)))
    names: tuple[str, ...] = ("loss", "lr")
    tolerance: float = 1e-6
    unit: str = "step"

    def judge(self) -> CheckResult:
        return resume.judge(n=N, seed=0, tolerance=self.tolerance, unit=self.unit,
                            names=list(self.names), ref=self.ref, long=self.long,
                            resumed=self.resumed, src=self.src, finals=self.finals)


AFTER = range(N + 1, 2 * N + 1)
REDO = range(N, 2 * N + 1)  # the checkpoint precedes step N's update: N is logged again
COUNT = {"step": 12.0, "optimizer_step": 12.0, "scheduler_epoch": 12.0}

CASES: tuple[Case, ...] = (
    Case("exact", traj(AFTER)),
    Case("exact_redoing_step_n", traj(REDO)),
    Case("within_tolerance", traj(AFTER, shift_from=N + 1, shift=1e-8),
         finals=finals("model", worst=1e-8)),
    Case("exact_epochs", traj(AFTER), unit="epoch"),
    Case("nondeterministic_baseline", traj(AFTER, shift_from=N + 1),
         ref=traj(range(1, N + 1), shift_from=3)),
    Case("missing_optimizer", traj(AFTER, shift_from=N + 1), src=contents("optimizer")),
    Case("missing_rng", traj(AFTER, shift_from=N + 1), src=contents("rng", "data")),
    Case("missing_data_first_step", traj(AFTER, shift_from=N + 1), src=contents("data")),
    Case("missing_data_redoing_step_n", traj(REDO, shift_from=N), src=contents("data")),
    Case("missing_data_later_step", traj(AFTER, shift_from=N + 3), src=contents("data")),
    Case("missing_scheduler", traj(AFTER, shift_from=N + 1, lr_shift_from=N + 1),
         src=contents("scheduler"), finals=finals("scheduler")),
    Case("missing_scaler", traj(AFTER, shift_from=N + 2),
         finals=finals(also={"scaler": checkpoint_compare.CategoryDiff(compared=2, differing=1,
                                                         max_abs_diff=1024.0)})),
    Case("missing_step_counter_restart", traj(range(1, 2 * N + 1), shift_from=1),
         src=contents("step")),
    Case("step_counter_not_restored_restart", traj(range(1, 2 * N + 1), shift_from=1)),
    Case("iter_num_step_restored_by_logs", traj(AFTER, shift_from=N + 2),
         src=contents("step", extra={"other": ["iter_num"]})),
    Case("optimizer_not_restored", traj(AFTER, shift_from=N + 1),
         finals=finals("optimizer", counters=(COUNT, {**COUNT, "optimizer_step": 6.0}))),
    Case("scheduler_counter_not_restored", traj(AFTER, shift_from=N + 2),
         finals=finals("scheduler", counters=(COUNT, {**COUNT, "scheduler_epoch": 6.0}))),
    Case("scheduler_lr_differs", traj(AFTER, shift_from=N + 3, metric="loss",
                                      lr_shift_from=N + 2)),
    Case("scaler_not_restored", traj(AFTER, shift_from=N + 2),
         src=contents(extra={"scaler": ["scaler"]}),
         finals=finals(also={"scaler": checkpoint_compare.CategoryDiff(compared=2, differing=1,
                                                         max_abs_diff=1024.0)})),
    Case("step_counter_saved_not_restored", traj(AFTER, shift_from=N + 2),
         finals=finals("step", counters=(COUNT, {**COUNT, "step": 6.0}))),
    Case("rng_not_restored", traj(AFTER, shift_from=N + 1), finals=finals("rng")),
    Case("data_saved_not_restored", traj(AFTER, shift_from=N + 1), finals=finals("data")),
    Case("data_fallback_first_step", traj(AFTER, shift_from=N + 1)),
    Case("state_outside_checkpoint", traj(AFTER, shift_from=N + 4)),
    Case("no_metrics_after_resume", traj(range(2 * N + 1, 2 * N + 3))),
    Case("metrics_match_final_state_differs", traj(AFTER), finals=finals("model", worst=0.5)),
    Case("corrupted_final_checkpoint_metrics_equal", traj(AFTER),
         finals="corrupted_checkpoint"),
    Case("corrupted_final_checkpoint_metrics_differ", traj(AFTER, shift_from=N + 1),
         finals="corrupted_checkpoint"),
    Case("rng_absent_named_before_data", traj(REDO, shift_from=N),
         src=contents("rng", "data", "step")),
    Case("weights_within_tolerance_metrics_bitwise", traj(AFTER),
         finals=finals("model", worst=1e-9)),
    Case("weights_at_exactly_the_tolerance", traj(AFTER), finals=finals("model", worst=1e-6)),
    Case("weights_differ_more_than_metrics", traj(AFTER, shift_from=N + 1, shift=1e-9),
         finals=finals("model", worst=5e-7)),
    Case("no_compared_metrics_weights_equal", traj(AFTER), names=()),
    Case("no_compared_metrics_weights_differ", traj(AFTER), names=(),
         finals=finals("model", worst=0.5)),
    # The uninterrupted run logs; the resumed one logs nothing (so no name is shared).
    Case("resumed_logged_no_metrics", traj(()), names=()),
    # Nothing compared at all: no shared metric and unreadable final checkpoints.
    Case("no_compared_metrics_finals_unreadable", traj(AFTER), names=(),
         finals="corrupted_checkpoint"),
    Case("nothing_logged_after_the_checkpoint_by_either", traj(()),
         long=traj(range(1, N + 1))),
    Case("resumed_logged_nothing_no_step_counter", traj(()), src=contents("step")),
    Case("baseline_differs_at_step_0", traj(range(N + 1, 2 * N + 1), shift_from=N + 1),
         ref=traj(range(N + 1), shift_from=0, shift_to=0), long=traj(range(2 * N + 1))),
    Case("baseline_misses_a_step_but_agrees", traj(AFTER, shift_from=N + 1),
         long=traj(range(2, 2 * N + 1))),
    Case("lr_differs_and_scheduler_missing", traj(AFTER, shift_from=N + 3,
                                                  lr_shift_from=N + 1),
         src=contents("scheduler"), finals=finals("scheduler")),
    # A checkpoint of step N - 2 (the last of a save every few steps): resumed from there.
    Case("earlier_checkpoint_counter_agrees", traj(range(N - 1, 2 * N + 1)),
         src=replace(contents(), step=float(N - 2))),
    Case("earlier_checkpoint_no_counter", traj(range(N - 1, 2 * N + 1)),
         src=contents("step")),
    Case("earlier_checkpoint_diverges_no_rng", traj(range(N - 1, 2 * N + 1), shift_from=N - 1),
         src=contents("step", "rng")),
    # The counter says N - 2, yet the run logged from step 3: not restored.
    Case("earlier_checkpoint_counter_disagrees", traj(range(3, 2 * N + 1), shift_from=3),
         src=replace(contents(), step=float(N - 2))),
    # A fresh run's first step again, the counter of N - 2 saying where it should have gone.
    Case("earlier_checkpoint_restart", traj(range(1, 2 * N + 1), shift_from=1),
         src=replace(contents(), step=float(N - 2))),
    Case("restart_and_step_counter_ends_different", traj(range(1, 2 * N + 1), shift_from=1),
         finals=finals("step", counters=(COUNT, {**COUNT, "step": 12.0 + N}))),
)
BY_NAME = {case.name: case for case in CASES}
