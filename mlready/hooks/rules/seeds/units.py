"""Per-file facts for the reproducibility rules (MLR001-MLR008).

``collect`` turns one file into JSON-serializable facts, shared by every seeding rule
through ``ctx.memo`` and built from the engine's shared node index (no walk of our
own). A file is cut into *units*: each top-level function, each method, the
``if __name__ == "__main__":`` block (``__main__``) and the remaining module-level
code (``<module>``). Each unit keeps, in source order, only the events that matter:

====  ======================================================================
kind  meaning (``api`` names the call; ``extra`` depends on the kind)
====  ======================================================================
s     seeds generators (``extra``: their keys, see `_seeding_apis`)
u     draws from a generator (``extra``: its key)
c     calls (or passes as a callback) a possible project function
      (``api``: its qualified name; ``extra``: bit 1 = named like a seeder,
      bit 2 = inside an ``if``, bit 4 = inside a nested function or lambda)
d     asks for deterministic algorithms
b     turns on ``cudnn.benchmark`` (``extra``: 1 when inside an ``if``)
t     trains (``extra``: ``torch`` a backward pass in a loop, ``step`` one outside
      a loop, ``lightning``, ``sb3``, ``hf``)
g     uses CUDA
k     loads weights over the initial ones (``load_state_dict``, ``from_pretrained``;
      ``extra``: 1 when inside an ``if``)
w     builds a shuffled multi-process ``DataLoader`` without ``worker_init_fn``/``generator``
o     builds a ``torch.optim`` optimizer (not inside a nested function or lambda)
p     draws a figure (matplotlib, seaborn...): what it draws only decides how it looks
====  ======================================================================

An event is ``[kind, line, col, end_line, end_col, api, extra]`` (AST byte offsets
while collecting, 1-based character columns once packed). Units without events are
dropped, and so are calls to functions of the same file that turned out to have none,
so a library file's facts stay small.
Each unit travels as one string (`unit_header`, `pack`; `unpack` reverses it) and
call targets as one per-file table: the engine keeps every rule's facts for every file
in memory, and over torch's 2,300 files this takes 6 MB instead of 17 MB of objects
per rule. `callgraph` unpacks only the units an entrypoint reaches, resolves the
calls and decides.

This module cuts the file into units, binds variables to the types they hold and
packs the result; the collector's other concerns are mixins of their own (`nodes`
lists them): calls on receivers (`methods`), library calls (`events`), whole-file
passes (`passes`), calls into the project (`project_calls`) and what is kept (`kept`).
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import Any

from mlready.hooks.context import FileContext
from mlready.hooks.names import NameResolver
from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.bindings import called, return_types, value_types
from mlready.hooks.rules.seeds.facts import GUARD_UNIT as GUARD_UNIT
from mlready.hooks.rules.seeds.facts import MODULE_UNIT as MODULE_UNIT
from mlready.hooks.rules.seeds.facts import VERSION as VERSION
from mlready.hooks.rules.seeds.facts import Event as Event
from mlready.hooks.rules.seeds.facts import Facts as Facts
from mlready.hooks.rules.seeds.facts import pack as pack
from mlready.hooks.rules.seeds.facts import unit_header as unit_header
from mlready.hooks.rules.seeds.facts import unpack as unpack
from mlready.hooks.rules.seeds.kept import KeptFacts
from mlready.hooks.rules.seeds.nodes import Spans, Unit, chain, node_end, node_pos, node_start
from mlready.hooks.rules.seeds.passes import FilePasses
from mlready.hooks.rules.seeds.project_calls import ProjectCalls
from mlready.hooks.syntax import is_main_guard

MEMO_KEY = "mlready.rules._seeding"

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _methods(cls: ast.ClassDef, owner: str
             ) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Each method of ``cls`` (named ``owner``) and of the classes nested in it, with
    its class's dotted name: each is a unit (tianshou's ``Algorithm.Optimizer.step``,
    whose ``loss.backward()`` is no module-level code: read as such, the library file
    looked like a script that trains at import)."""
    for item in cls.body:
        if isinstance(item, _DEFS):
            yield owner, item
        elif isinstance(item, ast.ClassDef):
            yield from _methods(item, f"{owner}.{item.name}")


# Returned values that may name a type (`bindings`); a constant, a sum or a comparison cannot.
_TYPED_VALUES = (ast.Call, ast.Name, ast.Attribute, ast.Tuple, ast.BoolOp, ast.IfExp)


def collect(ctx: FileContext) -> Facts:
    """This file's seeding facts; every seeding rule returns the same (memoized) object."""
    return ctx.memo(MEMO_KEY, lambda: _collect(ctx))


def _collect(ctx: FileContext) -> Facts:
    """Facts keep only keys that say something (``nb``, ``guard``, ``ml``... are absent
    when false or empty): the engine holds every file's facts once per rule."""
    facts: Facts = {"v": VERSION, "m": ctx.module, "units": {}}
    if ctx.notebook or ctx.path.endswith(".ipynb"):
        facts["nb"] = True
    # Without an import a file can neither draw from a library nor call another module;
    # it can still hold a duck-typed training loop.
    if ctx.tree is None or ("import" not in ctx.source and ".backward(" not in ctx.source):
        return facts
    return _Collector(ctx, facts).run()


# --- units ---------------------------------------------------------------------------


class _Collector(ProjectCalls, FilePasses, KeptFacts):
    """One pass over the shared node index, classifying calls into unit events."""

    def __init__(self, ctx: FileContext, facts: Facts) -> None:
        self.ctx = ctx
        self.facts = facts
        self.module = ctx.module
        self.resolver: NameResolver = ctx.resolver  # shared with every rule of the file
        self.aliases = self.resolver.aliases
        self.units: dict[str, Unit] = {MODULE_UNIT: Unit(MODULE_UNIT)}
        self.defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.starts: list[tuple[int, int]] = []
        self.spans: list[tuple[tuple[int, int], tuple[int, int], Unit]] = []
        self.local_defs: set[str] = set()
        self.project_names: set[str] = set()
        self.classes: dict[str, list[str]] = {}
        self.imports_torch = self.resolver.imports("torch")
        self.imports_env = any(self.resolver.imports(root) for root in api.ENV_ROOTS)
        self.imports_cli = any(self.resolver.imports(root) for root in ("click", "typer"))
        if any(self.resolver.imports(root) for root in api.ML_ROOTS):
            facts["ml"] = True
        self.vars: dict[tuple[str, str], str] = {}
        self.other_vars: dict[tuple[str, str], list[str]] = {}
        self.bound_names: set[str] = set()
        self.seed_draws: set[int] = set()
        self.optimizer_classes: set[str] = set()
        self.star = self._star_imports(ctx)
        self.plotters = frozenset(name for name, target in self.aliases.items()
                                  if target.startswith(api.PLOT_ROOTS))

    # -- structure --

    def run(self) -> Facts:
        tree = self.ctx.tree
        assert tree is not None
        for statement in tree.body:
            self._top_level(statement)
        self.project_names = self.local_defs | {
            name for name, target in self.aliases.items() if not api.is_external(target)}
        self.spans.sort(key=lambda item: item[0])
        self.starts = [start for start, _, _ in self.spans]
        unit_nodes = {id(node) for node in self._unit_nodes(tree)}
        # A nested function called by name in this file (`train_one_epoch()` in the
        # `train` that defines it) runs where it is called: its draws count.
        called = {c.func.id for c in self.ctx.nodes(ast.Call) if type(c.func) is ast.Name}
        nested = [(node_pos(n), node_end(n)) for n in
                  self.ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
                  if id(n) not in unit_nodes
                  and (isinstance(n, ast.Lambda) or getattr(n, "name", "") not in called)]
        self.nested = Spans(nested)
        self.loops = Spans((node_pos(n), node_end(n)) for n in
                            self.ctx.nodes(ast.For, ast.While, ast.AsyncFor))
        self.branches = Spans((node_pos(n), node_end(n)) for n in self.ctx.nodes(ast.If)
                               if not is_main_guard(n))
        self.device_tests = Spans((node_pos(n), node_end(n)) for n in self.ctx.nodes(ast.If)
                                  if _tests_device(n.test)) \
            if "cpu" in self.ctx.source and self._cpu_default() else Spans(())
        self._bind_variables()
        for call in self.ctx.nodes(ast.Call):
            self._call(call)
        for assign in self.ctx.nodes(ast.Assign):
            self._assign(assign)
        self._cuda_strings()
        self._settle_loads()
        self._training_loops()
        return self._finish()

    def _cpu_default(self) -> bool:
        """A device option that defaults to the CPU (``add_argument("--device",
        default="cpu")``): the run's GPU code is then behind a device test."""
        for call in self.ctx.nodes(ast.Call):
            for kw in call.keywords:
                if kw.arg == "default" and isinstance(kw.value, ast.Constant) \
                        and kw.value.value == "cpu":
                    return True
        return False

    def _unit_nodes(self, tree: ast.Module) -> Iterator[ast.AST]:
        for statement in tree.body:
            if isinstance(statement, _DEFS):
                yield statement
            elif isinstance(statement, ast.ClassDef):
                yield from (method for _, method in _methods(statement, statement.name))

    def _top_level(self, statement: ast.stmt) -> None:
        if isinstance(statement, _DEFS):
            self.local_defs.add(statement.name)
            unit = Unit(statement.name, entry=self._entry_kind(statement))
            self._add_unit(statement, unit)
        elif isinstance(statement, ast.ClassDef):
            self.local_defs.add(statement.name)
            # `class DQN(OffPolicy[TPolicy], Generic[TPolicy])`: the base is the generic.
            bases = [q for q in (self.resolver.qualname(
                b.value if isinstance(b, ast.Subscript) else b) for b in statement.bases) if q]
            self.classes[statement.name] = [q for q in bases if not api.is_external(q)]
            if any(q.partition(".")[0] in api.COMPONENT_ROOTS for q in bases):
                # `class Unet(nn.Module)`, `class Env(gym.Env)`: a reusable component.
                self.facts["lib"] = True
            for owner, method in _methods(statement, statement.name):
                self._add_unit(method, Unit(f"{owner}.{method.name}", cls=owner))
        elif isinstance(statement, ast.If) and is_main_guard(statement):
            self.facts["guard"] = True
            self.facts["gn"] = len(statement.body)
            self._add_unit(statement, Unit(GUARD_UNIT))

    def _add_unit(self, node: ast.AST, unit: Unit) -> None:
        self.units[unit.name] = unit
        if isinstance(node, _DEFS):
            self.defs[unit.name] = node
        self.spans.append((node_start(node), node_end(node), unit))

    def _unit_at(self, pos: tuple[int, int]) -> Unit:
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and pos <= self.spans[i][1]:
            return self.spans[i][2]
        return self.units[MODULE_UNIT]

    def _entry_kind(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        """``click``/``typer``/``hydra`` for a decorated command-line main, else ""."""
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            qualname = self.resolver.qualname(target) or ""
            if qualname in api.ENTRY_DECORATORS or qualname.startswith("typer."):
                return qualname.partition(".")[0]
            if isinstance(target, ast.Attribute) and target.attr in ("command", "callback") \
                    and self.imports_cli:
                return "cli"
        return ""

    # -- variables: `trainer = Trainer(...)`, `self.env = gym.make(...)` --

    def _bind_variables(self) -> None:
        # `algorithm: DQN = DQN(...)` binds as `algorithm = DQN(...)` does.
        annotated = [a for a in self.ctx.nodes(ast.AnnAssign) if a.value is not None]
        assigns: list[ast.Assign | ast.AnnAssign] = [*self.ctx.nodes(ast.Assign)]
        if annotated:  # in source order: the first binding of a name is its main type
            assigns = sorted((*assigns, *annotated), key=node_pos)
        for assign in assigns:
            targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
            if len(targets) != 1 or not isinstance(
                    assign.value, ast.Call | ast.BoolOp | ast.IfExp):
                continue
            target = targets[0]
            _, dotted = chain(target)
            if isinstance(assign.value, ast.Call) and dotted is not None \
                    and "seed" in dotted.rpartition(".")[2].lower():
                # `opt.manualSeed = random.randint(1, 10000)`: drawing the run's seed
                # (to print and reuse) is how a seed is chosen, not an unseeded draw.
                self.seed_draws.update(id(n) for n in ast.walk(assign.value))
            if dotted is None and not isinstance(target, ast.Tuple):
                continue  # `x[i] = f()`: no name to call methods on
            unit = self._unit_at(node_pos(assign))
            types = value_types(assign.value, self.resolver, self._lookup(unit), unit.cls)
            if not types:
                continue
            if isinstance(target, ast.Tuple) and isinstance(assign.value, ast.Call):
                # `model, diffusion = create(...)`: each name holds an item of the tuple.
                for i, item in enumerate(target.elts):
                    _, name = chain(item)
                    if name is not None:
                        for type_name in types:
                            self._bind(unit, name, f"{called(type_name)}[{i}]")
            elif dotted is not None:
                for type_name in types:
                    self._bind(unit, dotted, type_name)

    def _lookup(self, unit: Unit) -> Callable[[str], str | None]:
        return lambda dotted: self._variable(unit, dotted)

    def _bind(self, unit: Unit, dotted: str, type_name: str) -> None:
        scope = unit.cls if dotted.startswith("self.") and unit.cls else unit.name
        key = (scope, dotted)
        if key in self.vars and self.vars[key] != type_name:
            # `policy = A(...)` in one branch, `policy = B(...)` in another.
            if type_name not in self.other_vars.get(key, ()):
                self.other_vars.setdefault(key, []).append(type_name)
        else:
            self.vars[key] = type_name
        self.bound_names.add(dotted)

    def _returns(self) -> dict[str, list[Any]]:
        """What each function and method returns (`bindings.return_types`), for calls
        on the object a project function made (``x = make(); x.run()``). Read from the
        shared node index: the ``return`` statements of nested functions are theirs."""
        values: dict[str, list[ast.expr]] = {}
        for returned in self.ctx.nodes(ast.Return):
            pos = node_pos(returned)
            if isinstance(returned.value, _TYPED_VALUES) and pos not in self.nested:
                values.setdefault(self._unit_at(pos).name, []).append(returned.value)
        found: dict[str, list[Any]] = {}
        for name, node in self.defs.items():
            if name not in values and node.returns is None:
                continue
            unit = self.units[name]
            types = return_types(values.get(name, []), node.returns, self.resolver,
                                 self._lookup(unit), unit.cls)
            if types:
                found[name] = types
        return found

    def _finish(self) -> Facts:
        live = self._live_units()
        units: dict[str, Any] = {}
        calls: dict[str, int] = {}
        for name, unit in self.units.items():
            events = self._kept_events(unit, live)
            if events and (name in live or any(e[0] == "c" for e in events)):
                loop = any(e[0] == "t" and e[6] not in ("step", "bw", "st") for e in events)
                packed = pack(events, calls, self.ctx.column)
                units[name] = f"{unit.entry}\t{int(loop)}\n{packed}"
        self.facts["units"] = units
        optional = {
            "calls": "\n".join(calls),  # one string: one object in memory
            "classes": {c: b for c, b in self.classes.items()
                        if b or any(u.startswith(c + ".") for u in units)},
            "aliases": self._exports(),
            "ret": self._returns(),
            # Classes with a method that builds a torch optimizer: making one (an
            # optimizer factory, a trainer) says the run trains (MLR006).
            "opt": sorted(self.optimizer_classes),
        }
        self.facts.update((key, value) for key, value in optional.items() if value)
        return self.facts


def _tests_device(test: ast.expr) -> bool:
    """``if args.device.startswith("cuda"):``, ``if device == "cuda":``: a branch that
    runs only when the configured device is a GPU; with a CPU default its CUDA calls
    are not a use."""
    for node in ast.walk(test):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("cuda"):
            return True
    return False
