"""The cross-file pass: each cross-file rule's ``finalize`` (and ``summarize``) over the
facts the per-file pass collected from the whole project, run in this process after it.
Findings are kept for the named files only (pre-commit names the changed ones), and a
finding on the project itself (``.``, ``.gitignore``) when the whole project is checked.

A rule's result is a function of what its `ProjectContext` holds: its own facts of every
file, the project's file names, the named files, the root, the excludes, its options,
and what it asked the disk (`mlready.hooks.probes`). Each rule's result is kept in the
project index (`mlready.hooks.project_index`) under a key of the names, the named files,
the root, the excludes and the options, with the disk's answers beside; the facts it
was computed from are the ones the index holds beside it (`mlready.hooks.facts_index`:
the index is written with the results, and each file's facts are a function of its
content). A later run reuses a result while the key matches, every answer holds, and
no file it read afresh (the named ones, and any the stat did not vouch for) has facts
for that rule other than the index's. Files the index gave this run are, by
construction, as the results saw them, so a one-file run compares one file's facts, not
the project's. An edit that leaves a rule's facts as they were (a comment, a file no
rule collects from) recomputes nothing for that rule; one that changes them recomputes
that rule over the whole project, as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mlready.hooks.cache import digest
from mlready.hooks.model import Diagnostic, FileKind
from mlready.hooks.probes import unchanged
from mlready.hooks.rules import Rule, RuleLoadError, reading

if TYPE_CHECKING:
    from mlready.hooks.probes import Probes
    from mlready.hooks.results import FileResult
    from mlready.hooks.settings import Settings

# path of a file read afresh -> the codes whose facts differ from the index's (None: the
# index has none of that file to compare with), `mlready.hooks.facts_index.changed_codes`
Changed = Mapping[str, frozenset[str] | None]


def finalize_all(settings: Settings, project_args: dict[str, Any],
                 results: Mapping[str, FileResult], changed: Changed | None = None,
                 previous: Any = None, reported_kinds: frozenset[FileKind] | None = None,
                 ) -> tuple[list[Diagnostic], dict[str, Any], list[str], dict[str, Any]]:
    """Every cross-file rule of the run (measured ones only summarize): the findings to
    report, the metrics, internal errors, and what to keep for the next run (the
    results of rules without errors, and every answer the disk gave them). A rule whose
    key is that of its result in ``previous`` (the last run's, kept beside the index's
    facts), and whose facts no file read afresh ``changed``, is not run again. In a run
    that does not cover the whole project, a rule that reads none of the named files'
    kinds (``reported_kinds``; None: any) can report on none of them, and is skipped
    unless it summarizes."""
    measured = {r.code for r in settings.measured}
    targets = project_args["targets"]
    files = project_args["files"]
    disk: Probes = project_args["disk"]
    # A project-level finding sits on a file the engine does not read (``.gitignore``)
    # or on the root itself (``.``): it is reported when the whole project is checked.
    whole = targets.issuperset(files)
    found: list[Diagnostic] = []
    metrics: dict[str, Any] = {}
    errors: list[str] = []
    kept: dict[str, Any] = {}
    reusable = _reusable(previous)
    names = digest("\0".join(files).encode("utf-8", "surrogateescape"))
    common = [str(project_args["root"]), names, sorted(targets), list(project_args["excludes"])]
    # No result is reused without knowing what changed, or when a file read afresh has
    # no facts in the index to compare with.
    unsure = changed is None or any(codes is None for codes in changed.values())
    touched = set().union(*(codes for codes in (changed or {}).values() if codes))
    for rule in (r for r in (*settings.rules, *settings.measured) if r.cross):
        if (not whole and reported_kinds is not None and not reading([rule], reported_kinds)
                and "summarize" not in rule.parts):
            continue  # it can report on no named file, and measures nothing
        options = settings.options_for(rule)
        report = rule.code not in measured
        key = _key(rule.code, report, options, common)
        again = (None if unsure or rule.code in touched
                 else reusable.result(rule.code, key, disk))
        if again is not None:
            more, rule_metrics = again
            rule_errors: list[str] = []
        else:
            raw, rule_metrics, rule_errors = finalize(rule, project_args, results, options,
                                                      report=report)
            more = [d for d in raw if d.path in targets or (
                whole and d.path not in files and not d.path.startswith("/"))]
        # Kept in the joined source's lines, placed in cells on every run: a notebook's
        # cells are none of a rule's facts (a markdown cell inserted changes no fact),
        # so a reused finding is placed in the cells as they are now.
        record = {"key": key, "found": [d.to_json() for d in more], "metrics": rule_metrics}
        if not rule_errors and _storable(record):
            kept[rule.code] = record
        found.extend(in_cells(rule, results, more))
        metrics.update(rule_metrics)
        errors.extend(rule_errors)
    return found, metrics, errors, {"disk": dict(disk.seen), "rules": kept}


class _Previous(dict[str, Any]):
    """The last run's kept results (code -> record), its disk answers checked once."""

    def __init__(self, rules: Mapping[str, Any], answers: Mapping[str, Any]) -> None:
        super().__init__(rules)
        self.answers = answers
        self._holds: bool | None = None

    def result(self, code: str, key: str, disk: Probes
               ) -> tuple[list[Diagnostic], dict[str, Any]] | None:
        """The rule's kept findings and metrics when kept under ``key`` and the disk's
        answers hold, else None (nothing kept, another key, or a malformed record)."""
        record = self.get(code)
        if record is None or record.get("key") != key or not self.disk_holds(disk):
            return None
        try:
            return ([Diagnostic.from_json(d) for d in record["found"]],
                    dict(record["metrics"]))
        except Exception:  # an older shape: computed again
            return None

    def disk_holds(self, disk: Probes) -> bool:
        """Whether every answer the last run's rules got still holds; if so they count
        as asked in this run too (the run memo keys on them)."""
        if self._holds is None:
            self._holds = unchanged(self.answers)
            if self._holds:
                for question, answer in self.answers.items():
                    disk.seen.setdefault(question, answer)
        return self._holds


def _storable(record: Mapping[str, Any]) -> bool:
    """Whether the index can keep a rule's result as JSON (a rule's metrics may hold
    something that is not: that rule is only computed again next time)."""
    try:
        json.dumps(record)
    except (TypeError, ValueError):
        return False
    return True


def _reusable(previous: Any) -> _Previous:
    try:
        rules, answers = previous["rules"], previous["disk"]
        if isinstance(rules, dict) and isinstance(answers, dict):
            return _Previous({code: record for code, record in rules.items()
                              if isinstance(record, dict)}, answers)
    except (TypeError, KeyError):
        pass
    return _Previous({}, {})


# What a kept record's findings are: before this, findings already placed in cells
# were kept, which a run placing them again must not reuse.
KEPT = "joined lines"


def _key(code: str, report: bool, options: Mapping[str, Any], common: list[Any]) -> str:
    """What one rule's result depends on besides the disk and the facts: its code,
    whether it reports, its options, the project (root, names, named files, excludes)."""
    return digest(json.dumps([code, report, options, common, KEPT], sort_keys=True,
                             default=str).encode("utf-8", "surrogateescape"))


def finalize(rule: Rule, project_args: dict[str, Any], results: Mapping[str, FileResult],
             options: Mapping[str, Any], report: bool = True,
             ) -> tuple[list[Diagnostic], dict[str, Any], list[str]]:
    """One cross-file rule's findings (unless ``report`` is false: a measured rule only
    summarizes), its metric, and its internal errors. A finding on a notebook is in its
    joined code cells' lines: `in_cells` places it."""
    from mlready.hooks.context import ProjectContext

    project = ProjectContext(facts=RuleFacts(rule.code, results), options=options,
                             **project_args)
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
    return found, metrics, errors


class RuleFacts(Mapping[str, Any]):
    """One rule's facts of every file (path -> value), in path order whatever order the
    workers finished in, each value read from the project index and decoded when the
    rule first asks for it (`mlready.hooks.stored_facts`). A finalize that takes a
    project-wide analysis its sibling rule already built (`ProjectContext.memo`: the
    eight seeding rules share one, the logging rules another), or that looks up a few
    files by name, decodes none of the others: on a one-file run of torch's tree a
    dict of every file's value was built for each rule, 2,285 values per rule."""

    def __init__(self, code: str, results: Mapping[str, FileResult]) -> None:
        self._code, self._results = code, results
        self._paths: list[str] | None = None

    def _keys(self) -> list[str]:
        if self._paths is None:  # which files have facts: no value decoded for that
            code = self._code
            self._paths = [path for path, r in sorted(self._results.items())
                           if code in r.facts]
        return self._paths

    def __getitem__(self, path: str) -> Any:
        result = self._results.get(path)
        if result is None or self._code not in result.facts:
            raise KeyError(path)
        return result.facts[self._code]

    def __contains__(self, path: object) -> bool:
        result = self._results.get(path) if isinstance(path, str) else None
        return result is not None and self._code in result.facts

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


def in_cells(rule: Rule, results: Mapping[str, FileResult], found: list[Diagnostic]
             ) -> list[Diagnostic]:
    """``found`` placed in the cells of the notebooks they are on, as this run read them
    (a rule of Python code reports on a notebook's joined code cells)."""
    from mlready.hooks.analysis import to_cell

    if "python" not in rule.kinds or "notebook" in rule.kinds:
        return found
    mapped = []
    for diagnostic in found:
        result = results.get(diagnostic.path)
        if result is not None and result.cells is not None and diagnostic.cell is None:
            diagnostic = to_cell(diagnostic, result.cells)
        mapped.append(diagnostic)
    return mapped
