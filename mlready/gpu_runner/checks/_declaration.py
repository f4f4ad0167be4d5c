"""What a runtime check declares about itself, read from the top of its own module.

A check is one module, as a Scorecard probe is one folder with its ``def.yml``: the
plan (which runs start), the session (torch start-up), the scorecard (its category)
and the generated docs (reasons, metrics, the run plan) all read these constants, so
adding a check edits no other file. Required, at the top of the module:

``ID``
    the check's id: ``--only``, the results file, the scorecard item.
``TITLE``
    one line: what a pass shows.
``ORDER``
    where it runs among the checks (smoke 10 ... distributed 60); runs start in this order.
``NEEDS``
    the runs it reads, in the order it starts them (keys of `plan.RUNS` or its ``RUNS``).
``CATEGORY``
    the scorecard category it feeds (a key of `mlready.scorecard.categories.BY_KEY`).
``REASONS``
    every ``reason`` the check itself returns -> `Reason` (its outcome and meaning);
    reasons of a failed command (`failures`) are common to all checks.
``VERDICT``
    how the check decides, for docs/runner-contract.md.
``METRICS``
    its main metrics -> what they measure ("" when the name says it), for docs/run-json.md.
``LOADS_CHECKPOINTS``
    True when it loads checkpoints, so the session imports torch while the first run works.
``check(session) -> CheckResult``
    the decision.

Optional: ``RUNS`` (runs it introduces, as `plan.RunSpec`), ``REQUIRES`` (config keys
without which it is not applicable, so its runs are not planned), ``ACTIVE`` (a function
of the config, False when the config turns the check off, e.g. ``seeds = 0``: it starts
nothing then, so its runs are not planned either), ``OPTIONS`` (config keys of its own
under ``[tool.mlready.runner]`` -> `Option`) and ``DERIVED_RUNS`` (runs whose number the
config decides, one per extra seed, or a run that what earlier runs measured decides,
the burn-in: `DerivedRuns`), so that the progress total and the docs' run plan count
them too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

from mlready.gpu_runner.plan import RunId, RunSpec
from mlready.gpu_runner.results import CheckResult, Outcome

if TYPE_CHECKING:  # the session imports the plan, as this module does: no cycle at run time
    from mlready.gpu_runner.session import Session

REQUIRED = ("ID", "TITLE", "ORDER", "NEEDS", "CATEGORY", "REASONS", "VERDICT", "METRICS",
            "LOADS_CHECKPOINTS", "check")


@dataclass(frozen=True)
class Reason:
    """One reason code a check returns: with which outcome, and what it means."""

    outcome: Outcome
    meaning: str = ""


@dataclass(frozen=True)
class Option:
    """A config key a check reads, declared with it: type, default, help, lower bound."""

    kind: type[float] | type[int] | type[str] | type[bool]
    default: float | int | str | bool
    help: str
    minimum: float | None = None


@dataclass(frozen=True)
class DerivedRuns:
    """Runs a check starts beyond its ``NEEDS``, as many as the config says.

    ``specs(config)`` are those runs for one config, in the order the check starts them
    (the check starts them from the same specs, `Session.run_extra`); the other fields
    are their row in the docs' run-plan table, where ``K`` stands for the config value.

    ``measured``: the runs start only when what the earlier runs measured calls for them
    (memory-growth's burn-in: when no run trained long enough), so no plan made before
    the first run can count them; they are left out of the progress total, which grows
    when one starts (`Session.run_extra` with ``planned=False``), and the docs' row says
    when they run.
    """

    specs: Callable[[Any], tuple[RunSpec, ...]]
    ids: str  # e.g. "`seed_2` ... `seed_{K-1}`"
    seed_steps: str
    purpose: str
    count: str  # how many, for the docs' full-run line: "K - 2 more with `seeds` = K"
    measured: bool = False


@dataclass(frozen=True)
class Check:
    """One check's declaration, as `declare` reads it from the module."""

    id: str
    title: str
    order: int
    needs: tuple[RunId, ...]
    category: str
    reasons: Mapping[str, Reason]
    verdict: str
    metrics: Mapping[str, str]
    loads_checkpoints: bool
    judge: Callable[[Session], CheckResult]
    module: str
    runs: tuple[RunSpec, ...] = ()
    requires: tuple[str, ...] = ()
    options: Mapping[str, Option] = field(default_factory=lambda: MappingProxyType({}))
    derived: DerivedRuns | None = None
    active: Callable[[Any], bool] | None = None

    def plan(self, config: Any) -> tuple[RunId, ...]:
        """The runs it starts with this config: its ``NEEDS``, then any derived runs the
        config alone decides (not those that measurements decide: `DerivedRuns.measured`);
        none when it does not apply."""
        if not self.applies(config):
            return ()
        if self.derived is None or self.derived.measured:
            return self.needs
        return (*self.needs, *(spec.id for spec in self.derived.specs(config)))

    def applies(self, config: Any) -> bool:
        """False when a config key it requires is unset, or the config turns it off
        (``ACTIVE``): it starts no run then, so its runs are not planned."""
        if self.active is not None and not self.active(config):
            return False
        return all(getattr(config, key, None) is not None for key in self.requires)


class DeclarationError(Exception):
    """A check module that does not declare what the registry reads (a bug in mlready)."""


def declare(module: ModuleType) -> Check:
    """The `Check` that ``module`` declares; raises `DeclarationError` naming what is missing."""
    missing = [name for name in REQUIRED if not hasattr(module, name)]
    if missing:
        raise DeclarationError(f"{module.__name__} does not declare {', '.join(missing)} "
                               "(see mlready/gpu_runner/checks/_declaration.py)")
    ns = vars(module)
    return Check(
        id=ns["ID"], title=ns["TITLE"], order=int(ns["ORDER"]), needs=tuple(ns["NEEDS"]),
        category=ns["CATEGORY"],
        reasons=MappingProxyType(dict(ns["REASONS"])), verdict=ns["VERDICT"],
        metrics=MappingProxyType(dict(ns["METRICS"])),
        loads_checkpoints=bool(ns["LOADS_CHECKPOINTS"]), judge=ns["check"],
        module=module.__name__, runs=tuple(ns.get("RUNS", ())),
        requires=tuple(ns.get("REQUIRES", ())),
        options=MappingProxyType(dict(ns.get("OPTIONS", {}))),
        derived=ns.get("DERIVED_RUNS"), active=ns.get("ACTIVE"),
    )
