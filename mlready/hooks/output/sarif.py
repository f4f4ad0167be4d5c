"""``sarif``: a SARIF 2.1.0 log, for GitHub code scanning and other SARIF consumers.

One run; the driver lists the selected rules (id, name, short and full description,
help text and URI, all from the rule docs) and each finding is a result pointing at
a region of a file relative to ``%SRCROOT%`` (the project root), or, for a finding about
the whole project, at OpenSSF Scorecard's placeholder
(`mlready.hooks.output.sarif_location` says why). A result's ``level``
is its rule's severity (SARIF has the same three: error, warning, note), and its
message carries the fix as a ``help:`` line, as ``full`` prints it. A notebook-cell
finding has no region of the ``.ipynb`` file to point at: its message names the cell.
Internal errors become tool execution notifications and mark the run unsuccessful.
"""

from __future__ import annotations

import json
from typing import Any

from mlready import __version__
from mlready.hooks.docs import headline, render_rule, sections
from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import UNKNOWN_SEVERITY, severities, severity_of, with_help
from mlready.hooks.output.sarif_location import SRCROOT, message_text, physical_location
from mlready.hooks.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOMEPAGE = "https://github.com/org/mlready-action"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    what = sections(rule).get("What it does", headline(rule))
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": headline(rule) or rule.name},
        "fullDescription": {"text": " ".join(what.split())},
        "help": {"text": render_rule(rule), "markdown": render_rule(rule)},
        "helpUri": f"{HOMEPAGE}#{rule.code.lower()}",
        "defaultConfiguration": {"level": rule.severity, "enabled": rule.default},
    }


def result(diagnostic: Diagnostic, index: dict[str, int],
           severity: str = UNKNOWN_SEVERITY) -> dict[str, Any]:
    found: dict[str, Any] = {
        "ruleId": diagnostic.code, "level": severity,
        "message": {"text": message_text(diagnostic, with_help(diagnostic))},
        "locations": [{"physicalLocation": physical_location(diagnostic)}]}
    if diagnostic.code in index:
        found["ruleIndex"] = index[diagnostic.code]
    return found


def document(report: Report) -> dict[str, Any]:
    index = {rule.code: n for n, rule in enumerate(report.rules)}
    table = severities(report.rules)
    root = report.root.as_uri().rstrip("/") + "/"
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if report.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": line}} for line in report.errors]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mlready", "version": __version__,
                                "informationUri": HOMEPAGE,
                                "rules": [rule_descriptor(r) for r in report.rules]}},
            "originalUriBaseIds": {SRCROOT: {"uri": root}},
            "invocations": [invocation],
            "results": [result(d, index, severity_of(d, table)) for d in report.diagnostics],
        }],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2) + "\n"
