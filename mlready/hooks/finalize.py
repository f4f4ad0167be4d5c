"""The cross-file pass: each cross-file rule's ``finalize`` (and ``summarize``) over the
facts the per-file pass collected from the whole project, run in this process after it.
Findings are kept for the named files only (pre-commit names the changed ones), and a
finding on the project itself (``.``, ``.gitignore``) when the whole project is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlready.hooks.model import Diagnostic
from mlready.hooks.rules import Rule, RuleLoadError

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult
    from mlready.hooks.settings import Settings


def finalize_all(settings: Settings, project_args: dict[str, Any],
                 results: Mapping[str, FileResult]
                 ) -> tuple[list[Diagnostic], dict[str, Any], list[str]]:
    """Every cross-file rule of the run (measured ones only summarize): the findings to
    report, the metrics, and internal errors."""
    measured = {r.code for r in settings.measured}
    targets = project_args["targets"]
    files = project_args["files"]
    # A project-level finding sits on a file the engine does not read (``.gitignore``)
    # or on the root itself (``.``): it is reported when the whole project is checked.
    whole = targets.issuperset(files)
    found: list[Diagnostic] = []
    metrics: dict[str, Any] = {}
    errors: list[str] = []
    for rule in (r for r in (*settings.rules, *settings.measured) if r.cross):
        more, rule_metrics, rule_errors = finalize(rule, project_args, results,
                                                   settings.options_for(rule),
                                                   report=rule.code not in measured)
        found.extend(d for d in more if d.path in targets or (
            whole and d.path not in files and not d.path.startswith("/")))
        metrics.update(rule_metrics)
        errors.extend(rule_errors)
    return found, metrics, errors


def finalize(rule: Rule, project_args: dict[str, Any], results: Mapping[str, FileResult],
              options: Mapping[str, Any], report: bool = True,
              ) -> tuple[list[Diagnostic], dict[str, Any], list[str]]:
    """One cross-file rule's findings (unless ``report`` is false: a measured rule only
    summarizes), its metric, and its internal errors."""
    from mlready.hooks.analysis import to_cell
    from mlready.hooks.context import ProjectContext

    facts = {path: r.facts[rule.code] for path, r in sorted(results.items())
             if rule.code in r.facts}  # path order, whatever order the workers finished in
    project = ProjectContext(facts=facts, options=options, **project_args)
    found: list[Diagnostic] = []
    metrics: dict[str, Any] = {}
    errors: list[str] = []
    try:
        if report and rule.finalize is not None:
            found = list(rule.finalize(project))
        if rule.summarize is not None:
            metrics[rule.name] = dict(rule.summarize(project))
    except RuleLoadError:
        raise
    except Exception as exc:
        text = " ".join(str(exc).split())[:300]
        errors.append(f"{project.root}: internal error in rule {rule.code} ({rule.name}) "
                      f"while finalizing: {type(exc).__name__}: {text}")
    maps_cells = "python" in rule.kinds and "notebook" not in rule.kinds
    mapped = []
    for diagnostic in found:
        result = results.get(diagnostic.path)
        if maps_cells and result is not None and result.cells is not None \
                and diagnostic.cell is None:
            diagnostic = to_cell(diagnostic, result.cells)
        mapped.append(diagnostic)
    return mapped, metrics, errors
