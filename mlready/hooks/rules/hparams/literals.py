"""What a hyper-parameter's value is, for MLR101-MLR106: a literal, or a name bound once
to one; and where literals are configuration rather than hard-coded.

`literal_value` evaluates literal arithmetic (``3e-4``, ``2 ** 10``, ``int(1e6)``,
``(0.9, 0.999)``); `_Resolver` follows a name to its single ``name = <literal>``
binding in the scope the call sees (a parameter, an import, an attribute or anything
computed is configuration); `is_config_module` says which files *are* the config.
"""

from __future__ import annotations

import ast
import math

from mlready.hooks.context import FileContext
from mlready.hooks.rules.hparams.signatures import Slot
from mlready.records import NamedTuple

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_SCOPES_NAMED = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef



# --- literals ----------------------------------------------------------------------

Value = float | tuple[float, ...]

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _number(node.operand)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
        return _binop(node)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("int", "float") and len(node.args) == 1 and not node.keywords):
        return _number(node.args[0])
    return None


def _binop(node: ast.BinOp) -> float | None:
    left, right = _number(node.left), _number(node.right)
    if left is None or right is None:
        return None
    try:
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Pow):
            return float(left**right) if abs(right) <= 64 else math.inf
        if isinstance(node.op, ast.Div):
            return left / right
        return left // right
    except (ZeroDivisionError, OverflowError, TypeError):
        return math.nan


def literal_value(node: ast.AST) -> Value | None:
    """The value of a numeric literal, literal arithmetic or a tuple/list of them."""
    if isinstance(node, ast.Tuple | ast.List):
        if not node.elts:
            return None
        items = [_number(elt) for elt in node.elts]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)
    return _number(node)


def is_neutral(value: Value, slot: Slot) -> bool:
    if isinstance(value, tuple):
        return all(item == 0.0 for item in value)
    return value in slot.neutral


def source_text(ctx: FileContext, node: ast.AST) -> str:
    """The node's text as written (UTF-8 byte columns), or its unparsed form."""
    line, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
    if line and line == end and line <= len(ctx.lines):
        raw = ctx.lines[line - 1].encode()
        start, stop = getattr(node, "col_offset", 0), getattr(node, "end_col_offset", 0)
        text = raw[start:stop].decode(errors="replace")
        if text:
            return text
    return ast.unparse(node)


# --- where literals are configuration ------------------------------------------------

CONFIG_MODULES = frozenset({
    "config", "configs", "conf", "cfg", "settings", "hparams", "hyperparams",
    "hyperparameters", "constants", "consts", "defaults",
})
CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg", "hparams"})
def is_config_module(path: str, extra: frozenset[str] = frozenset()) -> bool:
    """``config.py``, ``settings.py``, ``hparams.py``..., ``*_config.py``, a package of
    that name, or any file under configs/, conf/, cfg/: such a module *is* the config,
    and its literals (even in calls, as in python-style config files) are the settings."""
    parts = path.removesuffix(".py").split("/")
    stem = parts[-1]
    if stem == "__init__" and len(parts) > 1:
        stem = parts[-2]
    names = CONFIG_MODULES | extra
    return (stem in names or any(part in CONFIG_DIRS for part in parts[:-1])
            or stem.endswith(("_config", "_configs", "_hparams", "_settings")))


# --- name resolution to single literal bindings -------------------------------------

Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


class _Bindings:
    """How often each name is bound in one scope, and its value when bound once simply."""

    def __init__(self) -> None:
        self.count: dict[str, int] = {}
        self.simple: dict[str, ast.AST] = {}
        self.opaque: set[str] = set()  # global/nonlocal: give up on these

    def bind(self, name: str, value: ast.AST | None = None) -> None:
        self.count[name] = self.count.get(name, 0) + 1
        if value is not None:
            self.simple[name] = value


def _scope_bindings(scope: Scope) -> _Bindings:
    result = _Bindings()
    if not isinstance(scope, ast.Module):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                result.bind(arg.arg)
    body: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)
    stack = body
    while stack:
        node = stack.pop()
        _bind_node(node, result)
        if isinstance(node, _SCOPES):
            continue  # a nested scope binds its own name only (done in _bind_node)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return result


def _bind_node(node: ast.AST, result: _Bindings) -> None:
    if isinstance(node, ast.Assign):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            result.bind(node.targets[0].id, node.value)
            return
        for target in node.targets:
            _bind_targets(target, result)
    elif isinstance(node, ast.AnnAssign):
        if isinstance(node.target, ast.Name):
            result.bind(node.target.id, node.value)
    elif isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor | ast.NamedExpr):
        _bind_targets(node.target, result)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        _bind_targets(node.optional_vars, result)
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            result.bind((alias.asname or alias.name).split(".")[0])
    elif isinstance(node, _SCOPES_NAMED | ast.ExceptHandler):
        if node.name:
            result.bind(node.name)
    elif isinstance(node, ast.Global | ast.Nonlocal):
        result.opaque.update(node.names)
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            _bind_targets(target, result)
    elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
        result.bind(node.name)


def _bind_targets(target: ast.AST, result: _Bindings) -> None:
    for sub in ast.walk(target):
        if isinstance(sub, ast.Name):
            result.bind(sub.id)
        elif isinstance(sub, ast.MatchAs | ast.MatchStar) and sub.name:
            result.bind(sub.name)


class Resolved(NamedTuple):
    """A name that stands for a literal: the literal node and the binding's line."""

    name: str
    value_node: ast.AST
    line: int


class Resolver:
    """Follows a name through the enclosing function scopes to a single literal binding.

    ``dynamic_globals``: the module rewrites its globals at run time (nanoGPT's
    ``exec(open("configurator.py").read())`` overrides them from the command line and
    config files; ``globals().update(...)`` likewise), so a module-level literal there
    is only a default.
    """

    def __init__(self, dynamic_globals: bool = False) -> None:
        self.dynamic_globals = dynamic_globals
        self._cache: dict[int, _Bindings] = {}

    def bindings(self, scope: Scope) -> _Bindings:
        key = id(scope)
        if key not in self._cache:
            self._cache[key] = _scope_bindings(scope)
        return self._cache[key]

    def resolve(self, name: ast.Name, scopes: tuple[Scope, ...]) -> Resolved | None:
        for scope in reversed(scopes):
            info = self.bindings(scope)
            if name.id in info.opaque:
                return None
            count = info.count.get(name.id, 0)
            if count == 0:
                continue
            value = info.simple.get(name.id)
            if count != 1 or value is None or literal_value(value) is None:
                return None
            if self.dynamic_globals and isinstance(scope, ast.Module):
                return None
            return Resolved(name.id, value, getattr(value, "lineno", 0))
        return None


