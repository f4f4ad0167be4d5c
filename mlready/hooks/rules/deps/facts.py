"""Project-wide dependency facts shared by the MLR2xx rules.

Pinning is a property of the project, not of one file: ``torch>=2`` in
``pyproject.toml`` is right for a library that commits ``uv.lock``, and ``torch`` in
``requirements.in`` is right when ``pip-compile`` wrote the pinned
``requirements.txt`` next to it. Each rule's ``collect`` returns the same per-file
facts (parsed once per file through ``ctx.memo``), and the helpers here answer the
project questions: is this manifest covered by a lock file, which packages are
pinned somewhere, which files does a requirements file pull in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mlready.hooks import patterns
from mlready.hooks.context import FileContext, ProjectContext

if TYPE_CHECKING:
    from mlready.hooks.rules.deps.requirements import Entry

LOCK_NAMES = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "pixi.lock",
                        "conda-lock.yml", "conda-lock.yaml"})
_PYLOCK = patterns.compile(r"pylock(?:\.[^./]+)?\.toml|.+\.conda-lock\.ya?ml|conda-.+\.lock")
LOCK_HINT = "or commit a lock file (`uv lock`, `pip-compile`, `uv pip compile`, `poetry lock`)"


def manifest_facts(ctx: FileContext) -> dict[str, Any] | None:
    """The dependency facts of one manifest, computed once per file for all MLR2xx rules.

    Each manifest's parser is imported for a file of its kind only: the MLR2xx rules
    read Python files too (`setup.py`), and a one-file hook run over a script would
    otherwise load every parser for none."""

    def compute() -> dict[str, Any] | None:
        if ctx.kind == "requirements":
            from mlready.hooks.rules.deps.requirements import parse_requirements

            return dict(parse_requirements(ctx.path, ctx.source))
        if ctx.parse_error is not None:
            return None
        if ctx.kind == "pyproject":
            from mlready.hooks.rules.deps.manifests import pyproject_facts

            return dict(pyproject_facts(ctx.source, ctx.data))
        if ctx.kind == "setup_cfg":
            from mlready.hooks.rules.deps.setup_cfg import setup_cfg_facts

            return dict(setup_cfg_facts(ctx.source))
        if ctx.kind == "python" and posixpath.basename(ctx.path) == "setup.py" \
                and ctx.tree is not None and not ctx.notebook:
            from mlready.hooks.rules.deps.setup_py import setup_py_facts

            return dict(setup_py_facts(ctx.tree))
        if ctx.kind == "config":
            from mlready.hooks.rules.deps.conda import conda_facts, is_conda_environment

            if is_conda_environment(ctx.path, ctx.data):
                return dict(conda_facts(ctx.path, ctx.source, ctx.data))
        return None

    return ctx.memo("mlready.deps.manifest", compute)


_DOCS_FOLDERS = frozenset({"docs", "doc", "documentation", "sphinx"})


def is_docs_manifest(path: str) -> bool:
    """A manifest that builds the documentation (``docs/requirements.txt``,
    ``docs/conda_env.yml``, ``requirements-docs.txt``): it does not install the stack
    that trains or evaluates anything, so its ranges change no result."""
    parts = path.split("/")
    if any(part.lower() in _DOCS_FOLDERS for part in parts[:-1]):
        return True
    stem = parts[-1].rsplit(".", 1)[0].lower().replace("_", "-")
    return stem in ("requirements-docs", "docs-requirements", "requirements-doc",
                    "environment-docs", "docs-environment")


def is_lock_file(path: str) -> bool:
    """A lock file by name: uv, Poetry, PDM, Pipenv, pixi, conda-lock, PEP 751."""
    name = posixpath.basename(path)
    return name in LOCK_NAMES or bool(_PYLOCK.fullmatch(name))


def _lock_dirs(files: Iterable[str]) -> frozenset[str]:
    return frozenset(posixpath.dirname(path) for path in files if is_lock_file(path))


class DepsProject:
    """The answers the MLR2xx rules need about the whole project."""

    def __init__(self, project: ProjectContext) -> None:
        self.project = project
        self.facts: Mapping[str, dict[str, Any]] = {
            path: facts for path, facts in project.facts.items() if isinstance(facts, dict)
        }
        self.requirements = {path: facts for path, facts in self.facts.items()
                             if facts.get("kind") == "requirements"}
        self._files = frozenset(project.files)
        self._lock_dirs = _lock_dirs(project.files)
        # Which folders hold a lock file depends only on the project's files, not on a
        # rule's facts: one answer per folder for all the MLR2xx rules of a run, so each
        # folder is listed once rather than once per rule.
        self._checked: dict[str, bool] = project.memo("deps:lock-folders", dict)
        self.compiled = any(facts.get("compiled") for facts in self.requirements.values())
        self.constraints = frozenset(
            include["target"] for facts in self.requirements.values()
            for include in facts["includes"] if include["option"] == "-c"
        )

    def _lock_in(self, folder: str) -> bool:
        if folder not in self._checked:
            # Discovery lists only the files mlready parses, and ``uv.lock`` is none of
            # them; listing the folder once is the cheap, exact fallback.
            names = self.project.disk.listdir(self.project.root / folder)
            self._checked[folder] = folder in self._lock_dirs or any(
                is_lock_file(name) for name in names)
        return self._checked[folder]

    def locked(self, path: str) -> bool:
        """Whether a named lock file sits in ``path``'s folder or any folder above it."""
        folder = posixpath.dirname(path)
        while True:
            if self._lock_in(folder):
                return True
            if not folder:
                return False
            folder = posixpath.dirname(folder)

    def exists(self, path: str) -> bool:
        """Whether a root-relative file exists, listed by discovery or not."""
        return path in self._files or self.project.disk.is_file(self.project.root / path)

    def is_constraints(self, path: str) -> bool:
        """A constraints file bounds versions of what is installed; ranges are its job."""
        return path in self.constraints or posixpath.basename(path).startswith("constraints")

    def reachable(self, start: str) -> list[str]:
        """``start`` and every requirements file it includes, transitively, once each."""
        seen = {start}
        order = [start]
        for path in order:  # grows while iterating: a breadth-first walk that ends on cycles
            for include in self.requirements.get(path, {}).get("includes", ()):
                target = include["target"]
                if target is not None and target not in seen:
                    seen.add(target)
                    order.append(target)
        return order

    def pinned(self, paths: Iterable[str]) -> frozenset[str]:
        """Packages pinned exactly (or by hash or commit) in the given requirements files."""
        return frozenset(
            entry["name"] for path in paths
            for entry in self.requirements.get(path, {}).get("entries", ())
            if entry["status"] == "pinned" and entry["name"]
        )

    def entries(self, kinds: tuple[str, ...]) -> Iterable[tuple[str, Entry]]:
        """(path, entry) of the manifests of the given kinds that are reported on."""
        for path in sorted(self.facts):
            facts = self.facts[path]
            if facts.get("kind") in kinds and path in self.project.targets:
                for entry in facts["entries"]:
                    yield path, entry
