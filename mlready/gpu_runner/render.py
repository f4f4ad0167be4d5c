"""The terminal view of a `RunReport`: one line per check, a header with timings."""

from __future__ import annotations

from mlready.gpu_runner.results import Outcome, RunReport
from mlready.hooks.output import printable

LABELS = {Outcome.PASS: "PASS", Outcome.FAIL: "FAIL", Outcome.NOT_APPLICABLE: "N/A ",
          Outcome.SKIPPED: "SKIP", Outcome.NOT_MEASURED: "N/M ", Outcome.ERROR: "ERR "}


def text(report: RunReport, output: str | None = None) -> str:
    """Plain text, stable for tests and CI logs (no colour, no terminal control)."""
    device = report.environment.get("device", "?")
    lines = [f"mlready run: {len(report.checks)} checks, {len(report.runs)} commands on "
             f"{device}, {report.duration_s:.1f}s (commands {report.commands_wall_s:.1f}s)"]
    width = max((len(c.check) for c in report.checks), default=5)
    for check in report.checks:
        # A summary quotes the user's output (a log line, a metric's name): escaped, so
        # that it stays one line of the log and carries no terminal control.
        lines.append(f"  {LABELS[check.outcome]}  {check.check:<{width}}  "
                     f"{printable(check.summary)}")
    if report.no_gpu:
        lines.append("nothing measured: `device = cuda` but no NVIDIA GPU is visible here; "
                     "run on a GPU machine or set --device cpu (exit 2)")
    if report.cannot_run_here and not report.no_gpu:
        lines.append("nothing measured: the training cannot run in this environment (see "
                     "above); fix the environment and run again (exit 2)")
    if report.interrupted:
        lines.append("interrupted: the running command tree was killed")
    for path in report.restored:
        lines.append(f"put back {printable(path)}: the runs had changed or removed it")
    lines += [printable(why) for why in report.not_restored]
    if output:
        lines.append(f"results: {output}")
    return "\n".join(lines)
