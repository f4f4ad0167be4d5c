"""Where a SARIF result points: one physical location per finding, as GitHub code
scanning reads it. Shared by ``--output-format sarif`` (`mlready.hooks.output.sarif`)
and the scorecard's fallback document, which must not import the engine.

A finding about the whole project (`Diagnostic.about_project`: no tests, no CI, no
dependency manifest) has no file of its own. GitHub rejects the whole upload when a
result has no location ("locationFromSarifResult: expected at least one location",
github/codeql-action#1738) or an empty ``artifactLocation.uri``; and the project root
``.`` is a folder, which GitHub cannot show and ``upload-sarif`` cannot fingerprint (it
skips a directory). Such a result is placed as OpenSSF Scorecard places its
repository-level results, at ``no file associated with this alert``, line 1: GitHub
accepts it and shows that text as the alert's location.
"""

from __future__ import annotations

from typing import Any

from mlready.hooks.model import Diagnostic

PROJECT_URI = "no file associated with this alert"
SRCROOT = "%SRCROOT%"


def physical_location(diagnostic: Diagnostic) -> dict[str, Any]:
    """The result's ``physicalLocation``: the file relative to ``%SRCROOT%`` (the project
    root) and the finding's region; a notebook cell has no region of the ``.ipynb`` file
    to point at (the message names the cell instead)."""
    if diagnostic.about_project:
        return {"artifactLocation": {"uri": PROJECT_URI}, "region": {"startLine": 1}}
    location: dict[str, Any] = {"artifactLocation": {"uri": diagnostic.path,
                                                     "uriBaseId": SRCROOT}}
    if diagnostic.cell is None:
        region = {"startLine": max(1, diagnostic.line), "startColumn": max(1, diagnostic.col)}
        if diagnostic.end_line is not None:
            region["endLine"] = max(diagnostic.end_line, region["startLine"])
            if diagnostic.end_col is not None:
                region["endColumn"] = max(1, diagnostic.end_col)
        location["region"] = region
    return location


def message_text(diagnostic: Diagnostic, text: str) -> str:
    """The result's message: ``text``, after the cell for a notebook finding."""
    if diagnostic.cell is None:
        return text
    return f"cell {diagnostic.cell}, line {diagnostic.line}: {text}"
