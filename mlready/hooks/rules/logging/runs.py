"""Training entrypoints and what their run reports, across files (MLR801-MLR804).

A *training entrypoint* is a target file that is run rather than imported (an
``if __name__ == "__main__":`` block, training code at module level, a notebook) and
that trains: in its own code (`mlready.hooks.training`), or by calling a project
function whose own body trains (``from trainer import train; train(cfg)``), or a method
of an instance of a project class (``agent = algo.PPO(...); agent.update(...)``, also
when a package re-exports the class). A script without a main guard is run too when
its module-level code does so and no other project file imports it. This is
the seeding rules' notion of an entrypoint, kept file-level and cheap (the seeding
call graph follows execution order, which reporting does not need).

What the run reports is the union over the entrypoint and every project module it
imports, transitively: logging set up in ``utils/log.py`` or a tracker opened in
``trainer.py`` counts for ``train.py``. Generous on purpose: each rule reports an
*absence*, so anything that may be present counts as present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from mlready.hooks.context import ProjectContext
from mlready.hooks.model import Diagnostic

Position = tuple[int, int]


class Run:
    """One training entrypoint, and what its code and the modules it imports do."""

    logging = False
    hparams = False
    git = False

    def __init__(self, path: str, trains: Position, prints: list[Position],
                 loop_print: Position | None) -> None:
        self.path = path
        self.trains = trains  # where the entrypoint's own file trains (or calls what trains)
        self.prints = prints  # in the entrypoint file
        self.loop_print = loop_print  # the entrypoint's first print in a training loop
        self.trackers: dict[str, tuple[str, Position]] = {}  # name -> use
        self.tracker_imports: set[str] = set()

    @property
    def tracked(self) -> bool:
        """Whether any experiment tracker or metrics logger is used or imported."""
        return bool(self.trackers or self.tracker_imports)


def _modules(facts: dict[str, Any]) -> dict[str, str]:
    return {data["module"]: path for path, data in facts.items()
            if isinstance(data, dict) and data.get("module")}


def _resolve(name: str, modules: dict[str, str]) -> str | None:
    """The project file a dotted import or call name lives in (longest module prefix)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        found = modules.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def _closure(path: str, facts: dict[str, Any], modules: dict[str, str]) -> list[str]:
    """The entrypoint and every project file it imports, transitively (path order)."""
    seen = {path}
    stack = [path]
    while stack:
        current = stack.pop()
        for name in facts[current]["imports"]:
            found = _resolve(name, modules)
            if found is not None and found not in seen:
                seen.add(found)
                stack.append(found)
    return sorted(seen)


class _Training:
    """The project functions that train, and whether a called name reaches one."""

    def __init__(self, found: set[str]) -> None:
        self.found: set[str] = set()
        self._methods: dict[str, list[str]] = {}  # "PPO.update" -> its full names
        for name in found:
            self.add(name)

    def add(self, name: str) -> None:
        self.found.add(name)
        self._methods.setdefault(".".join(name.split(".")[-2:]), []).append(name)

    def reaches(self, called: str) -> bool:
        """``called`` is a training function, or a method of a class re-exported by a
        package (``algo.PPO.update`` for ``algo.ppo.PPO.update``)."""
        if called in self.found:
            return True
        parts = called.split(".")
        if len(parts) < 3 or not parts[-2][:1].isupper():
            return False
        package = ".".join(parts[:-2]) + "."
        return any(name.startswith(package)
                   for name in self._methods.get(".".join(parts[-2:]), ()))


def _training_functions(facts: dict[str, Any]) -> _Training:
    """Every project function that trains: its own body does, or (transitively) it calls
    one that does (``main`` -> ``train`` -> the loop, ``agent.update(...)`` ->
    ``PPO.update``).

    A work list over the reversed call edges: each function is added once, and only the
    callers of the names it makes reachable are looked at again. (Sweeping every
    function until nothing changed took one sweep per link of the longest call chain,
    which grows with the project: 2.8x the time per doubling of the tree.)"""
    calls = {name: set(entry[1]) for data in facts.values() for name, entry in
             data["funcs"].items()}  # a name defined twice: its last definition's calls
    callers: dict[str, list[str]] = {}  # a called name -> the functions calling it
    for name, called_names in calls.items():
        for called in called_names:
            callers.setdefault(called, []).append(name)
    seeds = [name for data in facts.values() for name, entry in data["funcs"].items()
             if entry[0]]
    # Called names that reach a method through a re-exporting package, by "Class.method"
    # (the names `_Training.reaches` matches that way).
    through_package: dict[str, list[tuple[str, str]]] = {}
    for called in callers:
        parts = called.split(".")
        if len(parts) >= 3 and parts[-2][:1].isupper():
            through_package.setdefault(".".join(parts[-2:]), []).append(
                (called, ".".join(parts[:-2]) + "."))
    training = _Training(set())
    pending = seeds
    while pending:
        name = pending.pop()
        if name in training.found:
            continue
        training.add(name)
        reached = [name] + [called for called, package in
                            through_package.get(".".join(name.split(".")[-2:]), ())
                            if name.startswith(package)]
        pending.extend(caller for called in reached for caller in callers.get(called, ())
                       if caller not in training.found)
    return training


def _trains(data: dict[str, Any], training: Callable[[], _Training]) -> Position | None:
    """Where running the file trains: its module-level code, or its first module-level
    call of a project function that trains (``training`` is asked only then: it walks
    every function of the project, and a one-file run on a library module needs none)."""
    if data["top"] is not None:
        return tuple(data["top"])
    if not data["top_calls"]:
        return None
    found = training()
    called = [tuple(at) for name, at in data["top_calls"].items() if found.reaches(name)]
    return min(called) if called else None


def _imported(facts: dict[str, Any], modules: dict[str, str]) -> set[str]:
    """The project files some other project file imports (a library, not a script)."""
    found: set[str] = set()
    for path, data in facts.items():
        for name in data["imports"]:
            target = _resolve(name, modules)
            if target is not None and target != path:
                found.add(target)
    return found


def _runs(project: ProjectContext) -> list[Run]:
    facts = {p: d for p, d in project.facts.items() if isinstance(d, dict)}
    # Each project-wide table is built when a target first needs it: a target that
    # trains nowhere (most files a one-file run names) needs none of them.
    modules = cache(lambda: _modules(facts))
    training = cache(lambda: _training_functions(facts))
    imported = cache(lambda: _imported(facts, modules()))
    runs: list[Run] = []
    for path in sorted(facts):
        data = facts[path]
        if path not in project.targets:
            continue
        where = _trains(data, training)
        # a script without a main guard whose module-level code calls what trains is run
        # too (``dqn.learn(mem)`` in a loop), unless another file imports it
        if where is None or not (data["entry"] or path not in imported()):
            continue
        run = Run(path, where, [tuple(p) for p in data["prints"]],
                  tuple(data["loop_print"]) if data["loop_print"] else None)
        for other in _closure(path, facts, modules()):
            more = facts[other]
            run.logging = run.logging or more["logging"] is not None
            run.hparams = run.hparams or more["hparams"] is not None
            run.git = run.git or more["git"] is not None
            run.tracker_imports.update(more["tracker_imports"])
            for name, position in more["trackers"].items():
                run.trackers.setdefault(name, (other, tuple(position)))
        runs.append(run)
    return runs


def training_runs(project: ProjectContext) -> list[Run]:
    """Every training entrypoint among the targets, once per run for the four rules
    (their ``collect`` is the same function, so their facts are the same)."""
    return project.memo("logging:runs", lambda: _runs(project))


def first_tracker(run: Run) -> tuple[str, str, Position]:
    """The tracker a finding names: a real one before a project's own logger class."""
    ranked = sorted(run.trackers.items(), key=lambda kv: (kv[0] in ("custom", "accelerate"),
                                                         kv[1][0] != run.path, kv[1]))
    name, (path, position) = ranked[0]
    return name, path, position


def names(run: Run) -> Iterator[str]:
    yield from sorted({*run.trackers, *run.tracker_imports})


def once_per_place(found: Iterable[Diagnostic]) -> Iterator[Diagnostic]:
    """Each finding once per place: two runs that import one module report its line once."""
    seen: set[tuple[str, int, int]] = set()
    for diagnostic in found:
        if (diagnostic.path, diagnostic.line, diagnostic.col) not in seen:
            seen.add((diagnostic.path, diagnostic.line, diagnostic.col))
            yield diagnostic
