"""Every registered rule against its fixture, with only that rule selected.

A fixture is ``tests/fixtures/rules/<CODE>.py`` (any single file) or a mini project
``tests/fixtures/rules/<CODE>/``; see tests/fixtures/README.md for the format.
"""

from __future__ import annotations

from pathlib import Path

import fixture_harness as harness
import pytest

from mlready.hooks.rules import Rule, all_rules


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: f"{r.code}-{r.name}")
def test_rule_matches_its_fixture(rule: Rule, tmp_path: Path) -> None:
    fixture = harness.fixture_for(rule.code)
    assert fixture is not None, (
        f"{rule.code} ({rule.name}) has no fixture: add tests/fixtures/rules/{rule.code}.py "
        f"or a folder tests/fixtures/rules/{rule.code}/ (see tests/fixtures/README.md)")
    project = harness.install(fixture, tmp_path)
    want = harness.expected(project)
    assert any(code == rule.code for *_, code in want), (
        f"{fixture}: no `# error: {rule.code}` expectation: a fixture must show the rule firing")
    report = harness.run(project, rule.code)
    assert report.errors == ()
    got = harness.actual(report)
    assert got == want, (f"\nmissing (expected, not reported):\n{harness.show(want - got)}"
                         f"\nunexpected (reported, not expected):\n{harness.show(got - want)}")


def test_every_fixture_belongs_to_a_rule() -> None:
    codes = {rule.code for rule in all_rules()}
    stray = sorted(p.name for p in harness.FIXTURES.iterdir()
                   if p.name.split(".")[0] not in codes and p.name != "README.md")
    assert stray == []
