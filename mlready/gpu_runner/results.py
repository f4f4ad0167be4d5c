"""The runtime half's findings model: typed check results with a JSON round-trip.

Outcomes follow OpenSSF Scorecard: ``not_applicable`` (nothing to check, e.g. no eval
command configured), ``skipped`` (could not run here, e.g. needs a GPU), ``not_measured``
(it ran, but could not measure what it judges: a run too short to see memory growth,
metrics without step numbers to line up after a resume) and ``error`` (the harness itself
failed) are outcomes of their own and never count as a pass.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1
NO_GPU = "no_gpu"  # the reason of every check when `device = cuda` finds no GPU
ENVIRONMENT = "environment"  # skipped: the training cannot run here (missing module, ...)

Scalar = float | int | str | bool | None


def json_safe(value: Any) -> Any:
    """JSON has no NaN or infinity: write them as the strings "nan", "inf", "-inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    SKIPPED = "skipped"
    NOT_MEASURED = "not_measured"
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
            "metrics": json_safe(dict(self.metrics)),
            "series": {k: [json_safe(list(p)) for p in v] for k, v in self.series.items()},
            "details": json_safe(dict(self.details)),
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
class RunRecord:
    """One command the runner started: which, why, how it ended and what it cost.

    ``status`` is ``ok``, ``exit``, ``timeout``, ``not_found`` or ``spawn_error``;
    ``argv`` is the rendered command (the environment is never recorded: it may hold
    secrets). The sum of ``wall_s`` is what the runner's overhead is measured against.
    """

    id: str
    purpose: str
    argv: list[str]
    status: str
    exit_code: int | None = None
    wall_s: float = 0.0
    peak_rss_bytes: int | None = None
    peak_gpu_bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "purpose": self.purpose,
            "argv": list(self.argv),
            "status": self.status,
            "exit_code": self.exit_code,
            "wall_s": self.wall_s,
            "peak_rss_bytes": self.peak_rss_bytes,
            "peak_gpu_bytes": self.peak_gpu_bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        return cls(
            id=str(data["id"]),
            purpose=str(data.get("purpose", "")),
            argv=[str(a) for a in data.get("argv", [])],
            status=str(data.get("status", "")),
            exit_code=data.get("exit_code"),
            wall_s=float(data.get("wall_s", 0.0)),
            peak_rss_bytes=data.get("peak_rss_bytes"),
            peak_gpu_bytes=data.get("peak_gpu_bytes"),
        )


@dataclass(frozen=True)
class RunReport:
    """Everything `mlready run` produced, as written to ``mlready-run.json``."""

    checks: tuple[CheckResult, ...]
    environment: dict[str, Scalar] = field(default_factory=dict)  # device, torch, python...
    config: dict[str, Any] = field(default_factory=dict)  # the effective runner config
    duration_s: float = 0.0
    schema_version: int = SCHEMA_VERSION
    runs: tuple[RunRecord, ...] = ()  # every command started, in order
    commands_wall_s: float = 0.0  # sum of the runs' wall times
    interrupted: bool = False  # Ctrl-C: checks not reached are `skipped`/`interrupted`
    # The project's files at the checkpoint glob that the runs overwrote and mlready put
    # back (`originals`), and why one could not be (naming where its original is).
    restored: tuple[str, ...] = ()
    not_restored: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = {
            "schema_version": self.schema_version,
            "tool": "mlready",
            "kind": "run",
            "environment": dict(self.environment),
            "config": dict(self.config),
            "duration_s": self.duration_s,
            "commands_wall_s": self.commands_wall_s,
            "interrupted": self.interrupted,
            "checks": [c.to_json() for c in self.checks],
            "runs": [r.to_json() for r in self.runs],
        }
        if self.restored:  # absent when nothing was: results files stay as they were
            data["restored"] = list(self.restored)
        if self.not_restored:
            data["not_restored"] = list(self.not_restored)
        return data

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
            runs=tuple(RunRecord.from_json(r) for r in data.get("runs", [])),
            commands_wall_s=float(data.get("commands_wall_s", 0.0)),
            interrupted=bool(data.get("interrupted", False)),
            restored=tuple(str(p) for p in data.get("restored", ())),
            not_restored=tuple(str(w) for w in data.get("not_restored", ())),
        )

    @property
    def no_gpu(self) -> bool:
        """`device = cuda` without a GPU here: every check was skipped, nothing measured."""
        return any(c.reason == NO_GPU for c in self.checks)

    @property
    def cannot_run_here(self) -> bool:
        """A training run could not run in this environment: nothing it does was measured."""
        return any(c.reason == ENVIRONMENT for c in self.checks)

    @property
    def exit_code(self) -> int:
        """0 all pass / not applicable / skipped, 1 any fail, 2 any error, 130 interrupted.

        A run that asked for a GPU and found none, or whose training cannot run here
        (reason ``environment``), proved nothing, so it must not look green: 2, like any
        other environment error.
        """
        if self.interrupted:
            return 130
        outcomes = {c.outcome for c in self.checks}
        if Outcome.ERROR in outcomes or self.no_gpu or self.cannot_run_here:
            return 2
        return 1 if Outcome.FAIL in outcomes else 0
