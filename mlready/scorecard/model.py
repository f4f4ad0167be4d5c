"""The scorecard's values: items, categories, the baseline delta, the card itself.

Frozen dataclasses only; building them is `scoring`'s job, showing them the renderers'.
Findings are the static half's `Diagnostic`s and runtime results the runner's
`CheckResult`s, carried unchanged so that every surface can show the details.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from mlready.gpu_runner.results import CheckResult
from mlready.hooks.model import Diagnostic
from mlready.scorecard.levels import Level

SCHEMA_VERSION = 1


class Status(enum.StrEnum):
    """What became of one item. Only ``pass`` and ``fail`` count towards a score."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"  # nothing to check (no eval command configured)
    SKIPPED = "skipped"  # could not run here (needs a GPU)
    ERROR = "error"  # the harness failed: says nothing about the user's code
    NOT_MEASURED = "not_measured"  # its half was not run, or the check could not measure

    @property
    def scored(self) -> bool:
        return self in (Status.PASS, Status.FAIL)


class Source(enum.StrEnum):
    RULE = "rule"  # a static rule: passes with no findings
    CHECK = "check"  # a runtime check: its outcome
    METRIC = "metric"  # a derived measurement (annotation coverage, metrics logged)


@dataclass(frozen=True)
class ItemResult:
    """One scored thing: a rule, a runtime check, or a derived metric.

    ``credit`` is the share of the item's ``weight`` earned, in [0, 1], or None when
    the item is not scored (see `Status.scored`). ``findings`` counts a rule's findings.
    """

    id: str
    category: str
    status: Status
    detail: str
    source: Source
    credit: float | None = None
    weight: float = 1.0
    findings: int = 0
    title: str = ""


@dataclass(frozen=True)
class CategoryScore:
    """One category of the checklist's scoring table. ``score`` is None when nothing
    in the category was measured: never zero, never full marks."""

    key: str
    name: str
    weight: float
    score: float | None
    items: tuple[ItemResult, ...] = ()

    @property
    def measured(self) -> bool:
        return self.score is not None

    def count(self, status: Status) -> int:
        return sum(1 for item in self.items if item.status is status)


@dataclass(frozen=True)
class FindingKey:
    """How a finding is recognised across commits: line numbers shift, these do not."""

    path: str
    code: str
    message: str

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> FindingKey:
        return cls(diagnostic.path, diagnostic.code, diagnostic.message)


@dataclass(frozen=True)
class Baseline:
    """The change against the base branch.

    ``categories`` maps category key to head minus base, None where either side was not
    measured; ``introduced`` are head findings the base did not have, ``fixed`` base
    findings the head no longer has (matched by `FindingKey`, counting duplicates).
    ``settings_changed`` are the ``[tool.mlready]`` keys the PR changes that the head was
    judged without (the base's were used); ``runner_settings_changed`` those of the
    runner, which the runtime results were measured with; ``settings_files`` the
    configuration files (repository-relative) the head would read in place of the base's
    (a ``pyproject.toml`` it adds nearer, or one it cannot read), ignored the same way;
    ``silenced`` the findings the PR's new ``# noqa`` comments silence.
    """

    ref: str
    score_delta: float | None
    base_score: float | None
    categories: dict[str, float | None] = field(default_factory=dict)
    introduced: tuple[Diagnostic, ...] = ()
    fixed: tuple[Diagnostic, ...] = ()
    sha: str | None = None
    settings_changed: tuple[str, ...] = ()
    runner_settings_changed: tuple[str, ...] = ()
    settings_files: tuple[str, ...] = ()
    silenced: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """Which halves fed the card, for the "not measured" notes."""

    static: bool
    runtime: bool
    static_root: str | None = None
    files_checked: int | None = None
    static_errors: tuple[str, ...] = ()
    environment: dict[str, object] = field(default_factory=dict)
    # Why the runtime half was asked for and could not run (`mlready ci` full mode with no
    # train command): the card must not read as a runtime pass. None when it ran or was
    # not asked for.
    runtime_missing: str | None = None
    static_only: bool = False  # `mlready ci --mode static`: the runtime half was not asked for


@dataclass(frozen=True)
class Cap:
    """Why the level is below what the score alone would give.

    ``uncapped`` is the score's own level; ``reason`` one line for every surface
    ("runtime proof failed: reproducibility, resume"); ``checks`` the runtime checks
    that failed or were not proven, in run order (empty when the cap is coverage).
    """

    uncapped: Level
    reason: str
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scorecard:
    """Everything every surface shows.

    ``score`` is the weighted mean over measured categories (None when none was);
    ``coverage`` the share of the total weight that was measured, in [0, 1];
    ``weakest`` the key of the lowest-scoring measured category; ``cap`` why ``level``
    is lower than the score's own level (None when it is not).
    """

    score: float | None
    level: Level
    coverage: float
    weakest: str | None
    categories: tuple[CategoryScore, ...]
    findings: tuple[Diagnostic, ...]
    checks: tuple[CheckResult, ...]
    inputs: Inputs
    baseline: Baseline | None = None
    schema_version: int = SCHEMA_VERSION
    cap: Cap | None = None

    def category(self, key: str) -> CategoryScore:
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(key)
