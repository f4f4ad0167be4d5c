"""checkpoint: the smoke run's checkpoint loads safely and holds what a resume needs.

Loaded only with ``torch.load(weights_only=True)``; needing full unpickling is a
finding (it can execute code on load). Contents are sorted into model, optimizer,
scheduler, grad scaler, step counter, RNG states and config. When the glob matches
several files (a script that keeps ``ckpt_10.pt`` and ``ckpt_20.pt``), the latest is
judged (`checkpoint_pick.pick_checkpoint`: by the step it holds, else by modification time)
and the summary says which and why.
"""

from __future__ import annotations

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner.checks._common import mb, prerequisite
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import Session

ID = "checkpoint"
TITLE = "checkpoint loads with weights_only=True and holds the training state"
ORDER = 20
NEEDS = ("ref",)
CATEGORY = "reproducibility"  # "checkpoint includes optimizer/scheduler state"
LOADS_CHECKPOINTS = True
REASONS = {
    "no_checkpoint": Reason(Outcome.NOT_APPLICABLE, "`checkpoint = false`; the readiness gap "
                            "\"training writes no checkpoint: a crash loses the run\", also "
                            "as `details.readiness_gap`"),
    "checkpoint_missing": Reason(Outcome.FAIL, "glob matched nothing"),
    "corrupted_checkpoint": Reason(Outcome.FAIL),
    "needs_full_unpickling": Reason(Outcome.FAIL),
    "incomplete_checkpoint": Reason(Outcome.FAIL, "no model, optimizer or step"),
    "torch_missing": Reason(Outcome.ERROR),
    "checkpoint_too_deep": Reason(Outcome.ERROR, "containers nested over 100 levels"),
}
VERDICT = (
    "of several files the glob matches, the latest by the step it holds (else by "
    "modification time), named with why; loads with `weights_only=True` (never anything "
    "else); fails when it needs full unpickling, is corrupted, or lacks model, optimizer or "
    "step; lists what it lacks among rng, scheduler, config.")
METRICS = dict.fromkeys(("size_bytes", "size_mb", "tensors", "tensor_mb", "step", "has_model",
                         "has_optimizer", "has_scheduler", "has_scaler", "has_step", "has_rng",
                         "has_data", "has_config", "has_other"), "")
REQUIRED = ("model", "optimizer", "step")
RECOMMENDED = ("rng", "scheduler", "config")
NO_CHECKPOINT = "no_checkpoint"  # the reason, and the readiness gap the scorecard counts


def no_checkpoint_result(check_id: str) -> CheckResult:
    """`checkpoint = false`: nothing to load or resume; the readiness gap is named.

    Not applicable rather than failed, since the user said so and nothing was measured,
    but never silent: the reason `no_checkpoint` and ``details.readiness_gap`` let the
    scorecard count the gap.
    """
    return CheckResult(check=check_id, outcome=Outcome.NOT_APPLICABLE, reason=NO_CHECKPOINT,
                       summary="training writes no checkpoint: a crash loses the run "
                               "(`tool.mlready.runner.checkpoint = false`)",
                       details={"readiness_gap": NO_CHECKPOINT})


def check(session: Session) -> CheckResult:
    if not session.config.writes_checkpoint:
        return no_checkpoint_result(ID)
    ref = session.run("ref")
    blocked = prerequisite(ID, ref, session.smoke_selected)
    if blocked is not None:
        return blocked
    found = session.single_checkpoint(ref)
    if isinstance(found, Problem):
        return found.result(ID)
    why = session.picked_because(ref)
    chosen = f" ({why})" if why else ""  # of several matches: which one, and why
    size = found.stat().st_size
    metrics: dict[str, Scalar] = {"size_bytes": size, "size_mb": mb(size)}
    try:
        obj = session.load(found)
    except ckpt.CheckpointError as exc:
        outcome = Outcome.ERROR if exc.outcome_is_error else Outcome.FAIL
        return CheckResult(check=ID, outcome=outcome, summary=exc.message + chosen,
                           reason=exc.result_reason, metrics=metrics,
                           details={"file": found.name, "picked": why})
    contents = ckpt.classify(obj, size, ref.trajectory.last_step)
    metrics.update({"tensors": contents.tensors, "tensor_mb": mb(contents.tensor_bytes),
                    "step": contents.step})
    for cat in (*ckpt.CATEGORIES, "other"):
        metrics[f"has_{cat}"] = contents.has(cat)
    details = {"file": found.name, "keys": contents.keys, "rng_parts": contents.rng_parts,
               "step_key": contents.step_key, "picked": why}
    missing = [c for c in REQUIRED if not contents.has(c)]
    lacking = [c for c in RECOMMENDED if not contents.has(c)]
    held = ", ".join(f"{cat} ({', '.join(keys)})" for cat, keys in contents.keys.items())
    if missing:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="incomplete_checkpoint",
                           summary=f"{found.name}{chosen} lacks {', '.join(missing)}: "
                                   f"training cannot resume where it stopped (holds {held})",
                           metrics=metrics, details=details)
    note = f"; lacks {', '.join(lacking)}" if lacking else ""
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, details=details,
                       summary=f"{found.name} ({mb(size)} MB{'; ' + why if why else ''}) "
                               f"loads with weights_only=True; holds {held}{note}")
