"""`mlready run` as a function: config in, `RunReport` out, nothing printed but progress.

Decides the device, creates and always removes the work directory, runs the selected
checks in registry order and turns every harness failure into a named outcome:
a crash inside a check is that check's ``error`` (the others still run), Ctrl-C stops
the current command tree and marks the checks not reached as ``skipped``.
"""

from __future__ import annotations

import errno
import os
import platform
import shutil
import tempfile
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import TextIO

from mlready.gpu_runner.checks import REGISTRY, RUNS, Check
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.memory import gpu_count
from mlready.gpu_runner.plan import planned
from mlready.gpu_runner.process import Interrupted
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import NO_GPU, CheckResult, Outcome, RunReport, Scalar
from mlready.gpu_runner.session import DiskFull, Session


def _environment(device: str, gpus: int) -> dict[str, Scalar]:
    try:
        torch_version: str | None = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = None
    return {"python": platform.python_version(), "platform": platform.platform(terse=True),
            "device": device, "gpus": gpus, "torch": torch_version,
            "cpu_count": os.cpu_count()}


def select(only: tuple[str, ...] | None) -> tuple[Check, ...]:
    if not only:
        return REGISTRY
    return tuple(c for c in REGISTRY if c.id in only)


def execute(config: RunnerConfig, only: tuple[str, ...] | None = None, *,
            keep_run_dirs: bool = False, progress_stream: TextIO | None = None,
            progress: bool | None = None, progress_interval: float | None = None) -> RunReport:
    """Run the selected checks against the project and return the report."""
    start = time.monotonic()
    checks = select(only)
    gpus = gpu_count() if config.device in ("auto", "cuda") else 0
    device = "cuda" if config.device == "cuda" or (config.device == "auto" and gpus) else "cpu"
    environment = _environment(device, gpus)
    cfg_json = {**config.to_json(), "device": device}

    def report(results: list[CheckResult], session: Session | None,
               interrupted: bool = False) -> RunReport:
        return RunReport(checks=tuple(results), environment=environment, config=cfg_json,
                         duration_s=round(time.monotonic() - start, 3),
                         runs=tuple(session.records) if session else (),
                         commands_wall_s=round(session.commands_wall_s, 3) if session else 0.0,
                         interrupted=interrupted)

    if config.device == "cuda" and not gpus:
        return report([CheckResult(check=c.id, outcome=Outcome.SKIPPED, reason=NO_GPU,
                                   summary="device = cuda but no NVIDIA GPU is visible here")
                       for c in checks], None)
    try:
        work = Path(tempfile.mkdtemp(prefix="mlready-run-"))
    except OSError as exc:
        why = "no space left" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        return report([CheckResult(check=c.id, outcome=Outcome.ERROR, reason="work_dir",
                                   summary=f"cannot create a run directory in "
                                           f"{tempfile.gettempdir()} ({why}); set TMPDIR")
                       for c in checks], None)
    runs = planned(c.plan(config) for c in checks)
    session = Session(config, device, work,
                      Progress(len(runs), progress_stream, progress, progress_interval),
                      runs=RUNS,
                      smoke_selected=any(c.id == "smoke" for c in checks),
                      needs_torch=any(c.loads_checkpoints for c in checks))
    results: list[CheckResult] = []
    interrupted = False
    try:
        try:
            for check in checks:
                began = time.monotonic()
                result = _one(check, session)
                results.append(replace(result, duration_s=round(time.monotonic() - began, 3)))
        except (Interrupted, KeyboardInterrupt):
            interrupted = True
            for check in checks[len(results):]:
                results.append(CheckResult(check=check.id, outcome=Outcome.SKIPPED,
                                           reason="interrupted",
                                           summary="interrupted (Ctrl-C) before this check "
                                                   "finished; its run was killed"))
    finally:
        # The user's files the runs overwrote go back first (`originals`), also on Ctrl-C;
        # when one cannot, the work folder that holds its original stays.
        restored, failed = session.originals.restore()
        if keep_run_dirs or failed:
            session.progress.note(f"run directories kept in {work}")
            environment["work_dir"] = str(work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return replace(report(results, session, interrupted=interrupted),
                   restored=tuple(str(path) for path in restored), not_restored=tuple(failed))


def _one(check: Check, session: Session) -> CheckResult:
    try:
        return check.judge(session)
    except (Interrupted, KeyboardInterrupt):
        raise
    except DiskFull as exc:
        return CheckResult(check=check.id, outcome=Outcome.ERROR, reason="disk_full",
                           summary=exc.summary)
    except Exception as exc:  # a harness bug must not hide the other checks
        where = ""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
        return CheckResult(check=check.id, outcome=Outcome.ERROR, reason="internal_error",
                           summary=f"mlready internal error in the {check.id} check: "
                                   f"{type(exc).__name__}: {exc}{where}; please report it")
