"""Small hand-built inputs for the scorecard tests."""

from __future__ import annotations

from typing import Any

from mlready.gpu_runner.results import CheckResult, Outcome, RunReport
from mlready.hooks.model import Diagnostic
from mlready.scorecard.inputs import StaticReport
from mlready.scorecard.model import Scorecard
from mlready.scorecard.scoring import RuleInfo, build

RULES = (
    RuleInfo("MLR001", "unseeded-entrypoint"),
    RuleInfo("MLR101", "hardcoded-learning-rate"),
    RuleInfo("MLR201", "unpinned-requirement"),
    RuleInfo("MLR401", "missing-type-annotation"),
    RuleInfo("MLR701", "missing-zero-grad"),
)
SHA = "0123456789abcdef0123456789abcdef01234567"
REPO = "https://github.com/o/r"


def diag(path: str = "train.py", line: int = 1, code: str = "MLR101",
         message: str = "`Adam(lr=3e-4)`: learning rate is a literal", col: int = 1) -> Diagnostic:
    return Diagnostic(path, line, col, code, message)


def static(*diagnostics: Diagnostic, metrics: dict[str, Any] | None = None,
           rules: tuple[str, ...] | None = None) -> StaticReport:
    return StaticReport(diagnostics=tuple(sorted(diagnostics)), metrics=metrics or {},
                        root="/repo", files_checked=3, rules=rules)


def check(name: str, outcome: Outcome = Outcome.PASS, summary: str = "ok",
          **kwargs: Any) -> CheckResult:
    return CheckResult(check=name, outcome=outcome, summary=summary, **kwargs)


def run(*checks: CheckResult) -> RunReport:
    return RunReport(checks=checks, environment={"device": "cpu"})


def all_passing_run() -> RunReport:
    return run(
        check("smoke", summary="20 steps in 3.0s; loss 2.3 -> 0.4",
              metrics={"steps_per_s": 6.5, "peak_rss_mb": 512.0, "peak_gpu_mb": None},
              series={"loss": [[1, 2.3], [2, 1.5], [3, 0.9], [4, 0.4]]},
              details={"metrics_seen": ["loss"]}, duration_s=3.0),
        check("checkpoint"), check("eval", metrics={"accuracy": 0.91}),
        check("reproducibility"), check("resume"), check("distributed"),
        check("seed-spread"), check("memory-growth"),
        check("eval-determinism"), check("tests", summary="pytest: 12 passed in 1.0s",
                                         metrics={"passed": 12, "failed": 0}),
    )


def card(static_report: StaticReport | None = None, run_report: RunReport | None = None,
         **kwargs: Any) -> Scorecard:
    return build(static_report, run_report, rules=RULES, **kwargs)
