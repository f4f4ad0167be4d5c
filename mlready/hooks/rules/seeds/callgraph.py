"""The seeding rules' call graph (MLR001-MLR008): what runs before what, across files.

From every file's facts (`units.collect`) this module finds the *entrypoints* among
the target files and follows each one's calls through the project (import aliases,
relative imports, re-exports from ``__init__``, classes' ``__init__`` and methods,
transitively) to a `Summary`: for each generator, where it is first seeded and first
drawn from, in execution order. Positions are paths of ``(line, col)`` pairs, one per
call level, so that "seeded before used" is a tuple comparison.

Entrypoints are files with an ``if __name__ == "__main__":`` block, notebooks,
click/typer/hydra mains, and top-level functions that train (``loss.backward()`` in a
loop, ``trainer.fit``, ``model.learn``) and that nothing in the project calls. A
notebook, and the ``__main__`` block of a module that others import or that defines a
model, dataset or env class, is a run only when its flow trains or loads weights: a
self-check or an API tour is not. Test files are never entrypoints.
Only entrypoints in ``project.targets`` are reported, at
the deepest place in the entrypoint's own file (the call site when the draw happens
in a helper elsewhere), so pre-commit runs on changed files still see every helper's
facts.

Conservative by design: any seeding call before a draw counts, even inside an ``if``;
calls named like seeders that resolve to nothing known count as seeding everything;
draws inside nested functions and lambdas do not count; draws at import time in
library modules never count.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.facts import (
    GUARD_UNIT,
    MODULE_UNIT,
    VERSION,
    unit_header,
    unpack,
)

Position = tuple[tuple[int, int], ...]
_HEUR, _COND, _NESTED = 1, 2, 4
_MAX_DEPTH = 24
_MAX_LOADERS = 16


class Frame(NamedTuple):
    """One level of a call path: where, and in which unit (function) of which file."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    unit: str


class Hit(NamedTuple):
    """An event reached from an entrypoint: its position, its API and the call path."""

    pos: Position
    api: str
    frames: tuple[Frame, ...]

    def shifted(self, pos: tuple[int, int], frame: Frame) -> Hit:
        return Hit((pos, *self.pos), self.api, (frame, *self.frames))


def earliest(current: Hit | None, new: Hit) -> Hit:
    return new if current is None or new.pos < current.pos else current


@dataclass
class Summary:
    """What running a unit does, in order: first seed and first draw per generator."""

    seeds: dict[str, Hit] = field(default_factory=dict)
    uses: dict[str, Hit] = field(default_factory=dict)
    det: Hit | None = None
    bench: Hit | None = None
    train: Hit | None = None  # torch loops and Lightning: what MLR006 checks
    runs: Hit | None = None  # any training, SB3 and Hugging Face included
    cuda: Hit | None = None
    loads: Hit | None = None  # a checkpoint load: initial weights do not matter
    maybe_loads: Hit | None = None  # a load behind an `if`: initial weights may matter
    loaders: list[Hit] = field(default_factory=list)
    plots: bool = False  # the unit itself draws a figure (not inherited by callers)
    backward: Hit | None = None  # half a training step: a backward pass...
    step: Hit | None = None  # ...and, in another method, an optimizer step
    optim: Hit | None = None  # a torch optimizer built (or an object whose class builds one)
    fit: Hit | None = None  # a call of a project function named like training (`run_training`)

    def seed(self, lib: str, hit: Hit) -> None:
        self.seeds[lib] = earliest(self.seeds.get(lib), hit)

    def use(self, lib: str, hit: Hit) -> None:
        self.uses[lib] = earliest(self.uses.get(lib), hit)

    def absorb(self, other: Summary, pos: tuple[int, int], frame: Frame, flags: int) -> None:
        """Merge a callee's summary, called at ``pos``; nested calls bring only seeds."""
        for lib, hit in other.seeds.items():
            self.seed(lib, hit.shifted(pos, frame))
        if other.det is not None:
            self.det = earliest(self.det, other.det.shifted(pos, frame))
        if other.cuda is not None:
            self.cuda = earliest(self.cuda, other.cuda.shifted(pos, frame))
        if other.loads is not None:
            # `LLM.load(init="random")` loads only in its other branch: a conditional
            # load makes a run, but the initial weights it may keep still count.
            load = other.loads.shifted(pos, frame)
            if flags & _COND:
                self.maybe_loads = earliest(self.maybe_loads, load)
            else:
                self.loads = earliest(self.loads, load)
        if other.maybe_loads is not None:
            self.maybe_loads = earliest(self.maybe_loads, other.maybe_loads.shifted(pos, frame))
        if flags & _NESTED:
            return
        for lib, hit in other.uses.items():
            self.use(lib, hit.shifted(pos, frame))
        if other.bench is not None and not flags & _COND:
            self.bench = earliest(self.bench, other.bench.shifted(pos, frame))
        if other.train is not None:
            self.train = earliest(self.train, other.train.shifted(pos, frame))
        if other.runs is not None:
            self.runs = earliest(self.runs, other.runs.shifted(pos, frame))
        if other.backward is not None:
            self.backward = earliest(self.backward, other.backward.shifted(pos, frame))
        if other.step is not None:
            self.step = earliest(self.step, other.step.shifted(pos, frame))
        if other.optim is not None:
            self.optim = earliest(self.optim, other.optim.shifted(pos, frame))
        if other.fit is not None:
            self.fit = earliest(self.fit, other.fit.shifted(pos, frame))
        room = _MAX_LOADERS - len(self.loaders)
        self.loaders.extend(hit.shifted(pos, frame) for hit in other.loaders[:room])


def _key(module: str, unit: str) -> str:
    return f"{module}.{unit}" if module else unit


class Entrypoint(NamedTuple):
    """An entrypoint: its file, its label in messages, and its flow."""

    path: str
    label: str
    summary: Summary
    guard_statements: int = 0
    ml: bool = False  # the entrypoint's file imports an ML library
    notebook: bool = False  # line numbers in messages would not match the cells

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
                self.units[_key(module, name)] = (path, name, unit_header(unit)[2])
            for name, bases in data.get("classes", {}).items():
                self.classes[_key(module, name)] = bases
        self.returns: dict[str, list[Any]] = {}
        self.optimizer_classes: set[str] = set()
        for data in self.facts.values():
            for name, types in data.get("ret", {}).items():
                self.returns[_key(data["m"], name)] = types
            self.optimizer_classes.update(_key(data["m"], name) for name in data.get("opt", ()))
        self._builds_optimizer: dict[str, bool] = {}
        self._summaries: dict[str, Summary] = {}
        self._active: set[str] = set()
        self._resolved: dict[str, tuple[str, ...]] = {}
        self._imported_modules: set[str] | None = None

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
                if api.fit_name(name.rpartition(".")[2]):
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
        elif kind == "w" and len(result.loaders) < _MAX_LOADERS:
            result.loaders.append(hit)

    # -- entrypoints --

    def entries(self, targets: frozenset[str]) -> Iterator[Entrypoint]:
        paths = [p for p in sorted(targets) if p in self.facts and not is_test_path(p)]
        called = self._called(paths)
        for path in paths:
            yield from self._file_entries(path, self.facts[path], called)

    def _called(self, paths: list[str]) -> set[str]:
        """Which of the training functions in ``paths`` something in the project calls
        (those are run by their callers, not entrypoints of their own)."""
        names: set[str] = set()
        for path in paths:
            for name, unit in self.facts[path]["units"].items():
                if "." not in name and unit_header(unit)[1]:
                    names.add(name)
        called: set[str] = set()
        if not names:
            return called
        for path, table in self.calls.items():
            if any(name in table for name in names):  # cheap test before splitting
                for target in self._table(path):
                    if target.rpartition(".")[2] in names:
                        called.update(self.resolve(target))
        return called

    def _file_entries(self, path: str, data: dict[str, Any],
                      called: set[str]) -> Iterator[Entrypoint]:
        module: str = data["m"]
        units: dict[str, Any] = data["units"]
        basename = path.rpartition("/")[2]
        if data.get("nb") or data.get("guard"):
            flow = self._prelude(data, own_module=None)
            for unit in (MODULE_UNIT, GUARD_UNIT):
                if unit in units:
                    frame = Frame(path, 0, 0, 0, 0, unit)
                    flow.absorb(self.summary(_key(module, unit)), (0, 0), frame, 0)
            # A self-check block (`model.py`'s shape test, an env's manual smoke test) or
            # a tutorial notebook that only shows an API is not a run: a notebook, or
            # the `__main__` of a module that others import or that defines a model or
            # an env, is one only when it trains or loads weights to evaluate.
            runs = flow.runs is not None or flow.loads is not None \
                or flow.maybe_loads is not None
            component = data.get("nb") or data.get("lib") or module in self._imported()
            if runs or not component:
                yield Entrypoint(path, basename if data.get("nb") else GUARD_UNIT, flow,
                            data.get("gn", 0), bool(data.get("ml")),
                            bool(data.get("nb")))
        elif MODULE_UNIT in units:
            # A script without a guard whose top level trains (`for epoch ...: train()`).
            module_key = _key(module, MODULE_UNIT)
            if self.summary(module_key).runs is not None:
                flow = self._prelude(data, own_module=None)
                frame = Frame(path, 0, 0, 0, 0, MODULE_UNIT)
                flow.absorb(self.summary(module_key), (0, 0), frame, 0)
                yield Entrypoint(path, basename, flow, ml=bool(data.get("ml")))
        for name, unit in units.items():
            if name in (MODULE_UNIT, GUARD_UNIT) or "." in name:
                continue
            key = _key(module, name)
            entry, loop, _ = unit_header(unit)
            if entry or (loop and key not in called):
                flow = self._prelude(data, own_module=_key(module, MODULE_UNIT))
                frame = Frame(path, 0, 0, 0, 0, name)
                flow.absorb(self.summary(key), (0, 0), frame, 0)
                yield Entrypoint(path, name, flow, ml=bool(data.get("ml")))

    def _imported(self) -> set[str]:
        """Project modules that some project file imports at module level."""
        if self._imported_modules is None:
            found: set[str] = set()
            for data in self.facts.values():
                for target in data.get("aliases", {}).values():
                    found.update((target, target.rpartition(".")[0]))
            self._imported_modules = found & set(self.modules)
        return self._imported_modules

    def _prelude(self, data: dict[str, Any], own_module: str | None) -> Summary:
        """Seeds that happen before the entrypoint runs: at import time of the project
        modules it imports, and (for a function entry) in its own module's top level."""
        prelude = Summary()
        modules = {own_module} if own_module in self.units else set()
        for target in data.get("aliases", {}).values():
            for module in (target, target.rpartition(".")[0]):
                if _key(module, MODULE_UNIT) in self.units:
                    modules.add(_key(module, MODULE_UNIT))
        for key in sorted(m for m in modules if m is not None):
            for lib, hit in self.summary(key).seeds.items():
                prelude.seed(lib, Hit(((-1, -1),), hit.api, hit.frames))
        return prelude
