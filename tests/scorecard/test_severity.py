"""Severity from the static half orders the card (failing items and findings, errors
first), and a coverage metric whose rule is not selected still scores its category."""

from __future__ import annotations

import json

from mlready.gpu_runner.results import Outcome
from mlready.scorecard.inputs import static_from_json
from mlready.scorecard.model import Source, Status
from mlready.scorecard.render.sarif import render as render_sarif
from mlready.scorecard.scoring import RuleInfo, build

from .factories import check, diag, run, static

RULES = (
    RuleInfo("MLR001", "unseeded-python-random", severity="error"),
    RuleInfo("MLR101", "hardcoded-learning-rate", severity="warning"),
    RuleInfo("MLR103", "hardcoded-training-length", severity="warning"),
    RuleInfo("MLR201", "unpinned-requirement", severity="error"),
    RuleInfo("MLR401", "missing-type-annotation", severity="note"),
    RuleInfo("MLR501", "notebook-output", severity="warning"),
)


def test_failing_items_come_first_errors_before_warnings() -> None:
    findings = (diag("a.py", 1, "MLR101"), diag("b.py", 2, "MLR001"), diag("c.py", 3, "MLR103"))
    result = build(static(*findings), run(check("resume", Outcome.FAIL, "no resume")),
                   rules=RULES)
    items = result.category("reproducibility").items
    assert [(i.id, i.status) for i in items][:4] == [
        ("MLR001", Status.FAIL), ("resume", Status.FAIL),  # errors (a failed proof is one)
        ("MLR101", Status.FAIL), ("MLR103", Status.FAIL)]  # then warnings, in code order
    # the findings too: an error first, whatever its path
    assert [d.code for d in result.findings] == ["MLR001", "MLR101", "MLR103"]


def test_severity_comes_from_the_check_json() -> None:
    document = {"schema_version": 1, "kind": "check", "rules": ["MLR101", "MLR201"],
                "diagnostics": [
                    {"path": "a.py", "line": 1, "col": 1, "code": "MLR101",
                     "message": "m", "severity": "note"},
                    {"path": "z.txt", "line": 1, "col": 1, "code": "MLR201",
                     "message": "m", "severity": "error"}]}
    report = static_from_json(document)
    assert report.severities == {"MLR101": "note", "MLR201": "error"}
    result = build(report, None, rules=RULES)
    assert [d.code for d in result.findings] == ["MLR201", "MLR101"]


def test_sarif_levels_follow_the_rules_severity() -> None:
    result = build(static(diag("a.py", 1, "MLR101"), diag("b.py", 1, "MLR001"),
                          diag("c.py", 1, "MLR401")), None, rules=RULES)
    doc = json.loads(render_sarif(result))
    levels = {r["ruleId"]: r["level"] for r in doc["runs"][0]["results"]}
    assert levels == {"MLR001": "error", "MLR101": "warning", "MLR401": "note"}


def test_coverage_of_an_unselected_rule_still_scores_its_category() -> None:
    """MLR401 is off by default; the engine measures type-hint coverage anyway."""
    metrics = {"missing-type-annotation": {"project": {"annotated": 3, "total": 4,
                                                       "ratio": 0.75}, "files": {}},
               "undocumented-entrypoint": {"project": {"documented": 2, "total": 2,
                                                       "ratio": 1.0}, "files": {}}}
    result = build(static(metrics=metrics, rules=("MLR201",)), None, rules=RULES)
    code = {i.id: i for i in result.category("code").items}
    assert (code["MLR401"].status, code["MLR401"].credit, code["MLR401"].detail) == (
        Status.FAIL, 0.75, "75% covered (3/4); its findings are not selected")
    assert code["MLR401"].source is Source.RULE and code["MLR401"].findings == 0
    assert result.category("code").score == 87.5  # MLR201 passes, MLR401 earns 0.75
    docs = {i.id: i for i in result.category("documentation").items}
    assert (docs["MLR603"].status, docs["MLR603"].credit) == (Status.PASS, 1.0)
    assert result.category("documentation").score == 100.0
    # a selected rule is scored as before, once
    selected = build(static(metrics=metrics, rules=("MLR201", "MLR401")), None, rules=RULES)
    ids = [i.id for i in selected.category("code").items]
    assert ids.count("MLR401") == 1
    assert {i.id: i for i in selected.category("code").items}["MLR401"].detail == (
        "75% covered (3/4); no findings")


def test_annotations_show_the_fix_as_every_format_does() -> None:
    from mlready.hooks.output import github
    from mlready.hooks.rules import by_code
    from mlready.scorecard.render.annotations import finding_command

    found = diag("a.py", 3, "MLR101", "`Adam(lr=3e-4)`: learning rate is a literal")._replace(
        fix="read `lr` from the config")
    ours = finding_command(found)
    assert ours.endswith("::`Adam(lr=3e-4)`: learning rate is a literal%0A"
                         "help: read `lr` from the config")
    hook = github.command(found, by_code()["MLR101"].severity)
    assert hook.split("::")[-1] == ours.split("::")[-1]  # the same text, fix included
