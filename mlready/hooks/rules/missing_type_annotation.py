"""MLR401 `missing-type-annotation`: a public function without parameter or return types.

## What it does
Flags a public function or method whose parameters (``*args`` and ``**kwargs``
included, ``self``/``cls`` excluded) or return type have no annotation, naming the
function and exactly what is missing. As with ``mypy --strict``, ``__init__`` may
omit ``-> None`` once one of its parameters is annotated, and the implementation of
an ``@overload``-ed function is checked too. Not checked by default: test files
(``tests/``, ``test/``, ``test_*.py``, ``*_test.py``, ``conftest.py``), private names
(a leading underscore, everything inside a private class, and private modules
such as ``pkg/_impl.py`` or ``pkg/_internal/``), nested functions,
lambdas, notebooks, and functions decorated with ``@no_type_check``.

The rule also measures annotation coverage (annotated slots over all slots, a slot
being one parameter or one return type of a checked function), per file and for the
project, for the scorecard and the JSON output.

## Why is this bad?
Research code passes tensors, configs and callbacks through many layers; without
types, a ``(batch, seq, dim)`` versus ``(seq, batch, dim)`` mix-up or a ``None``
config surfaces as a shape error three calls later, and every reader has to trace
call sites to learn what ``model`` or ``loader`` may be. Annotations let ``mypy``
catch these before a run and document the interface for the next person.

## Example
```python
def train_one_epoch(model, loader, lr=1e-3):
    ...
```

## Use instead
```python
def train_one_epoch(model: nn.Module, loader: DataLoader[Batch], lr: float = 1e-3) -> float:
    ...
```

## Options
- ``include-tests`` (default ``false``): also check test files.
- ``include-private`` (default ``false``): also check private functions and the methods
  of private classes.

## References
- [PEP 484: Type Hints](https://peps.python.org/pep-0484/)
- [mypy: `--disallow-untyped-defs` and `--disallow-incomplete-defs`](https://mypy.readthedocs.io/en/stable/command_line.html#untyped-definitions-and-calls)
- [mypy: `__init__` return type](https://mypy.readthedocs.io/en/stable/class_basics.html#instance-and-class-attributes)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import Any

from mlready.config import Field, Table
from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic

CODE = "MLR401"
NAME = "missing-type-annotation"
KINDS = ("python",)
OPTIONS = Table(
    fields={
        "include-tests": Field((bool,), "Also check test files (tests/, test_*.py, conftest.py)."),
        "include-private": Field((bool,), "Also check private functions and private classes."),
    },
    help="Type-annotation rules (MLR4xx).",
)

_TEST_FOLDERS = frozenset({"tests", "test"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith)
Missing = list[Any]  # [line, col, message, fix]: JSON-friendly


def is_test_path(path: str) -> bool:
    """Test files by pytest's conventions: a tests folder, test_*.py, *_test.py, conftest."""
    *folders, name = path.split("/")
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(folder in _TEST_FOLDERS for folder in folders))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_private_module(path: str) -> bool:
    """``pkg/_impl/x.py`` or ``pkg/_x.py``: nothing in it is public API."""
    *folders, name = path.split("/")
    return any(_private(part) for part in (*folders, name.split(".", 1)[0]))


def _decorated(node: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Name) and target.id == name) or (
                isinstance(target, ast.Attribute) and target.attr == name):
            return True
    return False


_SHOWN = 5


def _quote(names: list[str]) -> str:
    """The names in backticks, at most five of them, so that the message stays one line."""
    shown = ", ".join(f"`{name}`" for name in names[:_SHOWN])
    return shown + (f" (and {len(names) - _SHOWN} more)" if len(names) > _SHOWN else "")


def _message(qualname: str, params: list[str], returns: bool) -> tuple[str, str]:
    noun = "parameter" if len(params) == 1 else "parameters"
    if params and returns:
        what = f"{noun} {_quote(params)} and the return type have no type annotation"
        fix = f"annotate {_quote(params)} and add `-> ...` (`-> None` when it returns nothing)"
    elif params:
        verb = "has" if len(params) == 1 else "have"
        what = f"{noun} {_quote(params)} {verb} no type annotation"
        fix = f"annotate {_quote(params)}"
    else:
        what = "return type has no annotation"
        fix = "add `-> ...` (`-> None` when it returns nothing)"
    return f"`{qualname}`: {what}", fix


class _Coverage:
    """Slots counted and missing annotations found in one file."""

    def __init__(self, include_private: bool) -> None:
        self.include_private = include_private
        self.annotated = 0
        self.total = 0
        self.missing: list[Missing] = []

    def body(self, body: list[ast.stmt], prefix: str, in_class: bool) -> None:
        """Functions and classes of a module or class body (and of its if/try/with blocks)."""
        for node in body:
            if isinstance(node, _FUNCTIONS):
                if self.include_private or not _private(node.name):
                    self.function(node, prefix, in_class)
            elif isinstance(node, ast.ClassDef):
                if self.include_private or not _private(node.name):
                    self.body(node.body, f"{prefix}{node.name}.", True)
            elif isinstance(node, _BLOCKS):
                for block in (node.body, getattr(node, "orelse", ()),
                              getattr(node, "finalbody", ())):
                    self.body(list(block), prefix, in_class)
                for handler in getattr(node, "handlers", ()):
                    self.body(handler.body, prefix, in_class)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str,
                 in_class: bool) -> None:
        if _decorated(node, "no_type_check"):
            return
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        if in_class and positional and not _decorated(node, "staticmethod"):
            positional = positional[1:]  # self / cls: its type is known
        slots = [(arg.arg, arg) for arg in (*positional, *args.kwonlyargs)]
        if args.vararg:
            slots.append((f"*{args.vararg.arg}", args.vararg))
        if args.kwarg:
            slots.append((f"**{args.kwarg.arg}", args.kwarg))
        params = [name for name, arg in slots if arg.annotation is None]
        # mypy: `__init__` may leave out `-> None` once a parameter is there to annotate.
        exempt = in_class and node.name == "__init__" and node.returns is None and bool(slots)
        returns = node.returns is None and not exempt
        self.total += len(slots) + (not exempt)
        self.annotated += len(slots) - len(params) + (node.returns is not None)
        if params or returns:
            message, fix = _message(prefix + node.name, params, returns)
            self.missing.append([node.lineno, node.col_offset + 1, message, fix])


def _option(options: Mapping[str, Any], key: str) -> bool:
    return bool(options.get(key, False))


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """Coverage counts and missing annotations of one file; None when out of scope."""
    if ctx.tree is None or ctx.path.endswith(".ipynb"):
        return None
    if is_test_path(ctx.path) and not _option(ctx.options, "include-tests"):
        return None
    include_private = _option(ctx.options, "include-private")
    if is_private_module(ctx.path) and not include_private:
        return None
    coverage = _Coverage(include_private)
    coverage.body(ctx.tree.body, "", False)
    return {"annotated": coverage.annotated, "total": coverage.total,
            "missing": coverage.missing}


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    for path in sorted(project.facts):
        facts = project.facts[path]
        if isinstance(facts, dict) and path in project.targets:
            for line, col, message, fix in facts["missing"]:
                yield project.diagnostic(path, line, col, CODE, message, fix=fix)


def _ratio(annotated: int, total: int) -> float | None:
    return round(annotated / total, 4) if total else None


def summarize(project: ProjectContext) -> dict[str, Any]:
    """Annotation coverage per file (files with at least one slot) and for the project.

    ``ratio`` is ``null`` when there is nothing to annotate.
    """
    files: dict[str, dict[str, Any]] = {}
    annotated = total = 0
    for path in sorted(project.facts):
        facts = project.facts[path]
        if not isinstance(facts, dict) or not facts["total"]:
            continue
        annotated += facts["annotated"]
        total += facts["total"]
        files[path] = {"annotated": facts["annotated"], "total": facts["total"],
                       "ratio": _ratio(facts["annotated"], facts["total"])}
    return {"project": {"annotated": annotated, "total": total,
                        "ratio": _ratio(annotated, total)}, "files": files}
