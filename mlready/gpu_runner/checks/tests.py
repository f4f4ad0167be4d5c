"""tests: the project's own test command passes (``tool.mlready.runner.tests``).

A smoke run shows that training starts and the loss moves; it says nothing about a
data loader that drops the last batch or a loss that ignores its mask. Those are
what a project's unit tests are for, so the scorecard's Testing & validation reads
this check, not the smoke run. The command runs once, in the project directory, in a
fresh process group with the runner's timeout and environment (``{python}`` is the
runner's interpreter). When it is pytest (``pytest``, ``py.test`` or ``python -m
pytest``, also behind ``uv run``, ``poetry run`` and the like) the counts come from its
summary line (``3 passed, 1 failed in 0.52s``); any other command is judged by its exit
status only. No command configured is a gap
the scorecard scores (the item fails), not a free pass.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

from mlready.config import ConfigError
from mlready.gpu_runner.checks._declaration import Option, Reason
from mlready.gpu_runner.failures import describe, last_line
from mlready.gpu_runner.process import ProcessResult, Status, run_command
from mlready.gpu_runner.results import CheckResult, Outcome, RunRecord, Scalar
from mlready.gpu_runner.session import Session
from mlready.gpu_runner.templates import parse_template

ID = "tests"
TITLE = "the project's own test command passes"
ORDER = 70
NEEDS = ()  # no training run: the command is the project's own
CATEGORY = "testing"  # "unit tests", "all tests passing"
LOADS_CHECKPOINTS = False
OPTIONS = {"tests": Option(str, "", 'the project\'s test command, e.g. "pytest -q" '
                                    '(placeholders: {python}, {device})')}
REASONS = {
    "not_configured": Reason(Outcome.NOT_APPLICABLE, "no `tests` command; the scorecard "
                                                     "counts it as a gap"),
    "invalid_command": Reason(Outcome.ERROR, "`tests` is not a valid command template"),
    "tests_failed": Reason(Outcome.FAIL, "the command exited non-zero (pytest: tests failed)"),
    "no_tests_collected": Reason(Outcome.FAIL, "pytest collected no test (exit code 5)"),
    "nothing_passed": Reason(Outcome.FAIL, "pytest passed no test (all skipped or "
                                           "deselected)"),
}
VERDICT = (
    "the `tests` command exits 0 within `timeout`; for pytest, at least one test passed "
    "(counts read from its summary line); any other command by its exit status alone.")
METRICS = {"passed": "pytest only", "failed": "pytest only", "errors": "pytest only",
           "skipped": "pytest only", "exit_code": "", "wall_s": ""}

PLACEHOLDERS = ("python", "device")
# One count of pytest's summary line, e.g. "3 passed" in "== 3 passed, 1 skipped in 0.5s ==".
_COUNT_RE = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected|"
                       r"warnings?)\b")
_SUMMARY_RE = re.compile(r"^=*\s*(?:\d+ \w+(?:, )?)+(?: in [\d.]+\s?s\b.*)?=*\s*$|"
                         r"^=+ no tests ran")
_FAILED_RE = re.compile(r"^(?:FAILED|ERROR) (\S+)")
_KEYS = {"passed": "passed", "failed": "failed", "error": "errors", "errors": "errors",
         "skipped": "skipped"}


# Environment managers that run the command after their own words (``uv run pytest``):
# without them, such a suite that skipped every test would pass on its exit status.
_RUNNERS = frozenset({"uv", "poetry", "pdm", "pipenv", "hatch", "rye", "conda", "mamba",
                      "micromamba", "pixi"})


def is_pytest(argv: list[str]) -> bool:
    """``pytest ...``, ``py.test ...``, ``python -m pytest ...`` (after env assignments),
    also behind an environment manager (``uv run pytest``, ``poetry run python -m
    pytest``)."""
    if argv and Path(argv[0]).name in ("pytest", "py.test"):
        return True
    if argv and Path(argv[0]).name in _RUNNERS and "run" in argv[1:3] \
            and any(Path(a).name in ("pytest", "py.test") for a in argv[2:]):
        return True
    return any(a == "-m" and b == "pytest" for a, b in itertools.pairwise(argv))


def pytest_counts(output: str) -> dict[str, int] | None:
    """passed/failed/errors/skipped from pytest's last summary line; None without one."""
    for line in reversed(output.splitlines()):
        text = line.strip()
        if not _SUMMARY_RE.match(text):
            continue
        counts = dict.fromkeys(("passed", "failed", "errors", "skipped"), 0)
        for number, word in _COUNT_RE.findall(text):
            if word in _KEYS:
                counts[_KEYS[word]] += int(number)
        return counts
    return None


def counts_text(counts: dict[str, int]) -> str:
    shown = [f"{n} {word}" for word, n in counts.items() if n]
    return ", ".join(shown) or "no tests"


def _first_failure(output: str) -> str:
    for line in output.splitlines():
        match = _FAILED_RE.match(line.strip())
        if match:
            return f"first: {line.strip()[:200]}"
    return last_line(output)


def _run(session: Session, argv: list[str], env_extra: dict[str, str]) -> ProcessResult:
    cfg = session.config
    env = dict(os.environ) | dict(cfg.env) | env_extra | {"PYTHONUNBUFFERED": "1"}
    if session.device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    log = session.work_dir / "tests.log"
    session.progress.start("tests: the project's own test command")
    proc = run_command(argv, cwd=cfg.project_dir, env=env, timeout=cfg.timeout, log_path=log)
    session.progress.end(proc.status.value, proc.wall_s)
    session.records.append(RunRecord(
        id=ID, purpose="the project's test command", argv=list(proc.argv),
        status=proc.status.value, exit_code=proc.exit_code, wall_s=round(proc.wall_s, 4),
        peak_rss_bytes=proc.memory.rss_bytes, peak_gpu_bytes=proc.memory.gpu_bytes))
    return proc


def check(session: Session) -> CheckResult:
    cfg = session.config
    text = str(cfg.option("tests")).strip()
    if not text:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="not_configured",
                           summary='no test command configured: set `tool.mlready.runner.'
                                   'tests`, e.g. "pytest -q"')
    try:
        template = parse_template(cfg.source, "tests", text, PLACEHOLDERS)
    except ConfigError as exc:
        return CheckResult(check=ID, outcome=Outcome.ERROR, reason="invalid_command",
                           summary=str(exc))
    values = {"python": cfg.python, "device": session.device}
    argv = template.render(values)
    proc = _run(session, argv, template.render_env(values))
    output = proc.tail  # pytest's summary is its last line; the tail always holds it
    pytest = is_pytest(argv)
    counts = pytest_counts(output) if pytest else None
    metrics: dict[str, Scalar] = {"exit_code": proc.exit_code, "wall_s": round(proc.wall_s, 3)}
    metrics.update(counts or {})
    what = f"test command `{text[:80]}`"
    if proc.status is Status.EXIT and pytest and proc.exit_code == 5:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="no_tests_collected",
                           summary=f"{what} collected no tests (pytest exit code 5)",
                           metrics=metrics, log_tail=proc.tail)
    problem = describe(proc, what, "tests", cfg.timeout)
    # Failing tests are the tests' verdict, even when a test died of a missing module
    # (which `describe` would otherwise take for an environment that cannot run them).
    failed = counts is not None and (counts["failed"] or counts["errors"])
    if problem is not None and (problem.reason == "nonzero_exit" or
                                (failed and proc.status is Status.EXIT)):
        found = f"pytest: {counts_text(counts)}; " if counts is not None else ""
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="tests_failed",
                           summary=f"{what} exited with code {proc.exit_code}: {found}"
                                   f"{_first_failure(output)}",
                           metrics=metrics, log_tail=proc.tail)
    if problem is not None:
        return CheckResult(check=ID, outcome=problem.outcome, reason=problem.reason,
                           summary=problem.summary, metrics=metrics, log_tail=problem.log_tail)
    took = f"in {proc.wall_s:.1f}s"
    if counts is None:
        how = "pytest (no summary line found)" if pytest else "exit status only"
        return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics,
                           summary=f"{what} exited 0 {took} ({how})")
    if counts["passed"] == 0:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="nothing_passed",
                           summary=f"{what} passed no test ({counts_text(counts)}) {took}",
                           metrics=metrics, log_tail=proc.tail)
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics,
                       summary=f"pytest: {counts_text(counts)} {took}")
