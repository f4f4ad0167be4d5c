"""checkpoint: the smoke run's checkpoint loads safely and holds what a resume needs.

Loaded only with ``torch.load(weights_only=True)``; needing full unpickling is a
finding (it can execute code on load). Contents are sorted into model, optimizer,
scheduler, grad scaler, step counter, RNG states and config.
"""

from __future__ import annotations

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner.checks._common import mb, prerequisite
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import Session

ID = "checkpoint"
TITLE = "checkpoint loads with weights_only=True and holds the training state"
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


def check(session: Session, smoke_selected: bool = True) -> CheckResult:
    if not session.config.writes_checkpoint:
        return no_checkpoint_result(ID)
    ref = session.run("ref")
    blocked = prerequisite(ID, ref, smoke_selected)
    if blocked is not None:
        return blocked
    found = session.single_checkpoint(ref)
    if isinstance(found, Problem):
        return found.result(ID)
    size = found.stat().st_size
    metrics: dict[str, Scalar] = {"size_bytes": size, "size_mb": mb(size)}
    try:
        obj = session.load(found)
    except ckpt.CheckpointError as exc:
        outcome = Outcome.ERROR if exc.outcome_is_error else Outcome.FAIL
        return CheckResult(check=ID, outcome=outcome, summary=exc.message,
                           reason=exc.result_reason,
                           metrics=metrics, details={"file": found.name})
    contents = ckpt.classify(obj, size, ref.trajectory.last_step)
    metrics.update({"tensors": contents.tensors, "tensor_mb": mb(contents.tensor_bytes),
                    "step": contents.step})
    for cat in (*ckpt.CATEGORIES, "other"):
        metrics[f"has_{cat}"] = contents.has(cat)
    details = {"file": found.name, "keys": contents.keys, "rng_parts": contents.rng_parts,
               "step_key": contents.step_key}
    missing = [c for c in REQUIRED if not contents.has(c)]
    lacking = [c for c in RECOMMENDED if not contents.has(c)]
    held = ", ".join(f"{cat} ({', '.join(keys)})" for cat, keys in contents.keys.items())
    if missing:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="incomplete_checkpoint",
                           summary=f"{found.name} lacks {', '.join(missing)}: training cannot "
                                   f"resume where it stopped (holds {held})",
                           metrics=metrics, details=details)
    note = f"; lacks {', '.join(lacking)}" if lacking else ""
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, details=details,
                       summary=f"{found.name} ({mb(size)} MB) loads with weights_only=True; "
                               f"holds {held}{note}")
