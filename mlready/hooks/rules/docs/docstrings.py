"""Shared by the docstring rules (MLR603, MLR901): which definitions are public, which
are documented.

In scope: Python files (not notebooks) that are not tests, not private modules
(``pkg/_impl.py``), not generated and not ``setup.py``; the same scope as the type-hint
coverage of MLR401. Counted: module-level functions and classes with a public name,
and the public methods of public classes (also under ``if``/``try``/``with``). Not
counted: private names, dunder methods (``__init__`` is documented by its class),
nested functions, ``@overload`` stubs, ``@override`` methods (the base documents them)
and property setters and deleters (the getter documents the property).
"""

from __future__ import annotations

import ast

from mlready.hooks.context import FileContext
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.types.missing_type_annotation import is_generated, is_private_module
from mlready.records import NamedTuple

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith)
_SKIPPED_DECORATORS = frozenset({"overload", "override", "setter", "deleter"})


class Definition(NamedTuple):
    """One public function, method or class, and whether it has a docstring."""

    line: int
    col: int
    kind: str  # "function", "method" or "class"
    qualname: str
    documented: bool


def in_scope(ctx: FileContext) -> bool:
    """Whether the file's public definitions count: a non-test, non-private, hand-written
    Python module."""
    if ctx.tree is None or ctx.notebook or ctx.path.endswith(".ipynb"):
        return False
    name = ctx.path.rsplit("/", 1)[-1]
    return not (is_test_path(ctx.path) or is_private_module(ctx.path) or name == "setup.py"
                or is_generated(ctx.path, ctx.source))


def has_docstring(node: ast.AST) -> bool:
    """A non-blank string literal as the first statement."""
    body = getattr(node, "body", None)
    if not body or not isinstance(body[0], ast.Expr):
        return False
    value = body[0].value
    return isinstance(value, ast.Constant) and isinstance(value.value, str) \
        and bool(value.value.strip())


def _public(name: str) -> bool:
    return not name.startswith("_")


def _skipped(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else \
            target.id if isinstance(target, ast.Name) else ""
        if name in _SKIPPED_DECORATORS:
            return True
    return False


def _walk(body: list[ast.stmt], prefix: str, in_class: bool, out: list[Definition]) -> None:
    for node in body:
        if isinstance(node, _FUNCTIONS):
            if _public(node.name) and not _skipped(node):
                out.append(Definition(node.lineno, node.col_offset + 1,
                                      "method" if in_class else "function",
                                      prefix + node.name, has_docstring(node)))
        elif isinstance(node, ast.ClassDef):
            if _public(node.name):
                out.append(Definition(node.lineno, node.col_offset + 1, "class",
                                      prefix + node.name, has_docstring(node)))
                _walk(node.body, f"{prefix}{node.name}.", True, out)
        elif isinstance(node, _BLOCKS):
            for block in (node.body, getattr(node, "orelse", ()), getattr(node, "finalbody", ())):
                _walk(list(block), prefix, in_class, out)
            for handler in getattr(node, "handlers", ()):
                _walk(handler.body, prefix, in_class, out)


def definitions(ctx: FileContext) -> list[Definition]:
    """The public definitions of one file, in source order; empty when out of scope.
    Computed once per file and shared by the rules through ``ctx.memo``."""
    def compute() -> list[Definition]:
        if not in_scope(ctx):
            return []
        assert ctx.tree is not None
        found: list[Definition] = []
        _walk(ctx.tree.body, "", False, found)
        return found

    return ctx.memo("docstrings.definitions", compute)
