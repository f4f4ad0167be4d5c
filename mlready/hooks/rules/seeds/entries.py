"""Which units of the target files are entrypoints of the seeding rules, with the flow
of each: what it runs (`callgraph`), after the seeds its imports plant.

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
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.seeds.callgraph import CallGraph, unit_key
from mlready.hooks.rules.seeds.facts import GUARD_UNIT, MODULE_UNIT, unit_header
from mlready.hooks.rules.seeds.summary import Entrypoint, Frame, Hit, Summary


class EntryGraph(CallGraph):
    """The call graph, with the entrypoints of the target files."""

    def __init__(self, facts: Mapping[str, Any]) -> None:
        super().__init__(facts)
        self._imported_modules: set[str] | None = None

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
                    flow.absorb(self.summary(unit_key(module, unit)), (0, 0), frame, 0)
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
            module_key = unit_key(module, MODULE_UNIT)
            if self.summary(module_key).runs is not None:
                flow = self._prelude(data, own_module=None)
                frame = Frame(path, 0, 0, 0, 0, MODULE_UNIT)
                flow.absorb(self.summary(module_key), (0, 0), frame, 0)
                yield Entrypoint(path, basename, flow, ml=bool(data.get("ml")))
        for name, unit in units.items():
            if name in (MODULE_UNIT, GUARD_UNIT) or "." in name:
                continue
            key = unit_key(module, name)
            entry, loop, _ = unit_header(unit)
            if entry or (loop and key not in called):
                flow = self._prelude(data, own_module=unit_key(module, MODULE_UNIT))
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
                if unit_key(module, MODULE_UNIT) in self.units:
                    modules.add(unit_key(module, MODULE_UNIT))
        for key in sorted(m for m in modules if m is not None):
            for lib, hit in self.summary(key).seeds.items():
                prelude.seed(lib, Hit(((-1, -1),), hit.api, hit.frames))
        return prelude
