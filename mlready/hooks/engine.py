"""`mlready check` without the CLI: discover, analyse (cached, in parallel), finalize, suppress.

Two phases. The per-file pass (`mlready.hooks.analysis`) looks each file up in the
cache, else parses it once and runs every selected rule's ``check`` and ``collect`` on
it; it runs in a process pool when there is enough source to pay for one. Then, in this
process, each cross-file rule's ``finalize`` sees the facts collected from the whole
project, even when only a few files were named (pre-commit passes the changed files):
findings are reported only for the named files. Suppressions (``noqa``,
``per-file-ignores``) apply last, to both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import mlready
from mlready.hooks import cache as caching
from mlready.hooks import cache_dir
from mlready.hooks.discovery import Listing, SourceFile, absolute, find_root, listing
from mlready.hooks.facts_index import FactsRow
from mlready.hooks.finalize import finalize_all
from mlready.hooks.machine_key import machine_key
from mlready.hooks.memo import Memo
from mlready.hooks.model import Diagnostic, FileKind, context_kinds
from mlready.hooks.pool import PARALLEL_MIN_BYTES, analyse_all
from mlready.hooks.project_index import ProjectIndex, row
from mlready.hooks.rules import UNUSED_NOQA, Rule, all_rules, kinds_read, reading
from mlready.hooks.selection import ignored_by_path
from mlready.hooks.settings import Overrides, Settings, load
from mlready.records import NamedTuple

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult

class Report(NamedTuple):
    """The outcome of one check: what the renderers print and the exit code derives from."""

    root: Path
    files_checked: int
    diagnostics: tuple[Diagnostic, ...]
    rules: tuple[Rule, ...]
    metrics: Mapping[str, Any] = MappingProxyType({})
    errors: tuple[str, ...] = ()
    # Named files per context kind (a notebook counts as "python" and "notebook"), so
    # that a consumer can tell "no findings" from "nothing of that kind to read".
    file_kinds: Mapping[str, int] = MappingProxyType({})
    # Fixes (`mlready.hooks.fixes`): the content digest each file was checked at (a fix
    # is written only to a file still so), the findings `--fix` fixed before this report,
    # and whether unsafe fixes count as applicable (`--unsafe-fixes`).
    digests: Mapping[str, str] = MappingProxyType({})
    fixed: tuple[Diagnostic, ...] = ()
    unsafe_fixes: bool = False

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.diagnostics else 0


def _sources() -> list[str]:
    """Engine and rule sources, whose stat salts the cache (edits invalidate it)."""
    hooks = Path(__file__).parent  # scandir, not glob: a Path per file costs more than its stat
    try:
        return [entry.path for folder in (hooks, hooks / "rules")
                for entry in os.scandir(folder) if entry.name.endswith(".py")]
    except OSError:  # not a folder on disk (a zip or frozen install): the version alone
        return []


def _code_version() -> str:
    """mlready's version and the Python that runs it: what a file parses as (and the
    syntax-error message) depends on the interpreter, and one install may serve two."""
    return f"{mlready.__version__} python {sys.version_info[0]}.{sys.version_info[1]}"


def code_salt() -> str:
    """A key for mlready's own code (version, Python, and the stat of the engine and rule
    sources): what a stored result computed by this code depends on besides its input.
    Not secret: `mlready.hooks.cache.mac` it with the machine key to name an entry."""
    return caching.salt(_code_version(), (), {}, _sources(), key=b"")


def make_cache(settings: Settings) -> caching.Cache | None:
    """The cache folder for this run's salt: the code, the rules and their options, and
    the project's root (a rule may read the root's name, and a ``cache-dir`` outside the
    project may be shared by several), under this machine's key (no key, no cache: an
    entry must be one this machine wrote, `mlready.hooks.machine_key`)."""
    if settings.cache_dir is None:
        return None
    key = machine_key(settings.root)
    if key is None:
        return None
    codes = [rule.code for rule in settings.rules]
    codes += [f"{rule.code} (measured)" for rule in settings.measured]
    used = {rule.family for rule in (*settings.rules, *settings.measured)}
    options = {k: v for k, v in settings.options.items() if k in used}
    version = f"{_code_version()} root {settings.root} max {settings.max_file_size}"
    cache = caching.Cache(settings.cache_dir,
                          caching.salt(version, codes, options, _sources(), key=key), key)
    # A folder someone else can write is not read from, written or pruned at all.
    return cache if cache_dir.trusted(cache.directory, cache.directory / cache.salt) else None


def _files(targets: Sequence[SourceFile], others: Iterable[SourceFile],
           rules: Sequence[Rule]) -> list[tuple[SourceFile, bool]]:
    """The files the per-file pass reads, each with whether it is reported (every
    selected rule runs on it) or only read for the cross-file rules' facts."""
    full_kinds = kinds_read(rules)
    collect_kinds = kinds_read(rule for rule in rules if rule.collects)
    files = [(f, True) for f in targets if full_kinds.intersection(context_kinds(f.kind))]
    files += [(f, False) for f in others if collect_kinds.intersection(context_kinds(f.kind))]
    return files


def _suppressed(diagnostic: Diagnostic, result: FileResult | None,
                per_file_ignores: Mapping[str, Sequence[str]]) -> bool:
    if ignored_by_path(diagnostic.path, per_file_ignores, diagnostic.code):
        return True
    if result is None:
        return False
    probe = diagnostic
    if diagnostic.cell is not None and result.cells is not None:
        # Suppression comments are indexed by line of the joined cells: translate back.
        joined = {pair: n for n, pair in enumerate(result.cells.lines, start=1)}
        line = joined.get((diagnostic.cell, diagnostic.line))
        end = joined.get((diagnostic.cell, diagnostic.end_line or diagnostic.line))
        if line is None:
            return bool(result.noqa.file) and result.noqa.suppresses(
                diagnostic._replace(line=0, end_line=None))
        probe = diagnostic._replace(line=line, end_line=end, cell=None)
    return result.noqa.suppresses(probe)


def run(settings: Settings, targets: Sequence[SourceFile],
        project: Sequence[SourceFile] | None = None, *, jobs: int | None = None,
        min_parallel_bytes: int = PARALLEL_MIN_BYTES, listed: Listing | None = None) -> Report:
    """Check ``targets`` with facts from ``project`` (defaults to the targets); ``listed``:
    the signatures discovery took of them, if it did.

    A run whose inputs are all as they were last time is read back from the memo
    (`mlready.hooks.memo`); otherwise the per-file pass, then each cross-file rule's
    finalize, then suppressions.
    """
    rules = settings.rules
    target_paths = {f.path for f in targets}
    # Only a selected cross-file rule makes the run read the rest of the project: a
    # measured rule takes its facts from the files the run reads anyway.
    others = ([f for f in (project or ()) if f.path not in target_paths]
              if any(r.cross for r in rules) else [])
    files = _files(targets, others, (*rules, *settings.measured))
    # Every file the project has, read or not: what finalize sees as `project.files`.
    names = tuple(sorted({*target_paths, *(f.path for f in others)}))
    counts: dict[str, int] = {}
    for file in targets:
        for kind in context_kinds(file.kind):
            counts[kind] = counts.get(kind, 0) + 1
    kinds = dict(sorted(counts.items()))
    cache = make_cache(settings)
    # Text in place of files (an overlay) is not what the memo and the project index
    # know a file by (its stat on disk): such a run neither reads nor writes them. The
    # per-file cache stays: its entries are keyed by the bytes analysed.
    memo = (Memo.open(cache, settings, files, names, listed)
            if cache and not settings.overlay else None)
    recalled = memo.recall() if memo is not None else None
    if recalled is not None and memo is not None:
        return Report(settings.root, recalled.files_checked, recalled.diagnostics, rules,
                      recalled.metrics, (), kinds, memo.digests)
    from mlready.hooks.probes import Probes

    disk = Probes()
    project_args = {"root": settings.root, "files": names, "targets": frozenset(target_paths),
                    "shared": {}, "disk": disk, "excludes": tuple(settings.excludes)}
    known = memo.known() if memo is not None else {}
    unread = frozenset(f.kind for f in targets if not context_kinds(f.kind))  # `other`
    work = _analyse(settings, files, project_args, cache, jobs, min_parallel_bytes, known,
                    memo.index if memo is not None else None, unread)
    fixable = _with_fixes(work.found, rules, settings.root, work.digests)
    if memo is not None:
        memo.save_index(work.digests, names, work.facts, work.finalized, work.dropped)
        if not work.errors:
            memo.remember(work.checked, fixable, work.metrics, disk.seen, work.digests)
    return Report(settings.root, work.checked, fixable, rules, work.metrics, tuple(work.errors),
                  kinds, work.digests)


def _with_fixes(found: Sequence[Diagnostic], rules: Sequence[Rule], root: Path,
                digests: Mapping[str, str]) -> tuple[Diagnostic, ...]:
    """The fixes of cross-file rules, computed here on the checked text and remembered
    with the findings (a remembered run imports no rule: the one-file hook stays fast)."""
    if not any(r.cross for r in rules):
        return tuple(found)
    from mlready.hooks.fixes import attach

    return attach(found, [r for r in rules if r.cross], root, digests)


class Work(NamedTuple):
    """What a run computed (when the memo did not answer it)."""

    checked: int  # files reported
    found: list[Diagnostic]  # findings kept after suppression
    metrics: dict[str, Any]
    errors: list[str]  # internal errors
    digests: dict[str, str]  # path -> the content digest it was analysed at
    facts: dict[str, FactsRow]  # path -> its facts as the project index keeps them
    dropped: list[str]  # read afresh, with no facts to keep (unreadable, or an error)
    finalized: Any  # the cross-file rules' results, for the next run


def _analyse(settings: Settings, files: Sequence[tuple[SourceFile, bool]],
             project_args: dict[str, Any], cache: caching.Cache | None, jobs: int | None,
             min_parallel_bytes: int, known: Mapping[str, str],
             index: ProjectIndex | None = None, unread: frozenset[FileKind] = frozenset(),
             ) -> Work:
    """The work of a run: the per-file pass (files the project ``index`` knows from it),
    the cross-file pass (a rule whose inputs are as the index kept them not run again),
    suppression. ``unread``: the kinds of named files no rule opens (``other``), whose
    paths the rules that declare the kind still report on."""
    from mlready.hooks.analysis import Job, Task

    root = settings.root
    rules = (*settings.rules, *settings.measured)  # measured: run, but their findings dropped
    # Only the rules that read a kind of file this run has are imported and run (a rule
    # reports only on files of its kinds, `mlready.hooks.rules`): the others could say
    # nothing about these files.
    reported_kinds = unread.union(
        k for file, full in files if full for k in context_kinds(file.kind))
    read_kinds = {k for file, _ in files for k in context_kinds(file.kind)}
    job = Job(str(root), tuple(r.code for r in reading(rules, reported_kinds)),
              tuple(r.code for r in reading(rules, read_kinds) if r.collects),
              {k: dict(v) for k, v in settings.options.items()}, cache, settings.max_file_size,
              dict(settings.overlay))
    tasks = [Task(file, full) for file, full in files]
    results: dict[str, FileResult] = {}
    fresh, errors = analyse_all(job, tasks, jobs, min_parallel_bytes, known, index)
    for result in sorted(fresh, key=lambda r: r.path):  # errors in path order, not arrival
        results[result.path] = result
        errors.extend(result.errors)
    checked = {t.file.path for t in tasks if t.full}
    measured = {r.code for r in settings.measured}
    found: list[Diagnostic] = [d for r in results.values() if r.path in checked
                               for d in r.diagnostics if d.code not in measured]
    kinds = {t.file.path: t.file.kind for t in tasks}
    # What the index gave stays as the index has it: only the other files' rows are news,
    # and only their facts are compared with the index's to tell which results hold.
    served = index.served if index is not None else set()
    rows = ({path: row(kinds[path], r) for path, r in results.items() if path not in served}
            if index is not None else {})
    changed = ({path: index.facts.changed_codes(path, facts) for path, facts in rows.items()}
               if index is not None else None)
    more, metrics, finalize_errors, finalized = finalize_all(
        settings, project_args, results, changed,
        index.finalized if index is not None else None, reported_kinds)
    found.extend(more)
    errors.extend(finalize_errors)
    kept = [d for d in found
            if not _suppressed(d, results.get(d.path), settings.per_file_ignores)]
    if not errors and any(r.code == UNUSED_NOQA for r in settings.rules):
        kept += _unused_noqa(settings, {p: results[p] for p in checked if p in results}, found)
    kept.sort(key=Diagnostic.sort_key)
    stored = {path: facts for path, facts in rows.items()
              if results[path].digest and not results[path].errors}
    return Work(len(checked), kept, metrics, errors, {p: r.digest for p, r in results.items()},
                stored, [p for p in rows if p not in stored], finalized if not errors else None)


def _unused_noqa(settings: Settings, reported: Mapping[str, FileResult],
                 found: Sequence[Diagnostic]) -> list[Diagnostic]:
    """MLR900's findings: the noqa codes that silenced none of ``found`` (the findings
    before noqa; those of per-file-ignores never reach a noqa), themselves suppressible."""
    from mlready.hooks.rules import unused_noqa

    ignores = settings.per_file_ignores
    seen = [d for d in found if not ignored_by_path(d.path, ignores, d.code)]
    unused = unused_noqa.findings(settings.root, reported, seen, settings.rules,
                                  [r.code for r in all_rules()], settings.overlay)
    return [d for d in unused if not _suppressed(d, reported.get(d.path), ignores)]


def check(paths: Sequence[Path], overrides: Overrides | None = None, *,
          jobs: int | None = None, min_parallel_bytes: int = PARALLEL_MIN_BYTES) -> Report:
    """Resolve the root and settings, discover the files, and run the check.

    Raises `mlready.config.ConfigError`, `mlready.hooks.discovery.DiscoveryError` or
    `mlready.hooks.selection.SelectionError` for usage problems (exit code 2).
    """
    paths = list(paths) or [Path()]
    root = find_root(paths)
    settings = load(root, all_rules(), overrides or Overrides())
    return check_with(settings, paths, jobs=jobs, min_parallel_bytes=min_parallel_bytes)


def check_with(settings: Settings, paths: Sequence[Path], *, jobs: int | None = None,
               min_parallel_bytes: int = PARALLEL_MIN_BYTES) -> Report:
    root = settings.root
    named = listing(root, paths, settings.excludes,
                    respect_gitignore=settings.respect_gitignore,
                    force_exclude=settings.force_exclude, cache=settings.cache_dir)
    whole = any(absolute(p) == root for p in paths)
    needs_project = not whole and any(r.cross for r in settings.rules)
    listed = (listing(root, [root], settings.excludes,
                      respect_gitignore=settings.respect_gitignore, cache=settings.cache_dir)
              if needs_project else named)
    # The named files' signatures are the ones of their own listing, taken first.
    both = Listing([], {**listed.signatures, **named.signatures}, named.taken)
    return run(settings, named.files, listed.files, jobs=jobs,
               min_parallel_bytes=min_parallel_bytes, listed=both)
