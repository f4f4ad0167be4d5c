"""The seeding rules' call graph (MLR001-MLR008): what runs before what, across files.

From every file's facts (`units.collect`) `CallGraph` follows a unit's calls through
the project (import aliases, relative imports, re-exports from ``__init__``, classes'
``__init__`` and methods, what a function returns, transitively) to a `Summary`
(`summary`): for each generator, where it is first seeded and first drawn from, in
execution order. Which units are entrypoints, and what runs before them, is
`entries`.

Conservative by design: any seeding call before a draw counts, even inside an ``if``;
calls named like seeders that resolve to nothing known count as seeding everything;
draws inside nested functions and lambdas do not count; draws at import time in
library modules never count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.facts import VERSION, unit_header, unpack
from mlready.hooks.rules.seeds.summary import MAX_LOADERS, Frame, Hit, Summary, earliest

_HEUR, _NESTED = 1, 4  # flags of a call event (`units`)
_MAX_DEPTH = 24


def unit_key(module: str, unit: str) -> str:
    return f"{module}.{unit}" if module else unit


class CallGraph:
    """The facts of every file, indexed by qualified name, with memoized summaries."""

    def __init__(self, facts: Mapping[str, Any]) -> None:
        # Facts of another layout (a cache written by an older mlready) are skipped.
        self.facts = {p: f for p, f in facts.items()
                      if isinstance(f, dict) and f.get("v") == VERSION}
        self.units: dict[str, tuple[str, str, str]] = {}  # key -> (path, unit, packed)
        self.calls: dict[str, str] = {}  # path -> the file's call targets, one per line
        self._tables: dict[str, list[str]] = {}
        self.classes: dict[str, list[str]] = {}
        self.modules: dict[str, str] = {}
        self.aliases: dict[str, dict[str, str]] = {}
        self.suffixes: dict[str, set[str]] = {}
        for path, data in sorted(self.facts.items()):
            module: str = data["m"]
            self.modules[module] = path
            self.aliases[module] = data.get("aliases", {})
            parts = module.split(".")
            for i in range(1, len(parts)):
                self.suffixes.setdefault(".".join(parts[i:]), set()).add(module)
            self.calls[path] = data.get("calls", "")
            for name, unit in data["units"].items():
                self.units[unit_key(module, name)] = (path, name, unit_header(unit)[2])
            for name, bases in data.get("classes", {}).items():
                self.classes[unit_key(module, name)] = bases
        self.returns: dict[str, list[Any]] = {}
        self.optimizer_classes: set[str] = set()
        for data in self.facts.values():
            for name, types in data.get("ret", {}).items():
                self.returns[unit_key(data["m"], name)] = types
            self.optimizer_classes.update(unit_key(data["m"], name) for name in data.get("opt", ()))
        self._builds_optimizer: dict[str, bool] = {}
        self._summaries: dict[str, Summary] = {}
        self._active: set[str] = set()
        self._resolved: dict[str, tuple[str, ...]] = {}

    # -- names --

    def resolve(self, target: str) -> tuple[str, ...]:
        """The unit keys a call of ``target`` runs (a class call runs its ``__init__``)."""
        if target not in self._resolved:
            self._resolved[target] = self._resolve(target, 0)
        return self._resolved[target]

    def _resolve(self, target: str, depth: int) -> tuple[str, ...]:
        name: str | None = target
        while name is not None and depth < 6:
            if name in self.units:
                return (name,)
            if name in self.classes:
                return self._method(name, "__init__", 0)
            owner, _, method = name.rpartition(".")
            if owner in self.classes:
                return self._method(owner, method, 0)
            if "()" in name:
                return self._returned(name, depth)
            if ".*." in name:
                return self._any_class(name)
            name = self._rewrite(name)
            depth += 1
        return ()

    def _returned(self, name: str, depth: int) -> tuple[str, ...]:
        """``pkg.make()[1].sample``: the method of what the function returns (the
        tuple's item), for each type its ``return`` statements name (`bindings`)."""
        head, _, rest = name.partition("()")
        index: int | None = None
        if rest.startswith("["):
            number, _, rest = rest[1:].partition("]")
            index = int(number) if number.isdigit() else None
        rest = rest.removeprefix(".")
        function: str | None = head
        while function is not None and function not in self.returns and depth < 6:
            owner, _, method = function.rpartition(".")
            if owner in self.classes:  # an inherited method: its base's return
                keys = self._method(owner, method, 0)
                function = keys[0] if keys and keys[0] in self.returns else None
                break
            function = self._rewrite(function)
            depth += 1
        found: list[str] = []
        for returned in self.returns.get(function or "", ()):
            if isinstance(returned, list) and index is not None and index < len(returned):
                item = returned[index]
            elif isinstance(returned, str) and index is None:
                item = returned
            else:
                continue
            if item:
                found.extend(self._resolve(f"{item}.{rest}" if rest else item, depth + 1))
        return tuple(dict.fromkeys(found))

    def _any_class(self, name: str) -> tuple[str, ...]:
        """``pkg.trainers.*.train``: that method of every class of the module (the class
        is picked by name at run time, ``getattr(trainers, cfg.trainer)``)."""
        module, _, method = name.partition(".*.")
        found: list[str] = []
        for cls in self.classes:
            if cls.startswith(module + ".") and "." not in cls[len(module) + 1:]:
                found.extend(self._method(cls, method, 0))
        return tuple(dict.fromkeys(found))

    def _method(self, cls: str, method: str, depth: int) -> tuple[str, ...]:
        key = f"{cls}.{method}"
        if key in self.units:
            return (key,)
        if depth > 4:
            return ()
        for base in self.classes.get(cls, ()):
            base_name = base if base in self.classes else self._rewrite(base)
            if base_name is not None and base_name in self.classes:
                found = self._method(base_name, method, depth + 1)
                if found:
                    return found
        return ()

    def builds_optimizer(self, target: str) -> bool:
        """Whether a call of ``target`` makes an object of a project class with a method
        that builds a torch optimizer (`OptimizerFactory(lr=...)`, `Trainer(model)`),
        the class's own or a base's: whoever makes one means to train with it."""
        if target not in self._builds_optimizer:
            name: str | None = target
            depth = 0
            while name is not None and name not in self.units and name not in self.classes \
                    and depth < 6:
                name = self._rewrite(name)
                depth += 1
            self._builds_optimizer[target] = name is not None and name in self.classes \
                and self._optimizing_class(name, 0)
        return self._builds_optimizer[target]

    def _optimizing_class(self, cls: str, depth: int) -> bool:
        if cls in self.optimizer_classes:
            return True
        if depth > 4:
            return False
        for base in self.classes.get(cls, ()):
            base_name = base if base in self.classes else self._rewrite(base)
            if base_name is not None and base_name in self.classes \
                    and self._optimizing_class(base_name, depth + 1):
                return True
        return False

    def _rewrite(self, name: str) -> str | None:
        """One step closer to a definition: through a re-export, or a unique module suffix."""
        parts = name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if module in self.modules:
                alias = self.aliases.get(module, {}).get(parts[i])
                if alias is None or alias == ".".join(parts[: i + 1]):
                    return None
                return ".".join([alias, *parts[i + 1:]])
        for i in range(len(parts) - 1, 0, -1):
            found = self.suffixes.get(".".join(parts[:i]), set())
            if len(found) == 1:
                return ".".join([next(iter(found)), *parts[i:]])
        return None

    # -- summaries --

    def _table(self, path: str) -> list[str]:
        table = self._tables.get(path)
        if table is None:
            text = self.calls.get(path, "")
            table = self._tables[path] = text.split("\n") if text else []
        return table

    def summary(self, key: str) -> Summary:
        done = self._summaries.get(key)
        if done is not None:
            return done
        if key in self._active or len(self._active) > _MAX_DEPTH:
            return Summary()  # recursion: what a cycle adds is already being counted
        self._active.add(key)
        path, name, packed = self.units[key]
        result = Summary()
        for event in unpack(packed, self._table(path)):
            self._event(result, path, name, event)
        if result.train is None and result.backward is not None and result.step is not None:
            # `run_step` calling `forward_backward` and then `optimize`: one training step.
            result.train = result.runs = result.backward
        self._active.discard(key)
        self._summaries[key] = result
        return result

    def _event(self, result: Summary, path: str, unit: str, event: list[Any]) -> None:
        kind, line, col, end_line, end_col, name, extra = event
        frame = Frame(path, line, col, end_line, end_col, unit)
        hit = Hit(((line, col),), name, (frame,))
        if kind == "c":
            keys = self.resolve(name)
            for key in keys:
                callee = self.summary(key)
                flags = extra
                if callee.plots and callee.runs is None:
                    # `display(mask)` shuffling its colours: a figure's looks are no result.
                    flags |= _NESTED
                result.absorb(callee, (line, col), frame, flags)
            if not keys and extra & _HEUR:
                for lib in api.GLOBAL:
                    result.seed(lib, hit)
            if not extra & _NESTED:
                if self.builds_optimizer(name):
                    result.optim = earliest(result.optim, hit)
                method = name.rpartition(".")[2]
                # `model.train()` outside the project is `nn.Module.train(mode)`, a switch
                # of dropout and batch norm, not a run; a project's own `train` counts.
                if api.fit_name(method) and (keys or method not in api.MODULE_MODES):
                    result.fit = earliest(result.fit, hit)
        elif kind == "s":
            for lib in extra:
                result.seed(lib, hit)
        elif kind == "u":
            result.use(extra, hit)
        elif kind == "d":
            result.det = earliest(result.det, hit)
        elif kind == "b" and not extra:
            result.bench = earliest(result.bench, hit)
        elif kind == "t" and extra == "bw":
            result.backward = earliest(result.backward, hit)
        elif kind == "t" and extra == "st":
            result.step = earliest(result.step, hit)
        elif kind == "t":
            result.runs = earliest(result.runs, hit)
            if extra in ("torch", "step", "lightning"):
                result.train = earliest(result.train, hit)
        elif kind == "g":
            result.cuda = earliest(result.cuda, hit)
        elif kind == "k" and extra:
            result.maybe_loads = earliest(result.maybe_loads, hit)
        elif kind == "k":
            result.loads = earliest(result.loads, hit)
        elif kind == "p":
            result.plots = True
        elif kind == "o":
            result.optim = earliest(result.optim, hit)
        elif kind == "w" and len(result.loaders) < MAX_LOADERS:
            result.loaders.append(hit)
