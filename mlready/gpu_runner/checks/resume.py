"""resume: N steps, then a resume for N more in a fresh process, equals 2N steps straight.

Compares the metrics after the resume point, the final weights and the optimizer
state against an uninterrupted 2N-step run. When they differ it reports the first
diverging step and by how much, and names the likely cause from two kinds of
evidence: what the resumed-from checkpoint holds and lacks, and which progress
counters (step, optimizer step, scheduler epoch, RNG state) disagree at the end,
which tells "never saved" from "saved but not restored".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner.checks._common import fmt, prerequisite
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.checks.reproducibility import state_summary
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.metrics import Divergence, comparable, compare
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import RunOutcome, Session

ID = "resume"
TITLE = "resuming from a checkpoint continues exactly"
ORDER = 50
NEEDS = ("ref", "long", "resumed")
CATEGORY = "reproducibility"  # "can resume training seamlessly from checkpoint"
LOADS_CHECKPOINTS = True
REQUIRES = ("resume",)
REASONS = {
    "not_configured": Reason(Outcome.NOT_APPLICABLE),
    "nondeterministic_baseline": Reason(Outcome.SKIPPED,
                                        "fresh same-seed runs already differ"),
    **{code: Reason(Outcome.FAIL) for code in (  # the likely causes, first one named
        "missing_optimizer_state", "missing_step_counter", "missing_rng_state",
        "missing_scheduler_state", "missing_scaler_state", "missing_data_position",
        "step_counter_not_restored", "optimizer_not_restored", "scheduler_not_restored",
        "scaler_not_restored", "rng_not_restored", "data_order_not_restored",
        "state_not_in_checkpoint")},
}
VERDICT = (
    "`resumed` vs `long` for steps N+1..2N and final state; on a difference: first diverging "
    "step and |diff|, and the likely cause from what the resumed-from checkpoint lacks and "
    "which progress counters disagree at the end (step, optimizer step count, scheduler "
    "epoch, RNG state, data position): \"never saved\" vs \"saved but not restored\". "
    "`skipped` (`nondeterministic_baseline`) when `ref` and `long` differ before step N "
    "(resume exactness cannot be judged without a reproducible baseline).")
METRICS = dict.fromkeys((
    "tier", "resume_step", "final_step", "compared_points", "max_abs_diff_after_resume",
    "first_divergence_step", "first_divergence_abs_diff", "resumed_first_logged_step",
    "weights_bitwise", "weights_max_abs_diff", "optimizer_max_abs_diff", "rng_max_abs_diff",
    "scheduler_max_abs_diff", "step_max_abs_diff"), "") | {"resume_step": "N",
                                                           "final_step": "2N"}
STATE = ("model", "optimizer")


@dataclass(frozen=True)
class Cause:
    code: str
    text: str


def _load(session: Session, run: RunOutcome) -> tuple[Any, ckpt.Contents] | Problem:
    found = session.single_checkpoint(run)
    if isinstance(found, Problem):
        return found
    try:
        obj = session.load(found)
    except ckpt.CheckpointError as exc:
        return Problem(Outcome.ERROR if exc.outcome_is_error else Outcome.FAIL,
                       exc.result_reason, exc.message)
    return obj, ckpt.classify(obj, found.stat().st_size)


def check(session: Session) -> CheckResult:
    cfg = session.config
    if cfg.resume is None:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="not_configured",
                           summary="no resume command configured (`tool.mlready.runner.resume`"
                                   ": a template, {args = ...} or {env = {...}})")
    n = cfg.steps
    ref = session.run("ref")
    blocked = prerequisite(ID, ref, session.smoke_selected)
    if blocked is not None:
        return blocked
    source = _load(session, ref)
    if isinstance(source, Problem):
        return source.result(ID, "cannot resume: ")
    _, src = source
    long = session.run("long")
    if long.problem is not None:
        return long.problem.result(ID, f"uninterrupted {2 * n}-step run: ")
    resumed = session.run("resumed")
    if resumed.problem is not None:
        return resumed.problem.result(ID)
    metrics: dict[str, Scalar] = {"resume_step": n, "final_step": 2 * n}
    details: dict[str, Any] = {"checkpoint_keys": src.keys}
    names = comparable(long.trajectory, resumed.trajectory, cfg.compare, cfg.objective)
    details["compared_metrics"] = names
    first_logged = ref.trajectory.first_step or 1
    base = compare(ref.trajectory, long.trajectory, names, cfg.tolerance, (first_logged, n))
    after = compare(long.trajectory, resumed.trajectory, names, cfg.tolerance, (n + 1, 2 * n))
    metrics.update({"compared_points": after.compared_points,
                    "max_abs_diff_after_resume": after.max_abs_diff,
                    "first_divergence_step": after.first_step,
                    "first_divergence_abs_diff": after.first_diff})
    restarted = resumed.trajectory.first_step is not None and resumed.trajectory.first_step <= n
    metrics["resumed_first_logged_step"] = resumed.trajectory.first_step

    finals = [_load(session, run) for run in (long, resumed)]
    diffs: dict[str, ckpt.CategoryDiff] | None = None
    counters: tuple[dict[str, float], dict[str, float]] | None = None
    w_bitwise: bool | None = None
    w_worst: float | None = None
    for final in finals:
        if isinstance(final, Problem):
            details["weights"] = f"final weights not compared ({final.reason})"
    if not any(isinstance(f, Problem) for f in finals):
        (long_obj, _), (res_obj, _) = finals  # type: ignore[misc]
        diffs = ckpt.compare(long_obj, res_obj)
        counters = (ckpt.counters(long_obj), ckpt.counters(res_obj))
        w_bitwise, w_worst = state_summary(diffs, STATE)
        metrics.update({"weights_bitwise": w_bitwise, "weights_max_abs_diff": w_worst})
        for cat in ("optimizer", "rng", "scheduler", "step"):
            if cat in diffs:
                metrics[f"{cat}_max_abs_diff"] = diffs[cat].max_abs_diff
        details["final_counters"] = {"uninterrupted": counters[0], "resumed": counters[1]}

    traj_ok = (not names or after.within_tolerance) and not restarted
    if names and after.compared_points == 0 and not restarted:
        traj_ok = False
    weights_ok = w_worst is None or w_worst <= cfg.tolerance
    if traj_ok and weights_ok:
        tier = "bitwise" if after.bitwise and (w_bitwise is None or w_bitwise) else "tolerance"
        metrics["tier"] = tier
        same = "bitwise identical" if tier == "bitwise" else \
            f"equal within tolerance (max |diff| {fmt(max(after.max_abs_diff, w_worst or 0))})"
        what = "metrics and final model/optimizer" if w_worst is not None else "metrics"
        return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, details=details,
                           summary=f"resume at step {n} to {2 * n} matches the uninterrupted "
                                   f"run: {what} {same}")
    metrics["tier"] = "differ"
    if not base.within_tolerance and base.first_step is not None:
        # Not a resume failure: with no reproducible baseline, exactness cannot be judged
        # (the reproducibility check reports the cause).
        return CheckResult(check=ID, outcome=Outcome.SKIPPED, reason="nondeterministic_baseline",
                           metrics=metrics, details=details,
                           summary=f"cannot judge resume: two fresh runs with seed {cfg.seed} "
                                   f"already differ at step {base.first_step} "
                                   f"(|diff| = {fmt(base.first_diff)}); fix reproducibility "
                                   "first")
    causes = diagnose(src, diffs, counters, after, restarted, n)
    details["causes"] = [{"code": c.code, "text": c.text} for c in causes]
    head = _headline(after, restarted, resumed, w_worst, n)
    also = f"; also {causes[1].text}" if len(causes) > 1 else ""
    return CheckResult(check=ID, outcome=Outcome.FAIL, reason=causes[0].code, metrics=metrics,
                       details=details, summary=f"{head}; {causes[0].text}{also}")


def _headline(after: Divergence, restarted: bool, resumed: RunOutcome,
              w_worst: float | None, n: int) -> str:
    if restarted:
        return (f"resumed run logged from step {resumed.trajectory.first_step} instead of "
                f"{n + 1}")
    if after.first_step is not None:
        return (f"resumed run diverges at step {after.first_step} "
                f"(|diff {after.first_metric}| = {fmt(after.first_diff)})")
    if after.compared_points == 0:
        return f"resumed run logged no metrics for steps {n + 1}..{2 * n}"
    return (f"resumed run matches the metrics but its final state differs "
            f"(max |diff| = {fmt(w_worst)})")


def diagnose(src: ckpt.Contents, diffs: dict[str, ckpt.CategoryDiff] | None,
             counters: tuple[dict[str, float], dict[str, float]] | None,
             after: Divergence, restarted: bool, n: int) -> list[Cause]:
    """Likely causes, most likely first: missing state, then state saved but not restored,
    then what the trajectory alone suggests."""
    causes: list[Cause] = []
    flagged: set[str] = set()

    def add(category: str, code: str, text: str) -> None:
        if category not in flagged:
            flagged.add(category)
            causes.append(Cause(code, text))

    uses_scheduler = diffs is not None and "scheduler" in diffs
    if not src.has("optimizer"):
        add("optimizer", "missing_optimizer_state", "checkpoint has no optimizer state: "
            "optimizer moments (e.g. Adam's) restart from zero")
    if not src.has("step"):
        add("step", "missing_step_counter", "checkpoint has no step counter: the resumed run "
            "cannot know where it stopped")
    if not src.has("rng"):
        add("rng", "missing_rng_state", "checkpoint has no RNG state: random draws after "
            "the resume (dropout, sampling, augmentation) differ")
    if not src.has("scheduler") and uses_scheduler:
        add("scheduler", "missing_scheduler_state", "checkpoint has no scheduler state: the "
            "learning-rate schedule restarts")
    if not src.has("scaler") and diffs is not None and "scaler" in diffs:
        add("scaler", "missing_scaler_state", "checkpoint has no grad scaler state: the AMP "
            "loss scale restarts from its initial value")
    if restarted:
        add("step", "step_counter_not_restored", "the step counter is not restored from the "
            "checkpoint, so the run starts over")
    if counters is not None:
        long_c, res_c = counters
        for key, category, code, what in (
            ("step", "step", "step_counter_not_restored", "step counter"),
            ("optimizer_step", "optimizer", "optimizer_not_restored", "optimizer state"),
            ("scheduler_epoch", "scheduler", "scheduler_not_restored", "scheduler state"),
        ):
            if key in long_c and key in res_c and long_c[key] != res_c[key]:
                add(category, code, f"{what} is saved but not restored on resume (ends at "
                    f"{res_c[key]:g} after resume vs {long_c[key]:g} uninterrupted)")
    if diffs is not None and "scaler" in diffs and not diffs["scaler"].bitwise \
            and src.has("scaler"):
        add("scaler", "scaler_not_restored", "grad scaler state is saved but not restored on "
            "resume: the AMP loss scale differs")
    if diffs is not None and "rng" in diffs and not diffs["rng"].bitwise and src.has("rng"):
        add("rng", "rng_not_restored", "RNG state is saved but not restored on resume: the "
            "random stream after the resume differs")
    if not src.has("data") and after.first_step == n + 1 and not restarted:
        add("data", "missing_data_position", "checkpoint holds no data position (sampler "
            "epoch/offset, loader generator): the data stream restarts after the resume")
    if diffs is not None and "data" in diffs and not diffs["data"].bitwise and src.has("data"):
        add("data", "data_order_not_restored", "the data position (sampler / loader state) is "
            "saved but not restored on resume: batches after the resume differ")
    if after.first_metric is not None and "lr" in after.first_metric.lower():
        add("scheduler", "scheduler_not_restored", "the learning rate differs after resume: "
            "the scheduler state is not restored")
    if not causes:
        if after.first_step == n + 1:
            saved = "" if src.has("data") else " (the checkpoint holds no data position)"
            causes.append(Cause("data_order_not_restored", "the first step after resume "
                                "already differs although model, optimizer, RNG and step are "
                                f"restored: data order / sampler position likely restarts"
                                f"{saved}"))
        else:
            causes.append(Cause("state_not_in_checkpoint", "differs later despite the saved "
                                "state: something outside the checkpoint (sampler position, "
                                "grad scaler, a nondeterministic op) changes the run"))
    return causes
