"""Calls that may reach the project's own code, as call events of the seeding collector.

A call is kept when it may run a project function (imported or defined in the file,
star-imported, a method on ``self`` or on a variable bound to a project class, the
method of an object just built), and a project function passed to another call
(``mp.spawn(worker)``) counts as called there. Library calls among them go to
`events` first; `callgraph` resolves what is left across files.
"""

from __future__ import annotations

import ast

from mlready.hooks.context import FileContext
from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.bindings import called
from mlready.hooks.rules.seeds.events import LibraryCalls
from mlready.hooks.rules.seeds.nodes import COND as _COND
from mlready.hooks.rules.seeds.nodes import HEUR as _HEUR
from mlready.hooks.rules.seeds.nodes import NESTED as _NESTED
from mlready.hooks.rules.seeds.nodes import Spans, Unit, chain, node_pos

_LOOKS_AT = frozenset({"callable", "getattr", "hasattr", "isinstance", "id", "repr", "print",
                       "str", "type"})


class ProjectCalls(LibraryCalls):
    """Calls into the project and callbacks, as unit events (mixed into
    `units._Collector`, which sets the names and spans declared here)."""

    module: str
    local_defs: set[str]
    project_names: set[str]
    other_vars: dict[tuple[str, str], list[str]]
    star: list[str]
    plotters: frozenset[str]
    nested: Spans

    def _call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute):
            final = func.attr
        elif isinstance(func, ast.Name):
            # `from random import sample as draw`: classify by what the name imports.
            final = self.aliases.get(func.id, func.id).rpartition(".")[2]
        else:
            return
        base, dotted = chain(func)
        if base is not None and base in self.plotters:
            unit = self._unit_at(node_pos(call))
            if not unit.plots:
                unit.plots = True
                self._event(unit, "p", call, base)
            return
        project = base is not None and self._project_base(base)
        interesting = final in api.INTERESTING_NAMES or "seed" in final.lower() \
            or (base is not None and self._random_namespace(base, dotted))
        receiver = dotted.rpartition(".")[0] if dotted is not None else ""
        built = base is None and isinstance(func, ast.Attribute) \
            and isinstance(func.value, ast.Call) and _class_call(func.value)  # `Loop(...).run()`
        if interesting or project or base in ("self", "cls") or receiver in self.bound_names \
                or built:
            pos = node_pos(call)
            unit = self._unit_at(pos)
            nested = pos in self.nested
            qualname = self.resolver.qualname(func) if dotted is not None else None
            handled = interesting and self._classify(unit, call, final, base, dotted,
                                                     qualname, nested)
            if not handled:
                self._project_call(unit, call, final, base, dotted, qualname, pos, nested)
        if (call.args or call.keywords) and not self._inspects(call):
            self._callbacks(call)

    def _inspects(self, call: ast.Call) -> bool:
        """``inspect.signature(fn)``, ``callable(fn)``: a function looked at, not run."""
        func = call.func
        if type(func) is ast.Name:
            return func.id in _LOOKS_AT and func.id not in self.aliases
        base, _ = chain(func)
        return base is not None and self.aliases.get(base, "").startswith("inspect")

    def _random_namespace(self, base: str, dotted: str | None) -> bool:
        """``np.random.permutation``, ``npr.choice``, ``torchvision.models.resnet18``:
        namespaces where any final name may draw."""
        target = self.aliases.get(base)
        if target is None:
            return False
        return target.startswith(("numpy", "torchvision")) and (
            "random" in target or "random" in (dotted or "") or target.startswith("torchvision"))

    def _project_base(self, base: str) -> bool:
        """Whether a name may refer to a project function (imported or defined here)."""
        if base in self.project_names:
            return True
        return bool(self.star) and base not in self.aliases and base not in api.EXTERNAL_ROOTS

    def _star_imports(self, ctx: FileContext) -> list[str]:
        """Project modules imported with ``from x import *`` at the top level: a name
        that nothing else binds may come from any of them."""
        tree = ctx.tree
        assert tree is not None
        package = ctx.module if ctx.path.endswith("__init__.py") else ctx.module.rpartition(".")[0]
        found: list[str] = []
        for statement in tree.body:
            if isinstance(statement, ast.ImportFrom) \
                    and any(alias.name == "*" for alias in statement.names):
                parts = package.split(".") if package else []
                if statement.level > 1:
                    parts = parts[: max(len(parts) - statement.level + 1, 0)]
                base = ".".join(parts) if statement.level else ""
                module = ".".join(p for p in (base, statement.module or "") if p)
                if module and not api.is_external(module):
                    found.append(module)
        return found

    def _project_call(self, unit: Unit, call: ast.Call, final: str, base: str | None,
                      dotted: str | None, qualname: str | None, pos: tuple[int, int],
                      nested: bool) -> None:
        target: str | None = None
        if base is not None and self.star and base not in self.aliases \
                and base not in self.local_defs and base not in api.EXTERNAL_ROOTS \
                and dotted is not None:
            # `from utils import *; seed_all(0)`: a call into each star-imported module.
            flags = (_COND if pos in self.branches else 0) | (_NESTED if nested else 0)
            for module in self.star:
                self._event(unit, "c", call, f"{module}.{dotted}", flags)
            return
        if base is not None and dotted is not None and qualname is not None \
                and self._project_base(base):
            target = qualname
        elif dotted is not None and "." in dotted:
            receiver = dotted.rpartition(".")[0]
            if receiver in ("self", "cls") and unit.cls:
                target = f"{self.module}.{unit.cls}.{final}"
            else:
                bound = self._variable(unit, receiver)
                if bound is not None and not api.is_external(bound):
                    target = f"{called(bound)}.{final}"
                scope = unit.cls if receiver.startswith("self.") and unit.cls else unit.name
                for other in self.other_vars.get((scope, receiver), ()):
                    if not api.is_external(other):
                        self._event(unit, "c", call, f"{called(other)}.{final}",
                                    (_COND if pos in self.branches else 0)
                                    | (_NESTED if nested else 0))
        elif dotted == "cls" and unit.cls:
            target = f"{self.module}.{unit.cls}"  # `return cls(config)` in a classmethod
        elif dotted is None and isinstance(call.func, ast.Attribute) \
                and isinstance(call.func.value, ast.Call) and qualname is None:
            # `TrainLoop(...).run_loop()`: the method of the project class just built.
            through = self.resolver.qualname(call.func)
            if through is not None and not api.is_external(through):
                target = through
        flags = (_COND if pos in self.branches else 0) | (_NESTED if nested else 0)
        if target is not None:
            if api.looks_like_seeder(final):
                flags |= _HEUR
            self._event(unit, "c", call, target, flags)
        elif api.looks_like_seeder(final):
            # An unknown object's `seed_everything(...)`, `fabric.seed_everything`: assume
            # it seeds everything rather than report a false positive.
            self._event(unit, "s", call, qualname or dotted or final, list(api.GLOBAL))

    def _callbacks(self, call: ast.Call) -> None:
        """``typer.run(main)``, ``mp.spawn(worker)``, ``Process(target=fn)``: calls too.

        A function passed to another call may run at that point; counting it as called
        can only add seeding before later uses, never a finding.
        """
        for value in (*call.args, *(k.value for k in call.keywords)):
            if type(value) is ast.Name and self._project_base(value.id):
                target = self.resolver.qualname(value)
                if target is not None:
                    pos = node_pos(value)
                    unit = self._unit_at(pos)
                    flags = (_COND if pos in self.branches else 0) | (
                        _NESTED if pos in self.nested else 0)
                    self._event(unit, "c", value, target, flags)


def _class_call(call: ast.Call) -> bool:
    """``TrainLoop(...)``, ``loops.TrainLoop(...)``: a call named like a class (what a
    function returns is unknown)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name[:1].isupper()
