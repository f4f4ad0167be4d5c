"""The seeding collector's vocabulary: source positions, spans, units, call predicates,
and the state every part of the collector shares.

The per-file collector (`units`) is cut by concern into mixins, one module each:
`methods` (calls on a receiver), `events` (resolved library calls), `passes` (whole-file
passes after the calls: cuDNN assignments, CUDA strings, training loops) and
`project_calls` (calls that may reach the project's own functions). `CollectorBase`
declares what they all read, so that each mixin type-checks on its own.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from mlready.hooks.context import FileContext
from mlready.hooks.names import NameResolver
from mlready.hooks.rules.seeds.facts import Event, Facts

Span = tuple[tuple[int, int], tuple[int, int]]

HEUR = 1  # flags of a call event (`units`): named like a seeder,
COND = 2  # inside an `if`,
NESTED = 4  # inside a nested function or lambda


def node_start(node: ast.AST) -> tuple[int, int]:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    first = decorators[0] if decorators else node
    return (getattr(first, "lineno", 0), getattr(first, "col_offset", 0))


def node_end(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def node_pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class Spans:
    """A union of source spans, answering "is this position inside any?" by bisection."""

    def __init__(self, spans: Iterable[Span]) -> None:
        merged: list[list[tuple[int, int]]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def __contains__(self, pos: tuple[int, int]) -> bool:
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos <= self._ends[i]


class Unit:
    """A function, method, module body or main guard, and the events in it, in order."""

    backward_in_loop = False
    steps = 0
    first_backward: tuple[ast.Call, str] | None = None
    plots = False
    first_step: ast.Call | None = None

    def __init__(self, name: str, cls: str | None = None, entry: str = "") -> None:
        self.name = name
        self.cls = cls
        self.entry = entry
        self.events: list[Event] = []


def chain(func: ast.expr) -> tuple[str | None, str | None]:
    """``a.b.c`` -> (``a``, ``a.b.c``); (None, None) when the chain holds anything else."""
    if type(func) is ast.Name:  # the common case, without building a list
        return func.id, func.id
    parts: list[str] = []
    node = func
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return None, None
    parts.append(node.id)
    return node.id, ".".join(reversed(parts))


def literal_false(node: ast.expr | None) -> bool:
    """``False``, ``None``, ``0``: values that turn an option off."""
    return isinstance(node, ast.Constant) and node.value in (False, None, 0)


def is_none(node: ast.expr | None) -> bool:
    """A missing argument or a literal ``None``: no seed given."""
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def literal_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def spelled(call: ast.Call) -> str:
    """``scaler.scale(loss).backward()`` as written (arguments elided), for messages."""
    text = f"{ast.unparse(call.func)}()"
    return text if len(text) <= 48 else f"...{text[-45:]}"


def has_splat(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


class CollectorBase:
    """The state the collector's mixins read (owned by `units._Collector`), and the
    primitives they share: recording an event, finding the unit at a position."""

    ctx: FileContext
    facts: Facts
    resolver: NameResolver
    units: dict[str, Unit]
    vars: dict[tuple[str, str], str]
    bound_names: set[str]
    seed_draws: set[int]
    optimizer_classes: set[str]
    imports_torch: bool
    imports_env: bool
    aliases: dict[str, str]
    loops: Spans
    branches: Spans
    device_tests: Spans

    def _event(self, unit: Unit, kind: str, node: ast.AST, name: str,
               extra: Any = None) -> Event:
        line, offset = node_pos(node)
        end_line, end_offset = node_end(node)
        event: Event = [kind, line, offset, end_line, end_offset, name, extra]
        unit.events.append(event)
        return event

    def _unit_at(self, pos: tuple[int, int]) -> Unit:
        """The unit whose span holds ``pos`` (`units._Collector` knows the spans)."""
        raise NotImplementedError

    def _cond(self, node: ast.AST) -> int:
        """1 when ``node`` runs only behind an ``if`` of its unit, else 0."""
        return 1 if node_pos(node) in self.branches else 0

    def _variable(self, unit: Unit, dotted: str) -> str | None:
        scope = unit.cls if dotted.startswith("self.") and unit.cls else unit.name
        return self.vars.get((scope, dotted))

    @staticmethod
    def _cuda_arg(call: ast.Call) -> bool:
        if not call.args:
            return True  # `torch.cuda.is_available()`
        first = call.args[0]
        return isinstance(first, ast.Constant) and str(first.value).startswith("cuda")
