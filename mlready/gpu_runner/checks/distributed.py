"""distributed: with ``nproc > 1`` training runs under torchrun (gloo on CPU, nccl on GPU).

Every training run of the plan is then a torchrun of ``nproc`` ranks and the other
checks read rank 0 (metrics records carrying another ``rank`` are dropped); this
check reports that the ranks started, finished and rank 0 reported metrics.
"""

from __future__ import annotations

from mlready.gpu_runner.checks._common import prerequisite
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import Session

ID = "distributed"
TITLE = "training runs under torchrun with several processes"
ORDER = 60
NEEDS = ("ref",)
CATEGORY = "performance"  # "multi-GPU training configured"
LOADS_CHECKPOINTS = False
REASONS = {
    "single_process": Reason(Outcome.NOT_APPLICABLE, "`nproc = 1`"),
    "no_metrics": Reason(Outcome.FAIL, "rank 0 reported no metrics"),
}
VERDICT = "only with `nproc > 1`: the torchrun runs finished and rank 0 reported metrics."
METRICS = dict.fromkeys(("nproc", "backend", "rank0_records", "other_rank_records"), "")


def check(session: Session) -> CheckResult:
    cfg = session.config
    if cfg.nproc == 1:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="single_process",
                           summary="nproc = 1: no distributed run configured "
                                   "(`tool.mlready.runner.nproc`)")
    backend = "nccl" if session.device == "cuda" else "gloo"
    ref = session.run("ref")
    blocked = prerequisite(ID, ref, session.smoke_selected)
    if blocked is not None:
        return blocked
    metrics: dict[str, Scalar] = {"nproc": cfg.nproc, "backend": backend,
               "rank0_records": len(ref.trajectory.records),
               "other_rank_records": ref.trajectory.other_rank_records}
    if not ref.trajectory.records:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="no_metrics",
                           summary=f"{cfg.nproc} ranks under torchrun ({backend}) finished but "
                                   "rank 0 reported no metrics", metrics=metrics)
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics,
                       summary=f"{cfg.nproc} ranks under torchrun ({backend}) finished; rank 0 "
                               f"reported {len(ref.trajectory.records)} metric records")
