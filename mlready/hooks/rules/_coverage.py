"""A coverage metric from per-file counts: what MLR401 (annotations) and MLR603
(docstrings) report under ``metrics`` in the JSON output, and the scorecard reads."""

from __future__ import annotations

from typing import Any

from mlready.hooks.context import ProjectContext


def ratio(covered: int, total: int) -> float | None:
    """``covered / total`` to four places; None when there is nothing to cover."""
    return round(covered / total, 4) if total else None


def summarize(project: ProjectContext, covered: str) -> dict[str, Any]:
    """Per file (files with at least one item) and for the project: ``covered`` (the
    facts' key for the covered count), ``total`` and ``ratio`` (``null`` when the
    project has nothing to cover)."""
    files: dict[str, dict[str, Any]] = {}
    done = total = 0
    for path in sorted(project.facts):
        facts = project.facts[path]
        if not isinstance(facts, dict) or not facts.get("total"):
            continue
        done += facts[covered]
        total += facts["total"]
        files[path] = {covered: facts[covered], "total": facts["total"],
                       "ratio": ratio(facts[covered], facts["total"])}
    return {"project": {covered: done, "total": total, "ratio": ratio(done, total)},
            "files": files}
