"""``json``: the versioned document the scorecard reads (see docs/check-json.md).

``schema_version`` changes only when a field changes meaning or disappears; new
fields may be added within a version.
"""

from __future__ import annotations

import json

from mlready import __version__
from mlready.hooks.engine import Report

SCHEMA_VERSION = 1


def document(report: Report) -> dict[str, object]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "mlready",
        "version": __version__,
        "kind": "check",
        "root": report.root.as_posix(),
        "files_checked": report.files_checked,
        "file_kinds": dict(report.file_kinds),
        "rules": [rule.code for rule in report.rules],
        "diagnostics": [d.to_json() for d in report.diagnostics],
        "metrics": dict(report.metrics),
        "errors": list(report.errors),
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, sort_keys=False) + "\n"
