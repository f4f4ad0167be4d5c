"""The check declarations: every check declares every field, and each one is a real thing.

These are the decisions the plan, the session, the scorecard and the docs read; a check
that declared a run no one starts, or a category the scorecard does not have, would
silently drop out of the plan or land in the fallback category.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import types
from pathlib import Path

import pytest

from mlready.gpu_runner import catalog, checks, plan
from mlready.gpu_runner.checks import REGISTRY, RUNS, Check, DeclarationError
from mlready.gpu_runner.checks._declaration import REQUIRED, Reason, declare
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.results import Outcome
from mlready.scorecard import categories as cats


def _module(check: Check) -> types.ModuleType:
    return sys.modules[check.module]


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_every_check_declares_every_field(check: Check) -> None:
    module = _module(check)
    assert all(hasattr(module, name) for name in REQUIRED)
    assert check.id == module.__name__.rsplit(".", 1)[1].replace("_", "-")
    assert check.title and check.verdict and check.reasons
    assert isinstance(check.needs, tuple)  # empty for a check that runs no training (tests)
    assert all(isinstance(r, Reason) and isinstance(r.outcome, Outcome)
               for r in check.reasons.values())
    assert Outcome.PASS not in {r.outcome for r in check.reasons.values()}  # pass has none
    # One signature for every check: the session is all a check gets.
    assert list(inspect.signature(check.judge).parameters) == ["session"]


def test_the_catalog_read_without_imports_agrees_with_the_registry() -> None:
    assert [(e.id, e.order, e.category) for e in catalog.entries()] == [
        (c.id, c.order, c.category) for c in REGISTRY]


def test_ids_and_orders_are_unique() -> None:
    assert len({c.id for c in REGISTRY}) == len(REGISTRY)
    assert len({c.order for c in REGISTRY}) == len(REGISTRY)
    assert [c.order for c in REGISTRY] == sorted(c.order for c in REGISTRY)
    assert checks.IDS[0] == "smoke"  # first: the others point to it when `ref` fails


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_every_needed_run_is_a_known_run(check: Check) -> None:
    assert set(check.needs) <= set(RUNS)
    for spec in check.runs:  # a run a check introduces is one it reads
        assert spec.id in check.needs and spec.id not in plan.RUNS


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_every_category_is_a_real_category(check: Check) -> None:
    # The explicit decision, not the scorecard's fallback for unknown ids.
    assert check.category in cats.BY_KEY
    assert cats.CHECK_CATEGORIES[check.id] == check.category


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_required_keys_and_options_are_config_keys(check: Check) -> None:
    fields = {f.name for f in dataclasses.fields(RunnerConfig)}
    assert set(check.requires) <= fields
    for key, option in check.options.items():
        assert option.help and isinstance(option.default, option.kind), key


def _returned_reasons(source: str) -> set[str]:
    """Reason codes written as literals in a check module: ``reason="x"`` and
    ``Problem(outcome, "x", ...)``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg == "reason" and isinstance(kw.value, ast.Constant) \
                    and isinstance(kw.value.value, str):
                found.add(kw.value.value)
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name == "Problem" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            found.add(str(node.args[1].value))
    return found


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_every_reason_a_check_returns_is_declared(check: Check) -> None:
    source = Path(inspect.getfile(_module(check))).read_text(encoding="utf-8")
    assert _returned_reasons(source) <= set(check.reasons)


def test_a_module_missing_a_declaration_is_named() -> None:
    module = types.ModuleType("mlready.gpu_runner.checks.example")
    module.ID, module.TITLE = "example", "an example"  # type: ignore[attr-defined]
    with pytest.raises(DeclarationError, match=r"checks\.example does not declare ORDER, "
                                               r"NEEDS, CATEGORY, REASONS, VERDICT"):
        declare(module)


def test_plan_starts_each_run_once_in_check_order_and_skips_inapplicable_checks(
        tmp_path: Path) -> None:
    from mlready.gpu_runner.templates import parse_template

    train = parse_template(tmp_path, "train", "x", ("python",))
    bare = RunnerConfig(source=tmp_path, project_dir=tmp_path, train=train)
    applicable = [c.needs for c in REGISTRY if c.applies(bare)]
    runs = plan.planned(applicable)
    assert runs[:3] == ["ref", "repeat", "other_seed"]
    assert not {"eval", "long", "resumed"} & set(runs)  # no eval, no resume configured
    with_eval = dataclasses.replace(bare, eval=train)
    assert "eval" in plan.planned(c.needs for c in REGISTRY if c.applies(with_eval))
    assert plan.planned([("ref", "eval"), ("ref", "repeat")]) == ["ref", "eval", "repeat"]
