"""The change against the base branch: per-category deltas, introduced and fixed findings.

The base is either the base branch's own scorecard JSON (its CI run, with runtime
results) or computed here: the merge base of the PR is checked out into a temporary
``git worktree`` and the head's static half runs on it, so both sides are measured by
the same rules. A computed base has no runtime half, so the CLI compares it with the
head's static-only card; whatever the inputs, a delta is only ever taken between two
measured values (see `compare`).

Findings are matched by (path, code, message), counting duplicates, never by line: a
finding that moved because lines were inserted above it is neither new nor fixed.
gitpython is imported only when a base is computed.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlready.hooks.model import Diagnostic
from mlready.scorecard.inputs import InputError, StaticReport, read_json, static_from_json
from mlready.scorecard.model import Baseline, FindingKey, Scorecard
from mlready.scorecard.render import json as card_json

# Runs the static half on a directory and returns its check JSON object.
StaticRunner = Callable[[Path], dict[str, Any]]


def diff_findings(head: Iterable[Diagnostic], base: Iterable[Diagnostic]
                  ) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """(introduced, fixed): head findings beyond the base's count for their key, and base
    findings beyond the head's. Both sorted in the usual (path, line, col, code) order."""
    head_list = sorted(head, key=Diagnostic.sort_key)
    base_list = sorted(base, key=Diagnostic.sort_key)
    return _beyond(head_list, base_list), _beyond(base_list, head_list)


def _beyond(findings: Sequence[Diagnostic], other: Sequence[Diagnostic]
            ) -> tuple[Diagnostic, ...]:
    """The findings left once each of ``other``'s has cancelled one with its key."""
    left = Counter(FindingKey.of(d) for d in other)
    extra = []
    for d in findings:
        key = FindingKey.of(d)
        if left[key] > 0:
            left[key] -= 1
        else:
            extra.append(d)
    return tuple(extra)


def _mean_over(card: Scorecard, keys: set[str]) -> float | None:
    chosen = [c for c in card.categories if c.key in keys and c.score is not None]
    weight = sum(c.weight for c in chosen)
    if not chosen or weight <= 0:
        return None
    return sum(c.weight * (c.score or 0.0) for c in chosen) / weight


def compare(head: Scorecard, base: Scorecard, ref: str, sha: str | None = None) -> Baseline:
    """The head's change against ``base``.

    Category deltas exist where both sides measured the category. The overall delta is
    taken over the categories both sides measured (with the head's weights), so that a
    base without runtime results is not compared with a head that has them.
    """
    base_scores = {c.key: c.score for c in base.categories}
    categories: dict[str, float | None] = {}
    both: set[str] = set()
    for c in head.categories:
        before = base_scores.get(c.key)
        if c.score is not None and before is not None:
            categories[c.key] = c.score - before
            both.add(c.key)
        else:
            categories[c.key] = None
    head_mean = _mean_over(head, both)
    base_mean = _mean_over(_reweighted(base, head), both)
    delta = head_mean - base_mean if head_mean is not None and base_mean is not None else None
    introduced, fixed = diff_findings(head.findings, base.findings)
    return Baseline(ref=ref, sha=sha, base_score=base.score, score_delta=delta,
                    categories=categories, introduced=introduced, fixed=fixed)


def _reweighted(base: Scorecard, head: Scorecard) -> Scorecard:
    weights = {c.key: c.weight for c in head.categories}
    return replace(base, categories=tuple(replace(c, weight=weights.get(c.key, c.weight))
                                          for c in base.categories))


def load_base(path: Path) -> Scorecard:
    """A base branch's scorecard JSON; `InputError` naming the file when it is not one."""
    try:
        return card_json.from_json(read_json(path))
    except ValueError as exc:
        raise InputError(path, str(exc)) from None


# ---------------------------------------------------------------- computing a base


def subprocess_runner(directory: Path) -> dict[str, Any]:
    """Run ``python -m mlready check --output-format json`` in ``directory``.

    A child process keeps the head's interpreter state (imported rule modules, caches,
    the working directory) untouched while the base tree is checked.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "mlready", "check", "--output-format", "json"],
        cwd=directory, capture_output=True, text=True, check=False, timeout=600,
    )
    if proc.returncode not in (0, 1):
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(directory, f"static checks failed on the base: {last}")
    try:
        data: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise InputError(directory, f"static checks on the base wrote invalid JSON: {exc}") \
            from None
    return data


def engine_runner(directory: Path) -> dict[str, Any]:
    """Run the static engine in this process on ``directory`` (the engine is imported
    here, not at module import, so the scorecard stays cheap to import)."""
    from mlready.config import ConfigError
    from mlready.hooks.discovery import DiscoveryError
    from mlready.hooks.engine import check
    from mlready.hooks.output.json_format import document

    try:
        return document(check([directory]))
    except (ConfigError, DiscoveryError, ValueError, OSError) as exc:
        raise InputError(directory, f"static checks failed on the base: {exc}") from None


def merge_base(root: Path, base_ref: str, head: str = "HEAD") -> tuple[Any, str, Path]:
    """(the gitpython repository, the merge base's SHA, the work tree's top folder) for
    ``root``; `InputError` naming ``root`` when there is no repository or merge base."""
    import git  # lazy: gitpython is only needed here

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(root, "not inside a git repository (needed for --base-ref)") from None
    try:
        bases = repo.merge_base(base_ref, head)
    except git.GitCommandError as exc:
        raise InputError(root, f"cannot find the merge base of {base_ref!r} and {head!r}: "
                               f"{_last_line(exc.stderr)}") from None
    if not bases:
        raise InputError(root, f"{base_ref!r} and {head!r} have no common ancestor")
    return repo, str(bases[0].hexsha), Path(str(repo.working_tree_dir)).resolve()


def commit_of(root: Path, ref: str) -> tuple[str, Path] | None:
    """(the commit ``ref`` names, the work tree's top folder) for ``root``, or None when
    there is no repository or no such commit."""
    def git(*args: str) -> str | None:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False, timeout=60)
        return proc.stdout.strip() if proc.returncode == 0 else None

    sha = git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    top = git("rev-parse", "--show-toplevel")
    return (sha, Path(top).resolve()) if sha and top else None


def static_at_merge_base(root: Path, base_ref: str, head: str = "HEAD",
                         runner: StaticRunner = engine_runner, store: Path | None = None
                         ) -> tuple[StaticReport, str]:
    """The static half's report on the merge base of ``base_ref`` and ``head``.

    The merge base is checked out detached into a temporary worktree, which is removed
    whatever happens. ``root`` may be a sub-directory of the repository (a monorepo
    project); the same sub-directory of the worktree is checked.

    With ``store`` (the project's cache folder), the report is kept there by commit,
    sub-directory and mlready's code: a commit never changes, so the Action's several
    scorecard formats (and a re-run of the job) check out and check the base once. The
    entry's name is a MAC under this machine's key (`mlready.hooks.machine_key`): a
    report that anyone else put there, committed in the pull request, is never read.
    """
    repo, sha, top = merge_base(root, base_ref, head)
    relative = root.resolve().relative_to(top)
    origin = f"static checks of {sha[:12]}"
    kept = _Kept.open(store, sha, relative, root) if store is not None else None
    data = kept.read() if kept is not None else None
    if data is not None:
        with contextlib.suppress(InputError):  # a foreign or damaged entry: recompute
            return static_from_json(data, origin), sha
    tmp = Path(tempfile.mkdtemp(prefix="mlready-base-"))
    worktree = tmp / "tree"
    try:
        repo.git.worktree("add", "--detach", str(worktree), sha)
        data = runner(worktree / relative)
        report = static_from_json(data, origin)
    finally:
        _remove_worktree(repo, worktree)
        shutil.rmtree(tmp, ignore_errors=True)
    if kept is not None and not data.get("errors"):  # a base that failed is tried again
        kept.write(data)
    return report, sha


class _Kept:
    """A computed base report in the project's cache folder (see `static_at_merge_base`)."""

    def __init__(self, store: Path, name: str) -> None:
        from mlready.hooks.cache import Cache

        self.cache = Cache(store, "bases")
        self.path = store / "bases" / f"{name}.json"

    @classmethod
    def open(cls, store: Path, sha: str, relative: Path, root: Path) -> _Kept | None:
        """The entry for a commit, or None without a machine key (then nothing is kept)."""
        from mlready.hooks.cache import mac
        from mlready.hooks.engine import code_salt
        from mlready.hooks.machine_key import machine_key

        key = machine_key(root)
        if key is None:
            return None
        return cls(store, mac(key, f"{sha}\0{relative.as_posix()}\0{code_salt()}".encode()))

    def read(self) -> dict[str, Any] | None:
        from mlready.hooks.cache import read_entry

        raw = read_entry(self.path)
        try:
            data = json.loads(raw) if raw is not None else None
        except (ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) else None

    def write(self, data: dict[str, Any]) -> None:
        with contextlib.suppress(TypeError, ValueError):
            self.cache.write(self.path, json.dumps(data, separators=(",", ":")))


def _remove_worktree(repo: Any, worktree: Path) -> None:
    try:
        repo.git.worktree("remove", "--force", str(worktree))
    except Exception:  # cleanup must not hide the real error
        shutil.rmtree(worktree, ignore_errors=True)
        with contextlib.suppress(Exception):
            repo.git.worktree("prune")


def _last_line(text: object) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[-1].strip() if lines else "git failed"


def introduced_on(findings: Sequence[Diagnostic], changed: dict[str, set[int]]
                  ) -> list[Diagnostic]:
    """The findings that sit on changed lines (used to rank annotations)."""
    return [d for d in findings if d.line in changed.get(d.path, set())]
