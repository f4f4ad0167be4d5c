"""Every rule and every runner check feeds exactly one category."""

from __future__ import annotations

import pytest

from mlready.gpu_runner.checks import IDS, REGISTRY, Check
from mlready.hooks.rules import Rule, all_rules
from mlready.scorecard import categories as cats
from mlready.scorecard.scoring import EXPECTED_CHECKS


def test_weights_are_the_checklist_table() -> None:
    assert [(c.name, c.weight) for c in cats.CATEGORIES] == [
        ("Reproducibility & experiment management", 25),
        ("Model & training quality", 20),
        ("Performance & scalability", 15),
        ("Testing & validation", 10),
        ("Code organization", 10),
        ("Logging & monitoring", 10),
        ("Documentation", 10),
    ]
    assert sum(c.weight for c in cats.CATEGORIES) == 100


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_registered_rule_maps_to_a_category(rule: Rule) -> None:
    # an explicit decision (the rule's own entry or its code family's), not the fallback
    assert rule.code in cats.RULE_CATEGORIES or rule.code[:4] in cats.FAMILY_CATEGORIES
    assert cats.category_for_rule(rule.code) in cats.BY_KEY


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_every_runner_check_declares_a_real_category(check: Check) -> None:
    # The check's own CATEGORY, not the fallback for ids no registered check has.
    assert check.category in cats.BY_KEY
    assert cats.category_for_check(check.id) == check.category


def test_the_built_in_checks_feed_the_checklist_categories() -> None:
    assert {k: cats.CHECK_CATEGORIES[k] for k in (
        "smoke", "checkpoint", "eval", "reproducibility", "resume", "distributed",
        "tests")} == {
        # training runs and its objective improves; a smoke run is not a test suite
        "smoke": "training",
        "tests": "testing",  # "unit tests", "all tests passing": the project's own suite
        "checkpoint": "reproducibility",  # "checkpoint includes optimizer/scheduler state"
        "eval": "training",  # the trained model meets its thresholds
        "reproducibility": "reproducibility",  # "same seed produces same results"
        "resume": "reproducibility",  # "can resume training seamlessly from checkpoint"
        "distributed": "performance",  # "multi-GPU training configured"
    }


def test_expected_checks_are_the_runner_registry() -> None:
    assert EXPECTED_CHECKS == IDS


def test_explicit_entries_and_fallbacks() -> None:
    assert all(v in cats.BY_KEY for v in cats.RULE_CATEGORIES.values())
    assert all(v in cats.BY_KEY for v in cats.FAMILY_CATEGORIES.values())
    assert cats.category_for_rule("MLR000") == "code"  # syntax error: not reproducibility
    assert cats.category_for_rule("MLR007") == "reproducibility"
    assert cats.category_for_rule("MLR312") == "reproducibility"
    assert cats.category_for_rule("MLR745") == "training"
    assert cats.category_for_rule("E501") == "code"
    assert cats.category_for_check("something-new") == "testing"


@pytest.mark.parametrize("code", ["MLR601", "MLR602", "MLR603", "MLR901"])
def test_documentation_rules_feed_documentation(code: str) -> None:
    assert cats.category_for_rule(code) == "documentation"


def test_derived_items_feed_logging_and_performance() -> None:
    assert [(d.id, d.category) for d in cats.DERIVED_ITEMS] == [
        ("smoke.metrics-logged", "logging"), ("smoke.throughput-measured", "performance")]
