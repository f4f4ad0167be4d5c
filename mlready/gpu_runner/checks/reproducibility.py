"""reproducibility: two fresh runs with one seed agree; a different seed does not.

Compares the metric trajectories step by step and the final checkpoints tensor by
tensor, in two tiers: ``bitwise`` (identical) and ``tolerance`` (relative difference
within `tool.mlready.runner.tolerance`). A third run with ``seed + 1`` must differ:
identical results there mean the seed never reaches the randomness.
"""

from __future__ import annotations

from typing import Any

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner import checkpoint_compare
from mlready.gpu_runner.checks._common import fmt, prerequisite
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.metrics import Divergence, comparable, compare
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import RunOutcome, Session

ID = "reproducibility"
TITLE = "same seed gives identical results; another seed does not"
ORDER = 40
NEEDS = ("ref", "repeat", "other_seed")
CATEGORY = "reproducibility"  # "same seed produces same results"
LOADS_CHECKPOINTS = True
REASONS = {
    "not_reproducible": Reason(Outcome.FAIL, "two runs with the same seed differ"),
    "seed_ignored": Reason(Outcome.FAIL, "another seed reproduced the first exactly"),
    "nothing_to_compare": Reason(Outcome.FAIL, "no shared metrics and no checkpoints"),
}
VERDICT = (
    "`ref` vs `repeat`: metrics at every logged step and final model + optimizer tensors; "
    "tiers `bitwise` / `tolerance` / `differ`; `other_seed` must differ (else "
    "`seed_ignored`). Stops before `other_seed` when the same seed already differs.")
METRICS = {
    "tier": "`bitwise`, `tolerance`, `differ`", "trajectory_points": "",
    "trajectory_max_abs_diff": "", "trajectory_bitwise": "", "weights_bitwise": "",
    "weights_max_abs_diff": "model + optimizer", "other_seed_first_diff_step": "",
    "other_seed_max_abs_diff": "",
}
STATE = ("model", "optimizer")  # what must match; config may hold the run dir path


def weights_diff(session: Session, a: RunOutcome,
                 b: RunOutcome) -> dict[str, checkpoint_compare.CategoryDiff] | str:
    """Per-category differences of two runs' checkpoints, or why they were not compared."""
    paths = []
    for run in (a, b):
        found = session.single_checkpoint(run)
        if isinstance(found, Problem):
            return f"weights not compared ({found.reason})"
        paths.append(found)
    try:
        return checkpoint_compare.compare(session.load(paths[0]), session.load(paths[1]))
    except ckpt.CheckpointError as exc:
        return f"weights not compared ({exc.reason})"


def state_summary(diffs: dict[str, checkpoint_compare.CategoryDiff],
                  cats: tuple[str, ...]) -> tuple[bool, float]:
    """(bitwise, max abs diff) over the given categories."""
    chosen = [d for c, d in diffs.items() if c in cats] or list(diffs.values())
    bitwise = all(d.bitwise for d in chosen)
    worst = max((d.max_abs_diff for d in chosen), default=0.0)
    if any(d.only_in_a or d.only_in_b for d in chosen):
        worst = float("inf")
    return bitwise, worst


def _tier(div: Divergence | None, bitwise_w: bool | None, worst_w: float | None,
          tolerance: float) -> str:
    traj_bitwise = div is None or div.bitwise
    traj_close = div is None or div.within_tolerance
    w_bitwise = bitwise_w is None or bitwise_w
    w_close = worst_w is None or worst_w <= tolerance
    if traj_bitwise and w_bitwise:
        return "bitwise"
    if traj_close and w_close:
        return "tolerance"
    return "differ"


def check(session: Session) -> CheckResult:
    cfg = session.config
    ref = session.run("ref")
    blocked = prerequisite(ID, ref, session.smoke_selected)
    if blocked is not None:
        return blocked
    repeat = session.run("repeat")
    if repeat.problem is not None:
        return repeat.problem.result(ID, "same-seed rerun: ")
    metrics: dict[str, Scalar] = {"seed": cfg.seed, "steps": cfg.steps}
    details: dict[str, Any] = {}
    names = comparable(ref.trajectory, repeat.trajectory, cfg.compare, cfg.objective)
    details["compared_metrics"] = names
    div = compare(ref.trajectory, repeat.trajectory, names, cfg.tolerance) if names else None
    if div is not None:
        metrics.update({"trajectory_points": div.compared_points,
                        "trajectory_max_abs_diff": div.max_abs_diff,
                        "trajectory_bitwise": div.bitwise})
    diffs = weights_diff(session, ref, repeat)
    bitwise_w: bool | None = None
    worst_w: float | None = None
    if isinstance(diffs, str):
        details["weights"] = diffs
    else:
        bitwise_w, worst_w = state_summary(diffs, STATE)
        metrics.update({"weights_bitwise": bitwise_w, "weights_max_abs_diff": worst_w})
        details["weights_by_category"] = {c: {"max_abs_diff": d.max_abs_diff,
                                              "differing": d.differing, "compared": d.compared}
                                          for c, d in diffs.items()}
    if div is None and bitwise_w is None:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="nothing_to_compare",
                           summary="nothing to compare: no shared metrics and "
                                   f"{details.get('weights', 'no checkpoints')}",
                           metrics=metrics, details=details)
    tier = _tier(div, bitwise_w, worst_w, cfg.tolerance)
    metrics["tier"] = tier
    if tier == "differ":
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="not_reproducible",
                           summary=_same_seed_cause(session, ref, div, worst_w),
                           metrics=metrics, details=details)
    worst = max(div.max_abs_diff if div else 0.0, worst_w or 0.0)
    same = ("bitwise identical" if tier == "bitwise" else
            f"equal within tolerance (max |diff| {fmt(worst)})")
    parts, unweighed = _compared(ref, names, div, worst_w, details.get("weights"))
    other = session.run("other_seed")
    if other.problem is not None:
        return other.problem.result(ID, f"seed {other.seed} run: ")
    odiv = compare(ref.trajectory, other.trajectory, names, 0.0) if names else None
    odiffs = weights_diff(session, ref, other)
    o_bitwise_w = None if isinstance(odiffs, str) else state_summary(odiffs, STATE)[0]
    if odiv is not None:
        metrics["other_seed_first_diff_step"] = odiv.first_step
        metrics["other_seed_max_abs_diff"] = odiv.max_abs_diff
    if (odiv is None or odiv.bitwise) and (o_bitwise_w is None or o_bitwise_w):
        hint = "" if any("{seed}" in t for t in cfg.train.tokens) else \
            " (the train command has no {seed}; the script must read $MLREADY_SEED)"
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="seed_ignored",
                           summary=f"seed {other.seed} reproduced seed {cfg.seed} exactly: the "
                                   f"seed does not reach the randomness{hint}",
                           metrics=metrics, details=details)
    where = f" from {cfg.unit} {odiv.first_step}" if odiv is not None and odiv.first_step else ""
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, details=details,
                       summary=f"seed {cfg.seed} twice: {parts} {same} over {ref.steps} "
                               f"{cfg.step_unit}{unweighed}; seed {other.seed} differs{where}")


def _compared(ref: RunOutcome, names: list[str], div: Divergence | None,
              worst_w: float | None, weights_gap: object) -> tuple[str, str]:
    """What the pass compared, said exactly: how many logged records the metrics matched
    at (2 records of a 20-step run is not "20 steps" of agreement), and, when the final
    weights were not compared, why (appended after the step count)."""
    if div is None:
        return "final weights", ""
    logged = len({step for name in names for step, _ in ref.trajectory.series(name)})
    metrics = f"metrics ({logged} logged record{'s' if logged != 1 else ''})"
    if worst_w is not None:
        return f"{metrics} and final weights", ""
    return metrics, f"; final {weights_gap}" if isinstance(weights_gap, str) else ""


def _same_seed_cause(session: Session, ref: RunOutcome, div: Divergence | None,
                     worst_w: float | None) -> str:
    cfg = session.config
    if div is not None and div.first_step is not None:
        assert div.first_diff is not None and div.first_metric is not None
        head = (f"two runs with seed {cfg.seed} differ at {cfg.unit} {div.first_step} "
                f"(|diff {div.first_metric}| = {fmt(div.first_diff)})")
        if div.first_step == ref.trajectory.first_step:
            hint = "" if any("{seed}" in t for t in cfg.train.tokens) else \
                "; the train command has no {seed}"
            return (f"{head}: differ from the first step, so initialisation or data order "
                    f"is not seeded{hint}")
        return (f"{head} after agreeing before it: a non-deterministic op or an unseeded "
                "source used later (DataLoader workers, GPU atomics, cudnn.benchmark)")
    if div is not None and div.missing_steps:
        return (f"two runs with seed {cfg.seed} logged different steps "
                f"(first missing: {div.missing_steps[0]})")
    if div is None:  # no metric logged by both: the weights are all there is to go on
        return (f"two runs with seed {cfg.seed} end with different final weights (max |diff| "
                f"= {fmt(worst_w)}; no metric is logged by both runs): initialisation, data "
                "order or a later random draw is not seeded, or an op is non-deterministic")
    return (f"two runs with seed {cfg.seed} log the same metrics but their final weights "
            f"differ (max |diff| = {fmt(worst_w)}): nondeterminism below logging precision")
