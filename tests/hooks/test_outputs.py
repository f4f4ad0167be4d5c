"""The renderers: pure functions of a report, checked on exact text and against schemas."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

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
    Diagnostic("z.py", 2, 1, "MLR993", "`print(...)`: use logging", fix="log it"),
)
# The fake rules' severities (tests/hooks/conftest.py): MLR000 error, MLR993 note, the rest
# warnings.
SEVERITIES = ["warning", "warning", "error", "note"]


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
        "z.py:2:1: MLR993 `print(...)`: use logging\n"
        "Found 4 findings: 1 error, 2 warnings, 1 note.\n")


def test_summary_counts_by_severity(report: Report) -> None:
    one = report._replace(diagnostics=DIAGNOSTICS[2:3])
    assert concise.summary(one) == "Found 1 finding: 1 error."
    assert concise.summary(report._replace(diagnostics=())) == "All checks passed!"
    unknown = report._replace(diagnostics=(DIAGNOSTICS[0]._replace(code="MLR999"),))
    assert concise.summary(unknown) == "Found 1 finding: 1 error."  # as every finding was


def test_fail_on_counts_its_severity_and_worse() -> None:
    from mlready.hooks.output import counted

    assert [counted(s, None) for s in ("error", "warning", "note")] == [True, True, True]
    assert [counted(s, "error") for s in ("error", "warning", "note")] == [True, False, False]
    assert [counted(s, "warning") for s in ("error", "warning", "note")] == [True, True, False]
    assert [counted(s, "note") for s in ("error", "warning", "note")] == [True, True, True]


def test_github_escapes_like_the_actions_toolkit(report: Report) -> None:
    # the level is the rule's severity (a note is GitHub's "notice"); the fix is a help line
    assert github.render(report) == (
        "::warning file=a%2C b.py,line=3,col=5,endLine=3,endColumn=12,title=MLR990::"
        "`print(...)`: 100%25 wrong,%0Areally: yes%0Ahelp: log it\n"
        "::warning file=nb.ipynb,title=MLR990::cell 4, line 2: `print(...)`: use logging\n"
        "::error file=z.py,line=1,col=1,title=MLR000::SyntaxError: invalid syntax\n"
        "::notice file=z.py,line=2,col=1,title=MLR993::`print(...)`: use logging%0A"
        "help: log it\n")
    assert github.escape_property("a:b,c%d\re\nf") == "a%3Ab%2Cc%25d%0De%0Af"
    assert github.escape_data("a:b,c%d\re\nf") == "a:b,c%25d%0De%0Af"


def test_github_project_findings_have_no_file(tmp_path: Path) -> None:
    """MLR205 and MLR601 are about the whole project (path ``.``): ``file=.`` names a
    folder GitHub cannot show, so their annotations carry no file, line or column."""
    from mlready.hooks.engine import check
    from mlready.hooks.settings import Overrides

    (tmp_path / "train.py").write_text("import numpy\n", encoding="utf-8")
    real = check([tmp_path], Overrides(select=["MLR205", "MLR601"], no_cache=True), jobs=1)
    assert sorted(d.path for d in real.diagnostics) == [".", "."]
    for line in github.render(real).splitlines():
        level, title = line.split("::")[1].split(" ", 1)
        assert (level, title) in (("error", "title=MLR205"), ("warning", "title=MLR601")), line
    hostile = Diagnostic(".", 1, 1, "MLR990", "no `README`:\n::error::x 100%", fix="add: one")
    assert github.command(hostile, "warning") == (
        "::warning title=MLR990::no `README`:%0A::error::x 100%25%0Ahelp: add: one")


def test_sarif_places_project_findings_where_github_accepts_them(tmp_path: Path) -> None:
    """A finding about the whole project (path ``.``) still has one location (GitHub
    rejects the upload otherwise) and not the folder ``.`` (GitHub can neither show nor
    fingerprint a folder): OpenSSF Scorecard's placeholder, percent-encoded, line 1. The
    document stays valid SARIF 2.1.0, URI formats included (the spaces of Scorecard's own
    placeholder fail ``uri-reference``, which ``upload-sarif`` logs as a warning)."""
    from mlready.hooks.engine import check
    from mlready.hooks.output.sarif_location import PROJECT_URI
    from mlready.hooks.settings import Overrides

    (tmp_path / "train.py").write_text("import numpy\n", encoding="utf-8")
    real = check([tmp_path], Overrides(select=["MLR205", "MLR614"], no_cache=True), jobs=1)
    assert sorted((d.path, d.code) for d in real.diagnostics) == [
        (".", "MLR205"), (".", "MLR614")]
    document = json.loads(sarif.render(real))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    formats = jsonschema.FormatChecker()
    assert "uri-reference" in formats.checkers  # rfc3986-validator (the dev extra)
    assert not formats.conforms("no file associated with this alert", "uri-reference")
    jsonschema.Draft4Validator(schema, format_checker=formats).validate(document)
    assert unquote(PROJECT_URI) == "no file associated with this alert"  # as GitHub shows it
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["MLR205", "MLR614"]
    for found in results:
        assert found["locations"] == [{"physicalLocation": {
            "artifactLocation": {"uri": PROJECT_URI}, "region": {"startLine": 1}}}]
        assert found["message"]["text"].startswith("the project ")


def test_sarif_uris_are_percent_encoded_paths() -> None:
    """A raw space fails ``uri-reference``; a raw ``%`` makes ``upload-sarif``'s
    ``decodeURIComponent`` throw. Encoded, each decodes back to the project path."""
    from mlready.hooks.output.sarif_location import physical_location

    for path, expected in (("src/a.py", "src/a.py"), ("my data/100% done.py",
                                                       "my%20data/100%25%20done.py"),
                           ("nb/é#1?.ipynb", "nb/%C3%A9%231%3F.ipynb")):
        found = physical_location(Diagnostic(path, 1, 1, "MLR101", "m"))
        assert found["artifactLocation"] == {"uri": expected, "uriBaseId": "%SRCROOT%"}
        assert unquote(expected) == path


def test_json_document(report: Report) -> None:
    document = json.loads(json_format.render(report))
    assert document == {
        "schema_version": 1, "tool": "mlready", "version": document["version"],
        "kind": "check", "root": "/work/proj", "files_checked": 7,
        "file_kinds": {"notebook": 1, "python": 6, "requirements": 1},
        "rules": ["MLR000", "MLR990", "MLR992", "MLR993", "MLR994", "MLR995", "MLR996"],
        "diagnostics": [{**d.to_json(), "severity": severity}
                        for d, severity in zip(DIAGNOSTICS, SEVERITIES, strict=True)],
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
    assert [r["defaultConfiguration"]["level"] for r in rules] == [
        "error", "warning", "warning", "note", "warning", "warning", "warning"]
    assert [r["level"] for r in run["results"]] == SEVERITIES
    assert run["results"][0] == {
        "ruleId": "MLR990", "ruleIndex": 1, "level": "warning",
        "message": {"text": "`print(...)`: 100% wrong,\nreally: yes\nhelp: log it"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a%2C%20b.py", "uriBaseId": "%SRCROOT%"},
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
        "z.py:2:1: MLR993 `print(...)`: use logging\n  = help: log it",
        "Found 4 findings: 1 error, 2 warnings, 1 note.\n"]
