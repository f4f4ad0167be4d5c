"""What a rule sees: one parsed file (`FileContext`) or the whole project (`ProjectContext`).

Rules are pure functions of these. The engine parses each file exactly once and
hands the same context to every selected rule; ``memo`` lets sibling rules share
one analysis of a tree (for example, every seeding rule walks the tree once).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

from mlready.hooks.model import Diagnostic, FileKind
from mlready.hooks.names import NameResolver, module_name_for
from mlready.hooks.probes import Probes

T = TypeVar("T")
N = TypeVar("N", bound=ast.AST)


# Fields that never hold child nodes worth indexing: names and flags (str/int), and the
# expression-context and operator singletons (``Load``, ``Add``...), a third of all nodes
# and never what a rule looks for (read ``node.ctx`` / ``node.op`` instead).
_NOT_CHILDREN = frozenset({
    "ctx", "op", "ops", "id", "attr", "name", "arg", "asname", "module", "level", "kind",
    "type_comment", "conversion", "is_async", "simple", "tag", "rest", "kwd_attrs", "lineno"})
_LEAVES = (ast.Constant, ast.Global, ast.Nonlocal, ast.MatchSingleton)
# Per node class: its child fields in reverse order, each with whether it holds a list.
# Learnt from the first node of the class met (the grammar fixes which fields are lists).
_CHILD_PLANS: dict[type[ast.AST], tuple[tuple[str, bool], ...]] = {}


def _child_plan(node: ast.AST) -> tuple[tuple[str, bool], ...]:
    node_class = node.__class__
    if issubclass(node_class, _LEAVES) or not issubclass(node_class, ast.AST):
        plan: tuple[tuple[str, bool], ...] = ()  # (a name in a list, on a future grammar)
    else:
        plan = tuple((name, isinstance(getattr(node, name, None), list))
                     for name in reversed(node_class._fields) if name not in _NOT_CHILDREN)
    _CHILD_PLANS[node_class] = plan
    return plan


def index_nodes(tree: ast.AST) -> dict[type[ast.AST], list[ast.AST]]:
    """Every node of ``tree`` bucketed by its class, in source (pre-)order.

    One explicit-stack pass over the fields that can hold nodes, about four times as
    fast as `ast.walk`; the engine's speed budget allows roughly one walk per file, so
    rules share this one. Children are pushed in reverse, straight from their fields
    (no per-child type test: the only non-nodes in child lists are None, as in
    ``Dict.keys``), so that popping yields pre-order. Expression contexts
    (``ast.Load``...) and operators (``ast.Add``, ``ast.Eq``...) are not indexed: read
    ``node.ctx`` / ``node.op`` instead.
    """
    index: dict[type[ast.AST], list[ast.AST]] = {}
    stack: list[ast.AST | None] = [tree]
    pop, extend, append = stack.pop, stack.extend, stack.append
    plans = _CHILD_PLANS
    while stack:
        node = pop()
        if node is None:
            continue
        node_class = node.__class__
        bucket = index.get(node_class)
        if bucket is None:
            index[node_class] = [node]
        else:
            bucket.append(node)
        plan = plans.get(node_class)
        if plan is None:
            plan = _child_plan(node)
        for name, many in plan:
            value = getattr(node, name, None)
            if many:
                if value:
                    extend(reversed(value))
            elif value is not None:
                append(value)
    return index


class FileContext:
    """One file, parsed once. ``tree`` is set for Python sources; ``data`` for parsed
    structured files (TOML/YAML/JSON); ``parse_error`` says why parsing failed.

    A plain class, not a dataclass: every hook run that checks a file defines it (see
    CONTRIBUTING, "Records on the hook path")."""

    def __init__(self, path: str, kind: FileKind, source: str, root: Path | None = None,
                 tree: ast.Module | None = None, data: Any = None,
                 parse_error: str | None = None, parse_error_line: int | None = None,
                 options: Mapping[str, Any] | None = None, notebook: bool = False) -> None:
        self.path = path
        self.kind = kind
        self.source = source
        self.root = root if root is not None else Path.cwd()
        self.tree = tree
        self.data = data
        self.parse_error = parse_error
        self.parse_error_line = parse_error_line
        self.options: Mapping[str, Any] = options if options is not None else {}
        self.notebook = notebook  # a python context made from a notebook's code cells
        self._memo: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"FileContext(path={self.path!r}, kind={self.kind!r})"

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    @cached_property
    def _node_index(self) -> dict[type[ast.AST], list[ast.AST]]:
        return index_nodes(self.tree) if self.tree is not None else {}

    def nodes(self, *types: type[N]) -> list[N]:
        """All nodes of the given classes (e.g. ``ctx.nodes(ast.Call)``), in source order
        per class. Built once per file and shared by every rule: prefer it to `ast.walk`."""
        if len(types) == 1:
            return cast("list[N]", self._node_index.get(types[0], []))
        found: list[N] = []
        for node_class, bucket in self._node_index.items():
            if issubclass(node_class, types):
                found.extend(cast("list[N]", bucket))
        found.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
        return found

    def column(self, line: int, byte_offset: int) -> int:
        """The 1-based character column of an AST byte offset (AST offsets count UTF-8 bytes)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore")) + 1

    @cached_property
    def module(self) -> str:
        return module_name_for(self.path)

    @cached_property
    def resolver(self) -> NameResolver:
        tree = self.tree if self.tree is not None else ast.Module(body=[], type_ignores=[])
        return NameResolver(tree, self.module, self.path.endswith("__init__.py"),
                            imports=self.nodes(ast.Import, ast.ImportFrom))

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a per-file analysis once and share it between rules."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    def diagnostic(self, code: str, where: ast.AST | tuple[int, int], message: str,
                   fix: str | None = None) -> Diagnostic:
        """A finding at an AST node (its full span) or at a 1-based (line, col)."""
        if isinstance(where, tuple):
            line, col = where
            return Diagnostic(self.path, line, col, code, message, fix=fix)
        line = getattr(where, "lineno", 1)
        col = self.column(line, getattr(where, "col_offset", 0))
        end_line = getattr(where, "end_lineno", None)
        end_offset = getattr(where, "end_col_offset", None)
        end_col = (self.column(end_line, end_offset)
                   if end_line is not None and end_offset is not None else None)
        return Diagnostic(self.path, line, col, code, message, end_line, end_col, fix)

    @classmethod
    def from_source(cls, path: str, source: str, **kwargs: Any) -> FileContext:
        """A Python file context straight from text (tests and notebooks use this)."""
        tree = ast.parse(source, filename=path)
        return cls(path=path, kind="python", source=source, tree=tree, **kwargs)


class ProjectContext:
    """The whole project as facts: what each file's ``collect`` returned, per rule.

    ``facts`` maps a file path to that rule's collected facts (JSON-serializable, so the
    cache can keep them). ``files`` lists every project file the engine saw, checked or
    not; ``targets`` are the files whose findings are reported (pre-commit passes only
    changed files, but cross-file facts still come from the whole project). A plain
    class, as `FileContext` is.
    """

    def __init__(self, root: Path, files: tuple[str, ...], targets: frozenset[str],
                 facts: Mapping[str, Any], options: Mapping[str, Any] | None = None,
                 shared: dict[str, Any] | None = None, excludes: tuple[str, ...] = (),
                 disk: Probes | None = None) -> None:
        self.root = root
        self.files = files
        self.targets = targets
        self.facts = facts
        self.options: Mapping[str, Any] = options if options is not None else {}
        # Shared by every rule's finalize in one run (the engine passes the same dict),
        # so that sibling rules build one project-wide analysis instead of one each.
        self.shared: dict[str, Any] = shared if shared is not None else {}
        # The project's exclude patterns: files under them exist but are not in ``files``.
        self.excludes = excludes
        # The only way a finalize looks at the disk beyond the facts (see
        # mlready.hooks.probes): what it asked is recorded, so that a remembered run is
        # reused only while it holds.
        self.disk = disk if disk is not None else Probes()

    def __repr__(self) -> str:
        return f"ProjectContext(root={self.root!r}, {len(self.files)} files)"

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a project-wide analysis once per run and share it between rules.

        Key it by what it reads (e.g. ``f"seeding:{sorted(codes)}"``): each rule's
        ``facts`` are its own, so an analysis of one rule's facts must not be reused
        for another's unless their ``collect`` functions return the same thing.
        """
        if key not in self.shared:
            self.shared[key] = compute()
        value: T = self.shared[key]
        return value

    def diagnostic(self, path: str, line: int, col: int, code: str, message: str,
                   fix: str | None = None) -> Diagnostic:
        return Diagnostic(path, line, col, code, message, fix=fix)


Check = Callable[[FileContext], Iterable[Diagnostic]]
Collect = Callable[[FileContext], Any]
Finalize = Callable[[ProjectContext], Iterable[Diagnostic]]
Summarize = Callable[[ProjectContext], Mapping[str, Any]]
