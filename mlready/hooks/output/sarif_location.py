"""Where a SARIF result points: one physical location per finding, as GitHub code
scanning reads it. Shared by ``--output-format sarif`` (`mlready.hooks.output.sarif`)
and the scorecard's fallback document, which must not import the engine.

A finding about the whole project (`Diagnostic.about_project`: no tests, no CI, no
dependency manifest) has no file of its own. GitHub rejects the whole upload when a
result has no location ("locationFromSarifResult: expected at least one location",
github/codeql-action#1738) or an empty ``artifactLocation.uri``; and the project root
``.`` is a folder, which GitHub cannot show and ``upload-sarif`` cannot fingerprint (it
skips a directory). Such a result is placed where OpenSSF Scorecard places its
repository-level results, at "no file associated with this alert", line 1, which
GitHub shows as the alert's location; but percent-encoded (``no%20file%20...``), as
RFC 3986 and the SARIF schema's ``uri-reference`` format want. Scorecard's raw spaces
made ``upload-sarif`` reject uploads in 2023 (ossf/scorecard#3063, codeql-action#1703);
it has since let them through, logging "Warning: '...' is not a valid URI" for each
(codeql-action#2487). The encoded form passes without that line, and means the same to
GitHub: ``upload-sarif`` decodes a URI (``decodeURIComponent``) before it looks for the
file to fingerprint, and code scanning decodes the percent-encoded paths CodeQL itself
writes for files with spaces.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mlready.hooks.model import Diagnostic

PROJECT_URI = "no%20file%20associated%20with%20this%20alert"
SRCROOT = "%SRCROOT%"


def uri(path: str) -> str:
    """A project path as a relative URI reference: percent-encoded but for ``/``. A raw
    space fails the schema's ``uri-reference`` (a warning in ``upload-sarif``'s log), and
    a raw ``%`` stops the upload: ``decodeURIComponent`` throws "URI malformed"
    (github/codeql-action#1542)."""
    return quote(path, safe="/")


def physical_location(diagnostic: Diagnostic) -> dict[str, Any]:
    """The result's ``physicalLocation``: the file relative to ``%SRCROOT%`` (the project
    root, its path encoded by `uri`) and the finding's region; a notebook cell has no
    region of the ``.ipynb`` file to point at (the message names the cell instead)."""
    if diagnostic.about_project:
        return {"artifactLocation": {"uri": PROJECT_URI}, "region": {"startLine": 1}}
    location: dict[str, Any] = {"artifactLocation": {"uri": uri(diagnostic.path),
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
