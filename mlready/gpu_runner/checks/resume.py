"""resume: N steps, then a resume for N more in a fresh process, equals 2N steps straight.

Compares the metrics after the resume point, the final weights and the optimizer
state against an uninterrupted 2N-step run. When they differ it reports the first
diverging step and by how much, and names the likely cause from two kinds of
evidence: what the resumed-from checkpoint holds and lacks, and which progress
counters (step, optimizer step, scheduler epoch, RNG state) disagree at the end,
which tells "never saved" from "saved but not restored".

Where the comparison starts is read from the resumed run's own log: a checkpoint
written before step N's update makes the resumed run log step N again, and that
step is where its data position or RNG shows first, so it is compared too. The
checkpoint need not be of step N: a script that saves every k steps leaves its last
save before the end, and a resumed run that logs from after where a fresh run starts,
but before N, continued from that save (`resume_point`; its step counter, when it has
one, must agree). Only a resumed run that logs where a fresh run starts, or at a step
its checkpoint's counter does not lead to, started over; without a counter nothing says
which step it should have logged, and the summary does not name one.

`judge` holds every verdict as a pure function of the three trajectories, what the
checkpoint holds and how the final checkpoints differ, so that the unit tests can
pin each verdict down without a training run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner import checkpoint_compare, launch, outside
from mlready.gpu_runner.checks._common import fmt, prerequisite
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.checks.checkpoint import no_checkpoint_result
from mlready.gpu_runner.checks.reproducibility import state_summary
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.metrics import (
    Divergence,
    Trajectory,
    comparable,
    compare,
    unnumbered_summary,
)
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
    "no_checkpoint": Reason(Outcome.NOT_APPLICABLE, "as for checkpoint"),
    "unnumbered_metrics": Reason(Outcome.NOT_MEASURED, "the metrics carry no step, so the "
                                                       "resumed run cannot be lined up"),
    "nondeterministic_baseline": Reason(Outcome.SKIPPED,
                                        "fresh same-seed runs already differ"),
    "nothing_to_compare": Reason(Outcome.FAIL, "no shared metrics, and the final "
                                               "checkpoints could not be compared"),
    "resume_input_shared": Reason(Outcome.ERROR, "the resume command does not name "
                                                 "{checkpoint}, and runs share the file"),
    # The likely causes (`details.causes`, strongest evidence first; the first is `reason`).
    **{code: Reason(Outcome.FAIL) for code in (
        "resumed_metrics_missing", "missing_optimizer_state", "missing_step_counter",
        "missing_rng_state",
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
    "scheduler_max_abs_diff", "step_max_abs_diff"), "") | {
        "resume_step": "N, or the step of an earlier checkpoint the resumed run continued from",
        "final_step": "2N"}
STATE = ("model", "optimizer")
NOT_CONFIGURED_SUMMARY = ("no resume command configured (`tool.mlready.runner.resume`: a "
                          "template, {args = ...} or {env = {...}})")


@dataclass(frozen=True)
class Cause:
    code: str
    text: str


@dataclass(frozen=True)
class Finals:
    """How the resumed run's final checkpoint differs from the uninterrupted run's."""

    diffs: dict[str, checkpoint_compare.CategoryDiff]
    counters: tuple[dict[str, float], dict[str, float]]  # (uninterrupted, resumed)


@dataclass(frozen=True)
class Evidence:
    """What the diagnosis reads: plain values, no runs or files."""

    n: int  # the step the resumed run continued after (`resume_point`)
    src: ckpt.Contents  # what the resumed-from checkpoint holds
    after: Divergence  # uninterrupted vs resumed, from `start` to 2N
    start: int  # the first step compared after the checkpoint
    resumed_first: int | None  # the first step the resumed run logged
    finals: Finals | None = None  # None: the final checkpoints were not compared
    weights_worst: float | None = None  # max |diff| of the final model + optimizer
    unit: str = "step"
    has_metrics: bool = True  # some metric is logged by both runs (else: weights only)

    @property
    def restarted(self) -> bool:
        """The resumed run logged a step before the checkpoint's: it started over."""
        return self.resumed_first is not None and self.resumed_first < self.n

    @property
    def expected_first(self) -> int | None:
        """The step an exact resume logs first, when the checkpoint says which: its
        counter, when it is of step N or earlier (a counter beyond N counts something
        else: examples, micro-batches). None without one: the script may have saved at
        any step up to N."""
        step = self.src.step
        if step is None or step > self.n or step != int(step):
            return None
        return int(step) + 1

    @property
    def redid_step(self) -> bool:
        """The resumed run logged step N again: the checkpoint precedes N's update."""
        return self.resumed_first == self.n

    @property
    def diffs(self) -> dict[str, checkpoint_compare.CategoryDiff]:
        return self.finals.diffs if self.finals is not None else {}

    def differs(self, category: str) -> bool:
        return category in self.diffs and not self.diffs[category].bitwise


def _load(session: Session, run: RunOutcome,
          logged_step: int | None) -> tuple[Any, ckpt.Contents] | Problem:
    found = session.single_checkpoint(run)
    if isinstance(found, Problem):
        return found
    try:
        obj = session.load(found)
    except ckpt.CheckpointError as exc:
        return Problem(Outcome.ERROR if exc.outcome_is_error else Outcome.FAIL,
                       exc.result_reason, exc.message)
    return obj, ckpt.classify(obj, found.stat().st_size, logged_step)


def check(session: Session) -> CheckResult:
    cfg = session.config
    if not cfg.writes_checkpoint:
        return no_checkpoint_result(ID)
    if cfg.resume is None:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="not_configured",
                           summary=NOT_CONFIGURED_SUMMARY)
    ref = session.run("ref")
    blocked = prerequisite(ID, ref, session.smoke_selected)
    if blocked is not None:
        return blocked
    if ref.trajectory.unnumbered:  # its records cannot be placed after the checkpoint
        return CheckResult(check=ID, outcome=Outcome.NOT_MEASURED,
                           reason="unnumbered_metrics",
                           summary=unnumbered_summary(cfg.metrics_regex is not None))
    source = _load(session, ref, ref.trajectory.last_step)
    if isinstance(source, Problem):
        return source.result(ID, "cannot resume: ")
    _, src = source
    shared = _shared_input(session, ref)
    if shared is not None:
        return shared
    long = session.run("long")
    if long.problem is not None:
        return long.problem.result(ID, f"uninterrupted {2 * cfg.steps}-{cfg.unit_plural} "
                                       "run: ")
    resumed = session.run("resumed")
    if resumed.problem is not None:
        return resumed.problem.result(ID)
    finals: Finals | str
    loaded = [_load(session, run, run.trajectory.last_step) for run in (long, resumed)]
    problems = [f for f in loaded if isinstance(f, Problem)]
    if problems:
        finals = problems[0].reason
    else:
        (long_obj, _), (res_obj, _) = loaded  # type: ignore[misc]
        finals = Finals(checkpoint_compare.compare(long_obj, res_obj),
                        (ckpt.counters(long_obj, long.trajectory.last_step),
                         ckpt.counters(res_obj, resumed.trajectory.last_step)))
    return judge(n=cfg.steps, seed=cfg.seed, tolerance=cfg.tolerance, unit=cfg.unit,
                 names=comparable(long.trajectory, resumed.trajectory, cfg.compare,
                                  cfg.objective),
                 ref=ref.trajectory, long=long.trajectory, resumed=resumed.trajectory,
                 src=src, finals=finals)


def _shared_input(session: Session, ref: RunOutcome) -> CheckResult | None:
    """A resume command without ``{checkpoint}`` reads the checkpoint where runs leave it;
    outside ``{run_dir}`` that is one file for every run, which by then holds the
    uninterrupted run's final state: the resumed run would start at its end and agree
    with it trivially. Nothing can be judged then; the config says how to fix it."""
    found = session.single_checkpoint(ref)
    if isinstance(found, Problem) or outside.FOLDER not in \
            found.relative_to(ref.run_dir).parts[:1]:
        return None
    fields = launch.template_of(session.config, session.runs["resumed"]).fields
    if fields & {"checkpoint", "checkpoint_dir"}:
        return None
    pattern = session.config.checkpoint
    return CheckResult(
        check=ID, outcome=Outcome.ERROR, reason="resume_input_shared",
        summary=f"cannot judge resume: the checkpoint (`{pattern}`) is written outside "
                "{run_dir}, where every run leaves its own, and the resume command does "
                "not name {checkpoint}: the resumed run would start from whatever the last "
                "run left there; pass {checkpoint} (or {checkpoint_dir}) to the resume "
                "command, or write checkpoints under {run_dir}")


def judge(*, n: int, seed: int, tolerance: float, unit: str, names: list[str],
          ref: Trajectory, long: Trajectory, resumed: Trajectory, src: ckpt.Contents,
          finals: Finals | str) -> CheckResult:
    """The verdict from what the three runs logged and left.

    ``finals`` is how the final checkpoints differ, or the reason they could not be
    compared (e.g. ``corrupted_checkpoint``): then the metrics alone decide.
    """
    metrics: dict[str, Scalar] = {"resume_step": n, "final_step": 2 * n,
                                  "resumed_first_logged_step": resumed.first_step}
    details: dict[str, Any] = {"checkpoint_keys": src.keys, "compared_metrics": names}
    if src.step_key is not None:
        details["checkpoint_step_key"] = src.step_key
    if not names and long.names and not resumed.names:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="resumed_metrics_missing",
                           summary=f"the resumed run logged no metrics (the uninterrupted "
                                   f"run logs {', '.join(long.names[:3])}): it must log the "
                                   f"{unit}s after the checkpoint under the same names, or "
                                   "what it trained cannot be compared",
                           metrics=metrics, details=details)
    if not names and isinstance(finals, str):  # as the reproducibility check says it
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="nothing_to_compare",
                           summary="nothing to compare: no metric is logged by both runs and "
                                   f"the final checkpoints were not compared ({finals})",
                           metrics=metrics, details=details)
    at = resume_point(n, ref.first_step, resumed.first_step, src.step)
    metrics["resume_step"] = at
    start = compare_from(at, resumed.first_step)
    metrics["first_compared_step"] = start
    first_logged = ref.first_step if ref.first_step is not None else 1  # step 0 counts
    base = compare(ref, long, names, tolerance, (first_logged, n))
    after = compare(long, resumed, names, tolerance, (start, 2 * n))
    metrics.update({"compared_points": after.compared_points,
                    "max_abs_diff_after_resume": after.max_abs_diff,
                    "first_divergence_step": after.first_step,
                    "first_divergence_abs_diff": after.first_diff})
    w_bitwise: bool | None = None
    w_worst: float | None = None
    if isinstance(finals, str):
        details["weights"] = f"final weights not compared ({finals})"
    else:
        w_bitwise, w_worst = state_summary(finals.diffs, STATE)
        metrics.update({"weights_bitwise": w_bitwise, "weights_max_abs_diff": w_worst})
        for cat in ("optimizer", "rng", "scheduler", "step", "data", "scaler"):
            if cat in finals.diffs:
                metrics[f"{cat}_max_abs_diff"] = finals.diffs[cat].max_abs_diff
        details["final_counters"] = {"uninterrupted": finals.counters[0],
                                     "resumed": finals.counters[1]}
    ev = Evidence(at, src, after, start, resumed.first_step,
                  None if isinstance(finals, str) else finals, w_worst, unit, bool(names))

    traj_ok = (not names or after.within_tolerance) and not ev.restarted
    if names and after.compared_points == 0 and not ev.restarted:
        traj_ok = False
    weights_ok = w_worst is None or w_worst <= tolerance
    if traj_ok and weights_ok:
        tier = "bitwise" if after.bitwise and (w_bitwise is None or w_bitwise) else "tolerance"
        metrics["tier"] = tier
        same = "bitwise identical" if tier == "bitwise" else \
            f"equal within tolerance (max |diff| {fmt(max(after.max_abs_diff, w_worst or 0))})"
        what = ("metrics and final model/optimizer" if names else "final model/optimizer") \
            if w_worst is not None else "metrics"
        unjudged = f"; final checkpoints not compared ({finals})" \
            if isinstance(finals, str) else ""
        return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, details=details,
                           summary=f"resume at {unit} {at} to {2 * n} matches the "
                                   f"uninterrupted run: {what} {same}{unjudged}")
    metrics["tier"] = "differ"
    if not base.within_tolerance and base.first_step is not None:
        # Not a resume failure: with no reproducible baseline, exactness cannot be judged
        # (the reproducibility check reports the cause).
        return CheckResult(check=ID, outcome=Outcome.SKIPPED, reason="nondeterministic_baseline",
                           metrics=metrics, details=details,
                           summary=f"cannot judge resume: two fresh runs with seed {seed} "
                                   f"already differ at {unit} {base.first_step} "
                                   f"(|diff| = {fmt(base.first_diff)}); fix reproducibility "
                                   "first")
    causes = diagnose(ev)
    details["causes"] = [{"code": c.code, "text": c.text} for c in causes]
    also = f"; also {causes[1].text}" if len(causes) > 1 else ""
    return CheckResult(check=ID, outcome=Outcome.FAIL, reason=causes[0].code, metrics=metrics,
                       details=details, summary=f"{headline(ev)}; {causes[0].text}{also}")


def resume_point(n: int, fresh_first: int | None, resumed_first: int | None,
                 counter: float | None) -> int:
    """The step the resumed run continued after: N, the first half's length, unless the
    resumed run logged first a step after the first a fresh run logs and before N. Then
    the checkpoint is of an earlier step (the last of a save every k steps), the one
    before the first logged or, when the checkpoint has a step counter, the counter's,
    which must lead to that first step (else the counter was not restored: a restart,
    judged against N)."""
    r = resumed_first
    if r is None or r >= n or fresh_first is None or r <= fresh_first:
        return n
    if counter is None:
        return r - 1
    if counter == int(counter) and r - int(counter) in (0, 1):
        return int(counter)
    return n


def compare_from(n: int, resumed_first: int | None) -> int:
    """The first step to compare: the first the resumed run logged after the checkpoint.

    That is N + 1, or N itself when the resumed run logs N again (its checkpoint was
    written before N's update). A run that logs a step before N started over, and is
    compared from N + 1, the step an exact resume logs first.
    """
    if resumed_first is not None and resumed_first >= n:
        return min(resumed_first, n + 1)
    return n + 1


def headline(ev: Evidence) -> str:
    """What went wrong, before the cause: where the resumed run left the uninterrupted one."""
    after, unit, n = ev.after, ev.unit, ev.n
    if ev.restarted:
        expected = ev.expected_first
        if expected is None:
            return (f"resumed run logged from {unit} {ev.resumed_first}, where a fresh run "
                    "starts, instead of continuing after its checkpoint")
        return f"resumed run logged from {unit} {ev.resumed_first} instead of {expected}"
    redo = (f"; it logs {unit} {n} again: the checkpoint precedes that {unit}'s update"
            if ev.redid_step else "")
    if after.first_step is not None:
        return (f"resumed run diverges at {unit} {after.first_step} "
                f"(|diff {after.first_metric}| = {fmt(after.first_diff)}{redo})")
    if not ev.has_metrics:
        return (f"resumed run's final state differs (max |diff| = {fmt(ev.weights_worst)}; "
                "no metric is logged by both runs)")
    if after.compared_points == 0:
        return f"resumed run logged no metrics for {unit}s {ev.start}..{2 * n}"
    return (f"resumed run matches the metrics but its final state differs "
            f"(max |diff| = {fmt(ev.weights_worst)})")


def diagnose(ev: Evidence) -> list[Cause]:
    """Likely causes, the strongest evidence first.

    1. What the runs show directly: a resumed run that starts over (the counter), and
       state saved in the checkpoint that ends different from the uninterrupted run's
       (saved but not restored).
    2. What the checkpoint lacks; the data position only when the very first compared
       step already differs, which is where a restarted data stream shows.
    3. What the trajectory alone suggests (the learning rate differs; the first step
       differs with all state restored; a later step differs).

    Within each, in the order RNG state, data position, scheduler, scaler, counter
    (the optimizer, whose loss shows at once, before them all).
    """
    causes: list[Cause] = []
    flagged: set[str] = set()

    def add(category: str, code: str, text: str) -> None:
        if category not in flagged:
            flagged.add(category)
            causes.append(Cause(code, text))

    src, after, unit = ev.src, ev.after, ev.unit
    long_c, res_c = ev.finals.counters if ev.finals is not None else ({}, {})

    def counter_moved(key: str) -> bool:
        return key in long_c and key in res_c and long_c[key] != res_c[key]

    def moved(key: str, what: str) -> str:
        return (f"{what} is saved but not restored on resume (ends at {res_c[key]:g} after "
                f"resume vs {long_c[key]:g} uninterrupted)")

    first_differs = after.first_step is not None and after.first_step == ev.start \
        and not ev.restarted
    # 1. Direct evidence.
    if ev.restarted:
        if src.has("step"):
            add("step", "step_counter_not_restored", "the step counter is not restored from "
                "the checkpoint, so the run starts over")
        else:
            add("step", "missing_step_counter", "checkpoint has no step counter: the resumed "
                "run cannot know where it stopped")
    if src.has("optimizer") and counter_moved("optimizer_step"):
        add("optimizer", "optimizer_not_restored", moved("optimizer_step", "optimizer state"))
    if src.has("rng") and ev.differs("rng"):
        add("rng", "rng_not_restored", "RNG state is saved but not restored on resume: the "
            "random stream after the resume differs")
    if src.has("data") and ev.differs("data"):
        add("data", "data_order_not_restored", "the data position (sampler / loader state) is "
            "saved but not restored on resume: batches after the resume differ")
    if src.has("scheduler") and counter_moved("scheduler_epoch"):
        add("scheduler", "scheduler_not_restored", moved("scheduler_epoch", "scheduler state"))
    if src.has("scaler") and ev.differs("scaler"):
        add("scaler", "scaler_not_restored", "grad scaler state is saved but not restored on "
            "resume: the AMP loss scale differs")
    if src.has("step") and counter_moved("step"):
        add("step", "step_counter_not_restored", moved("step", "step counter"))
    # 2. Missing from the checkpoint.
    if not src.has("optimizer"):
        add("optimizer", "missing_optimizer_state", "checkpoint has no optimizer state: "
            "optimizer moments (e.g. Adam's) restart from zero")
    if not src.has("rng"):
        add("rng", "missing_rng_state", "checkpoint has no RNG state: random draws after "
            "the resume (dropout, sampling, augmentation) differ")
    if not src.has("data") and first_differs:
        add("data", "missing_data_position", "checkpoint holds no data position (sampler "
            "epoch/offset, loader generator, a prefetched batch): the data stream restarts "
            "after the resume")
    if not src.has("scheduler") and "scheduler" in ev.diffs:
        add("scheduler", "missing_scheduler_state", "checkpoint has no scheduler state: the "
            "learning-rate schedule restarts")
    if not src.has("scaler") and "scaler" in ev.diffs:
        add("scaler", "missing_scaler_state", "checkpoint has no grad scaler state: the AMP "
            "loss scale restarts from its initial value")
    if not src.has("step") and ev.resumed_first is None:
        # A resumed run that logged from N or later evidently knew where it stopped,
        # whatever its counter is called; only without any log is a missing one a cause.
        add("step", "missing_step_counter", "checkpoint has no step counter: the resumed run "
            "cannot know where it stopped")
    # 3. The trajectory alone.
    if after.first_metric is not None and "lr" in after.first_metric.lower():
        add("scheduler", "scheduler_not_restored", "the learning rate differs after resume: "
            "the scheduler state is not restored")
    if not causes:
        if first_differs:  # the checkpoint holds a data position (else named above)
            causes.append(Cause("data_order_not_restored", f"the first {unit} after resume "
                                "already differs although model, optimizer, RNG and step are "
                                "restored: data order / sampler position likely restarts"))
        elif after.first_step is None and after.compared_points == 0 and ev.has_metrics:
            causes.append(Cause("resumed_metrics_missing", "the resumed run must log the "
                                f"{unit}s after the checkpoint under the same metric names "
                                "as the uninterrupted run"))
        elif after.first_step is None:
            matched = "every logged metric matches: " if ev.has_metrics else ""
            causes.append(Cause("state_not_in_checkpoint", f"{matched}state outside the "
                                "checkpoint or a nondeterministic op changes the run below "
                                "logging precision"))
        else:
            causes.append(Cause("state_not_in_checkpoint", "differs later despite the saved "
                                "state: something outside the checkpoint (sampler position, "
                                "grad scaler, a nondeterministic op) changes the run"))
    return causes
