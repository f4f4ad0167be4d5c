"""``json``: the versioned document the scorecard reads (see docs/check-json.md).

``schema_version`` changes only when a field changes meaning or disappears; new
fields may be added within a version. Each finding carries its rule's ``severity``
(``error``, ``warning`` or ``note``), so that a reader needs no rule registry.
"""

from __future__ import annotations

import json

from mlready import __version__
from mlready.hooks.engine import Report
from mlready.hooks.output import severities, severity_of

SCHEMA_VERSION = 1


def document(report: Report) -> dict[str, object]:
    table = severities(report.rules)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "mlready",
        "version": __version__,
        "kind": "check",
        "root": report.root.as_posix(),
        "files_checked": report.files_checked,
        "file_kinds": dict(report.file_kinds),
        "rules": [rule.code for rule in report.rules],
        "diagnostics": [{**d.to_json(), "severity": severity_of(d, table)}
                        for d in report.diagnostics],
        "metrics": dict(report.metrics),
        "errors": list(report.errors),
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, sort_keys=False) + "\n"
