"""The per-file pass: read one file, parse it once, run every selected rule on it.

This is the part that runs in worker processes, so everything it receives is plain
data (`Job`, `Task`) and rules are looked up by code on the worker's side. Nothing in
here raises: a rule that fails on a file becomes an internal-error line naming the
rule and the file, and the other rules still run.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlready.hooks.cache import Cache, digest
from mlready.hooks.context import FileContext
from mlready.hooks.discovery import SourceFile
from mlready.hooks.model import Diagnostic, FileKind
from mlready.hooks.results import FileResult
from mlready.hooks.rules import Rule, by_code, kinds_read
from mlready.hooks.rules.syntax_error import CODE as SYNTAX_ERROR
from mlready.hooks.suppression import Noqa, scan
from mlready.records import NamedTuple

if TYPE_CHECKING:
    from collections.abc import Collection

    from mlready.hooks.context import Check, Collect
    from mlready.hooks.notebook import CellMap
    from mlready.hooks.parsing import Parsed
    from mlready.hooks.project_index import ProjectIndex

# A rule with its check and collect functions, looked up once per process, not per file.
Step = tuple[Rule, "Check | None", "Collect | None"]


class Job:
    """What every file of one run shares; plain data so it pickles to workers. Set once,
    never changed (a plain class, as `mlready.hooks.context.FileContext` is)."""

    def __init__(self, root: str, check_codes: tuple[str, ...],
                 collect_codes: tuple[str, ...], options: Mapping[str, Mapping[str, Any]],
                 cache: Cache | None = None, max_size: int | None = None,
                 overlay: Mapping[str, bytes] | None = None) -> None:
        self.root = root
        self.check_codes = check_codes  # every selected rule, run on the reported files
        self.collect_codes = collect_codes  # the selected rules with `collect`: every file
        self.options = options  # family -> its options table
        self.cache = cache
        self.max_size = max_size  # bytes of source past which a file is not parsed
        self.overlay: Mapping[str, bytes] = overlay if overlay is not None else {}  # not on disk
        self._plans: dict[bool, Plan] = {}

    def plan(self, full: bool) -> Plan:
        """The rules to run and their options, worked out once per process."""
        if full not in self._plans:
            table = by_code()
            rules = tuple(table[c] for c in (self.check_codes if full else self.collect_codes))
            self._plans[full] = Plan(
                rules, kinds_read(rules),
                {r.code: self.options.get(r.family, {}) for r in rules},
                tuple((r, r.check, r.collect) for r in rules))
        return self._plans[full]

    def __getstate__(self) -> dict[str, Any]:
        # Plans hold rule functions: workers look them up again (their own imports).
        state = dict(self.__dict__)
        state["_plans"] = {}
        return state


class Plan(NamedTuple):
    """The rules one kind of pass runs (full or collect-only), worked out once."""

    rules: tuple[Rule, ...]
    wanted: frozenset[FileKind]  # the context kinds these rules read
    options: Mapping[str, Mapping[str, Any]]  # rule code -> its family's options
    steps: tuple[Step, ...]


class Task(NamedTuple):
    """One file of the per-file pass."""

    file: SourceFile
    full: bool  # run every selected rule, not only the cross-file rules' `collect`


def _error(rule: Rule, path: str, exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:300]
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"{path}: internal error in rule {rule.code} ({rule.name}): {detail}"


def to_cell(diagnostic: Diagnostic, cells: CellMap) -> Diagnostic:
    start = cells.locate(diagnostic.line)
    if start is None:
        return diagnostic
    end = cells.locate(diagnostic.end_line) if diagnostic.end_line is not None else None
    same_cell = end is not None and end[0] == start[0]
    # A fix's offsets are in the joined cells' text, not the notebook file's: dropped.
    return diagnostic._replace(cell=start[0], line=start[1], autofix=None,
                   end_line=end[1] if end is not None and same_cell else None,
                   end_col=diagnostic.end_col if same_cell else None)


def run_rules(ctx: FileContext, steps: Sequence[Step], full: bool,
              options: Mapping[str, Mapping[str, Any]], facts: dict[str, Any],
              errors: list[str]) -> list[Diagnostic]:
    """Every applicable rule on one context; failures go to ``errors``. ``options``
    maps rule codes to their options."""
    found: list[Diagnostic] = []
    gave_up: list[str] = []
    for rule, check, collect in steps:
        # A context that failed to parse goes to the syntax-error rule only, and only it.
        failed_parse = ctx.parse_error is not None
        if ctx.kind not in rule.kinds or failed_parse != (rule.code == SYNTAX_ERROR):
            continue
        ctx.options = options.get(rule.code, {})
        try:
            if full and check is not None:
                found.extend(check(ctx))
            if collect is not None and rule.code not in facts:
                value = collect(ctx)
                if value is not None:
                    facts[rule.code] = value
        except (RecursionError, MemoryError):  # the file's nesting, not a bug: say so on it
            gave_up.append(rule.code)
        except Exception as exc:  # one rule's bug must not hide the others' findings
            errors.append(_error(rule, ctx.path, exc))
    if gave_up and full and any(rule.code == SYNTAX_ERROR for rule, _, _ in steps):
        found.append(ctx.diagnostic(
            SYNTAX_ERROR, (1, 1),
            f"code is nested too deeply to analyse: {', '.join(gave_up)} skipped this file",
            fix="flatten the deepest expression (split it into named steps)"))
    return found


def _plain_facts(facts: dict[str, Any], rules: Sequence[Rule], path: str,
                 errors: list[str]) -> dict[str, Any]:
    """Facts as the cache will give them back (JSON: tuples become lists), so that a
    rule's ``finalize`` sees the same values on a cold run and on a warm one."""
    plain: dict[str, Any] = {}
    # Sibling rules (the eight seeding rules) return one shared, memoized object: convert
    # it once and hand every code the same plain copy.
    converted: dict[int, Any] = {}
    for code, value in facts.items():
        try:
            if id(value) not in converted:
                converted[id(value)] = json.loads(json.dumps(value))
            plain[code] = converted[id(value)]
        except (TypeError, ValueError) as exc:
            rule = next(r for r in rules if r.code == code)
            errors.append(_error(rule, path, TypeError(f"collect() returned facts that are "
                                                       f"not JSON-serializable: {exc}")))
    return plain


def _read(root: str, path: str, max_size: int | None = None,
          kind: FileKind = "other") -> tuple[bytes | None, str | None]:
    """The file's bytes through the one gate (`mlready.reading`), or None and why."""
    from mlready.reading import TooLarge, read_regular

    # A notebook's limit is on its code cells (parsing checks it); its outputs may be big.
    limit = max_size * 20 if max_size is not None and kind == "notebook" else max_size
    try:
        return read_regular(Path(root) / path, Path(root), limit), None
    except TooLarge as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror or exc}"


def parse(path: str, kind: FileKind, data: bytes, root: Path,
          wanted: Collection[FileKind], max_size: int | None = None) -> Parsed:
    """`mlready.hooks.parsing.parse`, imported on first use: a run that finds every file
    in the cache (the one-file pre-commit hook, mostly) never parses."""
    from mlready.hooks.parsing import parse as parse_file

    return parse_file(path, kind, data, root, wanted, max_size)


def analyse(job: Job, task: Task, content: tuple[bytes | None, str | None] | None = None
            ) -> FileResult:
    """One file through every rule that reads its kind. Never raises.

    ``content`` is the file's bytes (or None and why not) when the caller already read it.
    """
    path, kind = task.file.path, task.file.kind
    plan = job.plan(task.full)
    rules, wanted = plan.rules, plan.wanted
    data, why = (content if content is not None
                 else _read(job.root, path, job.max_size, kind))
    root = Path(job.root)
    errors: list[str] = []
    try:
        if data is None:
            from mlready.hooks.parsing import Parsed, failed

            parsed = Parsed((failed(path, kind, root, why or "cannot read file"),))
        else:
            parsed = parse(path, kind, data, root, wanted, job.max_size)
        facts: dict[str, Any] = {}
        diagnostics: list[Diagnostic] = []
        for ctx in parsed.contexts:
            found = run_rules(ctx, plan.steps, task.full, plan.options, facts, errors)
            if parsed.cells is not None and ctx.kind == "python":
                found = [to_cell(d, parsed.cells) for d in found]
            diagnostics.extend(found)
        facts = _plain_facts(facts, rules, path, errors)
        source = next((c.source for c in parsed.contexts if c.kind != "notebook"), "")
        noqa = scan(source) if source else Noqa({})
    except Exception as exc:  # a bug in the engine itself: still one line, still no crash
        return FileResult(path, "", task.full, (), {}, Noqa({}),
                          errors=(f"{path}: internal error while reading: "
                                  f"{type(exc).__name__}: {exc}",))
    # An unreadable file gets no digest, so it is never cached.
    file_digest = digest(data) if data is not None else ""
    return FileResult(path, file_digest, task.full, tuple(diagnostics), facts, noqa,
                      parsed.cells, tuple(errors))


def analyse_many(job: Job, tasks: Sequence[Task]) -> list[FileResult]:
    """A chunk of files: each one from the cache when its content was seen before with
    the same rules and options, else analysed and stored. Cache look-ups happen here,
    in the workers, so that reading and hashing the files is parallel too."""
    results: list[FileResult] = []
    for task in tasks:
        given = job.overlay.get(task.file.path)  # an editor's unsaved text (stdin)
        content = ((given, None) if given is not None
                   else _read(job.root, task.file.path, job.max_size, task.file.kind))
        data = content[0]
        if job.cache is not None and data is not None:
            hit = job.cache.get(task.file.path, task.file.kind, digest(data), task.full)
            if hit is not None:
                results.append(hit)
                continue
        result = analyse(job, task, content)
        if job.cache is not None and result.digest:
            with contextlib.suppress(Exception):
                job.cache.put(task.file.kind, result)
        results.append(result)
    return results


def recalled(job: Job, tasks: Sequence[Task], known: Mapping[str, str],
             index: ProjectIndex | None = None) -> tuple[list[FileResult], list[Task]]:
    """The results of the files whose digest is known before reading them (by their stat
    in the project index, `mlready.hooks.project_index`, or hashed to key the memo),
    without reading them: a file read only for its facts from the index (one entry for
    the whole project), a reported one from its cache entry; and the tasks left to
    `analyse_many`. A one-file hook run leaves only its file."""
    if job.cache is None or not known:
        return [], list(tasks)
    hits: list[FileResult] = []
    left: list[Task] = []
    again = partial(_facts_again, job)
    for task in tasks:
        path, kind = task.file.path, task.file.kind
        file_digest = known.get(path, "")
        stored = (index.deferred(path, kind, file_digest, again)
                  if index is not None and file_digest and not task.full else None)
        hit = (FileResult(path, file_digest, False, (), stored, Noqa({})) if stored is not None
               else job.cache.get(path, kind, file_digest, task.full) if file_digest else None)
        if hit is not None:
            hits.append(hit)
        else:
            left.append(task)
    return hits, left


def _facts_again(job: Job, path: str, kind: FileKind, digest_known: str) -> Mapping[str, Any]:
    """A file's facts when the index knew them but its row is gone (another run folded
    the index meanwhile): from the file's cache entry, else analysed again."""
    hit = job.cache.get(path, kind, digest_known, False) if job.cache is not None else None
    return hit.facts if hit is not None else analyse_many(
        job, [Task(SourceFile(path, kind), False)])[0].facts
