"""The renderers: pure functions of a report, checked on exact text and against schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import concise, full, github, json_format, sarif
from mlready.hooks.rules import Rule

SCHEMA = Path(__file__).resolve().parent.parent / "fixtures" / "sarif-schema-2.1.0.json"
DIAGNOSTICS = (
    Diagnostic("a, b.py", 3, 5, "MLR990", "`print(...)`: 100% wrong,\nreally: yes", 3, 12,
               fix="log it"),
    Diagnostic("nb.ipynb", 2, 1, "MLR990", "`print(...)`: use logging", cell=4),
    Diagnostic("z.py", 1, 1, "MLR000", "SyntaxError: invalid syntax"),
)


@pytest.fixture
def report(fake_rules: tuple[Rule, ...]) -> Report:
    return Report(Path("/work/proj"), 7, DIAGNOSTICS, fake_rules,
                  {"duplicate-function": {"functions": 2}}, (),
                  {"notebook": 1, "python": 6, "requirements": 1})


def test_concise(report: Report) -> None:
    assert concise.render(report) == (
        "a, b.py:3:5: MLR990 `print(...)`: 100% wrong,\\nreally: yes\n"
        "nb.ipynb:cell 4:2:1: MLR990 `print(...)`: use logging\n"
        "z.py:1:1: MLR000 SyntaxError: invalid syntax\n"
        "Found 3 errors.\n")


def test_github_escapes_like_the_actions_toolkit(report: Report) -> None:
    assert github.render(report) == (
        "::error file=a%2C b.py,line=3,col=5,endLine=3,endColumn=12,title=MLR990::"
        "`print(...)`: 100%25 wrong,%0Areally: yes\n"
        "::error file=nb.ipynb,title=MLR990::cell 4, line 2: `print(...)`: use logging\n"
        "::error file=z.py,line=1,col=1,title=MLR000::SyntaxError: invalid syntax\n")
    assert github.escape_property("a:b,c%d\re\nf") == "a%3Ab%2Cc%25d%0De%0Af"
    assert github.escape_data("a:b,c%d\re\nf") == "a:b,c%25d%0De%0Af"


def test_json_document(report: Report) -> None:
    document = json.loads(json_format.render(report))
    assert document == {
        "schema_version": 1, "tool": "mlready", "version": document["version"],
        "kind": "check", "root": "/work/proj", "files_checked": 7,
        "file_kinds": {"notebook": 1, "python": 6, "requirements": 1},
        "rules": ["MLR000", "MLR990", "MLR992", "MLR993", "MLR994", "MLR995", "MLR996"],
        "diagnostics": [d.to_json() for d in DIAGNOSTICS],
        "metrics": {"duplicate-function": {"functions": 2}}, "errors": []}
    assert [Diagnostic.from_json(d) for d in document["diagnostics"]] == list(DIAGNOSTICS)


def test_sarif_is_valid_sarif_2_1_0(report: Report) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    failing = Report(report.root, 1, report.diagnostics, report.rules, {},
                     ("x.py: internal error in rule MLR995 (explode): RuntimeError: kaboom",))
    for case in (report, failing):
        document = json.loads(sarif.render(case))
        jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            document)
    run = json.loads(sarif.render(failing))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert rules[1]["id"] == "MLR990" and rules[1]["name"] == "print-call"
    assert rules[1]["shortDescription"] == {"text": "A `print` call."}
    assert rules[1]["fullDescription"] == {"text": "Test rule."}
    assert rules[1]["helpUri"].endswith("#mlr990")
    assert run["results"][0] == {
        "ruleId": "MLR990", "ruleIndex": 1, "level": "error",
        "message": {"text": "`print(...)`: 100% wrong,\nreally: yes"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a, b.py", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 12}}}]}
    assert run["results"][1]["message"]["text"].startswith("cell 4, line 2: ")
    assert "region" not in run["results"][1]["locations"][0]["physicalLocation"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/proj/"}}
    assert run["invocations"][0]["executionSuccessful"] is False


def test_full_without_source_still_shows_help(report: Report) -> None:
    text = full.render(report, {("z.py", None): ["def f(:"]})
    assert text.split("\n\n") == [
        "a, b.py:3:5: MLR990 `print(...)`: 100% wrong,\\nreally: yes\n  = help: log it",
        "nb.ipynb:cell 4:2:1: MLR990 `print(...)`: use logging",
        "z.py:1:1: MLR000 SyntaxError: invalid syntax\n  |\n1 | def f(:\n  | ^^^^^^^ MLR000\n  |",
        "Found 3 errors.\n"]
