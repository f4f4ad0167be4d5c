"""The runner's checks, in the order they run (which is also the order runs start).

Each module has ``ID``, ``TITLE`` and ``check(session, smoke_selected) -> CheckResult``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlready.gpu_runner.checks import (
    checkpoint,
    distributed,
    eval,
    reproducibility,
    resume,
    smoke,
)
from mlready.gpu_runner.results import CheckResult
from mlready.gpu_runner.session import Session


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    run: Callable[[Session, bool], CheckResult]


def _smoke(session: Session, _smoke_selected: bool) -> CheckResult:
    return smoke.check(session)


REGISTRY: tuple[Check, ...] = (
    Check(smoke.ID, smoke.TITLE, _smoke),
    Check(checkpoint.ID, checkpoint.TITLE, checkpoint.check),
    Check(eval.ID, eval.TITLE, eval.check),
    Check(reproducibility.ID, reproducibility.TITLE, reproducibility.check),
    Check(resume.ID, resume.TITLE, resume.check),
    Check(distributed.ID, distributed.TITLE, distributed.check),
)
IDS: tuple[str, ...] = tuple(c.id for c in REGISTRY)
