"""One-line, named explanations for every way a command can fail.

The checks never show a traceback of their own; a failing user command is described
by its status, exit code and the last meaningful line of its output, with the config
key to fix where the runner can tell.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from mlready.gpu_runner.process import ProcessResult, Status
from mlready.gpu_runner.results import CheckResult, Outcome

_DISK_FULL = ("No space left on device", "ENOSPC", "Errno 28")
# Less than this free where the log is, after a failed run, means the disk filled up
# even when the command's own "No space left" message could not be written any more
# (a flood of output that filled the disk takes its last words with it).
LOW_DISK_BYTES = 1 << 20


@dataclass(frozen=True)
class Problem:
    """Why a run cannot serve a check: an outcome, a stable reason and a one-line summary."""

    outcome: Outcome
    reason: str
    summary: str
    log_tail: str = ""

    def result(self, check: str, prefix: str = "") -> CheckResult:
        summary = f"{prefix}{self.summary}" if prefix else self.summary
        return CheckResult(check=check, outcome=self.outcome, summary=summary,
                           reason=self.reason, log_tail=self.log_tail)


def last_line(tail: str) -> str:
    """The most telling line of a log tail: the last exception line, else the last line."""
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip()]
    for line in reversed(lines):
        head = line.split(":", 1)[0]
        if head.endswith(("Error", "Exception", "Interrupt")) or head in ("AssertionError",):
            return line[:240]
    return lines[-1][:240] if lines else "no output"


def describe(proc: ProcessResult, what: str, key: str, timeout: float) -> Problem | None:
    """None when ``proc`` succeeded, else a `Problem` naming ``what`` failed and the fix."""
    if proc.status is Status.OK:
        return None
    if proc.status is Status.NOT_FOUND:
        return Problem(Outcome.ERROR, "command_not_found",
                       f"{what}: {proc.message}; fix `tool.mlready.runner.{key}`")
    if proc.status is Status.SPAWN_ERROR:
        return Problem(Outcome.ERROR, "cannot_start",
                       f"{what}: {proc.message}; fix `tool.mlready.runner.{key}`")
    if proc.status is Status.TIMEOUT:
        return Problem(Outcome.FAIL, "timeout",
                       f"{what} did not finish within {timeout:g}s; killed its whole process "
                       f"tree (raise `tool.mlready.runner.timeout` if it is just slow)",
                       proc.tail)
    low = proc.disk_free is not None and proc.disk_free < LOW_DISK_BYTES
    if low or any(marker in proc.tail for marker in _DISK_FULL):
        left = f" ({proc.disk_free // 1024} KiB left)" if low and proc.disk_free is not None \
            else ""
        return Problem(Outcome.ERROR, "disk_full",
                       f"{what} ran out of disk space in its run directory{left}; free space "
                       "or point TMPDIR at a larger disk", proc.tail)
    code = proc.exit_code if proc.exit_code is not None else -1
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return Problem(Outcome.FAIL, "killed",
                       f"{what} was killed by {name}{hint}: {last_line(proc.tail)}", proc.tail)
    return Problem(Outcome.FAIL, "nonzero_exit",
                   f"{what} exited with code {code}: {last_line(proc.tail)}", proc.tail)
