"""Every registered rule against its fixture, with only that rule selected.

A fixture is ``tests/fixtures/rules/<CODE>.py`` (any single file) or a mini project
``tests/fixtures/rules/<CODE>/``; see tests/fixtures/README.md for the format.
"""

from __future__ import annotations

from pathlib import Path

import fixture_harness as harness
import pytest

from mlready.hooks.discovery import classify
from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic, context_kinds
from mlready.hooks.rules import Rule, all_rules


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: f"{r.code}-{r.name}")
def test_rule_matches_its_fixture(rule: Rule, tmp_path: Path) -> None:
    fixture = harness.fixture_for(rule.code)
    assert fixture is not None, (
        f"{rule.code} ({rule.name}) has no fixture: add tests/fixtures/rules/{rule.code}.py "
        f"or a folder tests/fixtures/rules/{rule.code}/ (see tests/fixtures/README.md)")
    project = harness.install(fixture, tmp_path)
    want = harness.expected(project)
    assert any(code == rule.code for _, _, _, code, _ in want), (
        f"{fixture}: no `# error: {rule.code}` expectation: a fixture must show the rule firing")
    report = harness.run(project, rule.code)
    assert report.errors == ()
    assert stray_kinds(report, rule) == [], (
        f"{rule.code} reports on paths of kinds it does not declare ({sorted(rule.kinds)}): a "
        "hook run naming only such files would not run it (mlready.hooks.rules, `reading`)")
    got = harness.actual(report, want)
    assert got == want, (f"\nmissing (expected, not reported):\n{harness.show(want - got)}"
                         f"\nunexpected (reported, not expected):\n{harness.show(got - want)}")


def stray_kinds(report: Report, rule: Rule) -> list[str]:
    """The rule's findings on paths of a kind it does not declare. A path of no file kind
    (``.gitignore``, a README, a committed checkpoint) is of kind ``other`` when named on
    the command line, so a rule reporting on one declares ``other``; only the root (the
    whole project) is reported by a whole-project check alone."""
    stray = []
    for d in report.diagnostics:
        if d.code != rule.code or d.about_project:
            continue
        kind = classify(d.path) or "other"
        if rule.kinds.isdisjoint((kind, *context_kinds(kind))):
            stray.append(f"{d.path}:{d.line} ({kind})")
    return stray


def test_a_finding_on_a_file_of_another_kind_is_stray(tmp_path: Path) -> None:
    rule = next(r for r in all_rules() if r.code == "MLR201")  # reads requirements only
    found = Diagnostic("train.py", 1, 1, "MLR201", "m")
    report = Report(tmp_path, 1, (found, found._replace(path="requirements.txt"),
                                  found._replace(path="."), found._replace(path="w.pt")),
                    (rule,))
    assert stray_kinds(report, rule) == ["train.py:1 (python)", "w.pt:1 (other)"]


def test_every_fixture_belongs_to_a_rule() -> None:
    codes = {rule.code for rule in all_rules()}
    stray = sorted(p.name for p in harness.FIXTURES.iterdir()
                   if p.name.split(".")[0] not in codes and p.name != "README.md")
    assert stray == []


def test_expectations_read_codes_and_messages() -> None:
    assert harness.parse_expectations(
        "f(lr=1e-3)  # error: MLR101 `f(lr=1e-3)`: a literal  # error: MLR104 `m`: # kept") == [
        ("MLR101", "`f(lr=1e-3)`: a literal"), ("MLR104", "`m`: # kept")]
    assert harness.parse_expectations("x  # error: MLR101, MLR102") == [
        ("MLR101", None), ("MLR102", None)]
    assert harness.parse_expectations("x = 1  # an ordinary comment") == []
    with pytest.raises(ValueError, match="a message after several codes"):
        harness.parse_expectations("x  # error: MLR101, MLR102 some text")


def test_a_changed_message_fails_the_fixture(tmp_path: Path) -> None:
    fixture = harness.fixture_for("MLR304")
    assert fixture is not None
    project = harness.install(fixture, tmp_path)
    report = harness.run(project, "MLR304")
    want = harness.expected(project)
    assert harness.actual(report, want) == want
    path = project / fixture.name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("# error: MLR304 `", "# error: MLR304 `x", 1), encoding="utf-8")
    changed = harness.expected(project)
    assert {f[:4] for f in changed} == {f[:4] for f in want}  # same places and codes
    assert harness.actual(report, changed) != changed  # but one message differs
    # a codes-only expectation still compares the code alone
    codes_only = {(*f[:4], None) for f in want}
    assert harness.actual(report, codes_only) == codes_only
