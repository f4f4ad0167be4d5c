"""The runtime half's findings model: typed check results with a JSON round-trip.

Outcomes follow OpenSSF Scorecard: ``not_applicable`` (nothing to check, e.g. no eval
command configured), ``skipped`` (could not run here, e.g. needs a GPU) and ``error``
(the harness itself failed) are outcomes of their own and never count as a pass.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1

Scalar = float | int | str | bool | None


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class CheckResult:
    """What one check found.

    ``summary`` is the one-line explanation shown everywhere; ``reason`` is a stable
    machine-readable cause (e.g. ``timeout``, ``nan_loss``, ``missing_optimizer_state``);
    ``metrics`` the measured values; ``series`` named numeric series (e.g. the smoke
    run's loss curve as ``[[step, value], ...]``); ``log_tail`` the end of the command's
    output when it helps explain a failure.
    """

    check: str
    outcome: Outcome
    summary: str
    reason: str | None = None
    metrics: dict[str, Scalar] = field(default_factory=dict)
    series: dict[str, list[list[float]]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    log_tail: str = ""
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "outcome": self.outcome.value,
            "summary": self.summary,
            "reason": self.reason,
            "metrics": dict(self.metrics),
            "series": {k: [list(p) for p in v] for k, v in self.series.items()},
            "details": dict(self.details),
            "log_tail": self.log_tail,
            "duration_s": self.duration_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            check=str(data["check"]),
            outcome=Outcome(data["outcome"]),
            summary=str(data.get("summary", "")),
            reason=data.get("reason"),
            metrics=dict(data.get("metrics", {})),
            series={k: [list(p) for p in v] for k, v in data.get("series", {}).items()},
            details=dict(data.get("details", {})),
            log_tail=str(data.get("log_tail", "")),
            duration_s=float(data.get("duration_s", 0.0)),
        )


@dataclass(frozen=True)
class RunReport:
    """Everything `mlready run` produced, as written to ``mlready-run.json``."""

    checks: tuple[CheckResult, ...]
    environment: dict[str, Scalar] = field(default_factory=dict)  # device, torch, python...
    config: dict[str, Any] = field(default_factory=dict)  # the effective runner config
    duration_s: float = 0.0
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": "mlready",
            "kind": "run",
            "environment": dict(self.environment),
            "config": dict(self.config),
            "duration_s": self.duration_s,
            "checks": [c.to_json() for c in self.checks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunReport:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"unsupported run results schema_version {version!r} "
                             f"(this mlready reads {SCHEMA_VERSION})")
        return cls(
            checks=tuple(CheckResult.from_json(c) for c in data.get("checks", [])),
            environment=dict(data.get("environment", {})),
            config=dict(data.get("config", {})),
            duration_s=float(data.get("duration_s", 0.0)),
            schema_version=version,
        )
