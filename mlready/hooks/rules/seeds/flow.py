"""Cross-file resolution for the reproducibility rules (MLR001-MLR008).

From every file's facts (`_seeding.collect`) this module finds the *entrypoints* among
the target files and follows each one's calls through the project (import aliases,
relative imports, re-exports from ``__init__``, classes' ``__init__`` and methods,
transitively) to a `Summary`: for each generator, where it is first seeded and first
drawn from, in execution order. Positions are paths of ``(line, col)`` pairs, one per
call level, so that "seeded before used" is a tuple comparison.

Entrypoints are files with an ``if __name__ == "__main__":`` block, notebooks,
click/typer/hydra mains, and top-level functions that train (``loss.backward()`` in a
loop, ``trainer.fit``, ``model.learn``) and that nothing in the project calls. Test
files are never entrypoints. Only entrypoints in ``project.targets`` are reported, at
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

from mlready.hooks.context import ProjectContext
from mlready.hooks.model import Diagnostic
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
_TEST_DIRS = frozenset({"tests", "test", "testing"})
_MAIN_NAMES = ("main", "run", "train", "cli", "app", "entry", "launch", "fit")


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


def _earliest(current: Hit | None, new: Hit) -> Hit:
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
    loaders: list[Hit] = field(default_factory=list)

    def seed(self, lib: str, hit: Hit) -> None:
        self.seeds[lib] = _earliest(self.seeds.get(lib), hit)

    def use(self, lib: str, hit: Hit) -> None:
        self.uses[lib] = _earliest(self.uses.get(lib), hit)

    def absorb(self, other: Summary, pos: tuple[int, int], frame: Frame, flags: int) -> None:
        """Merge a callee's summary, called at ``pos``; nested calls bring only seeds."""
        for lib, hit in other.seeds.items():
            self.seed(lib, hit.shifted(pos, frame))
        if other.det is not None:
            self.det = _earliest(self.det, other.det.shifted(pos, frame))
        if other.cuda is not None:
            self.cuda = _earliest(self.cuda, other.cuda.shifted(pos, frame))
        if other.loads is not None:
            self.loads = _earliest(self.loads, other.loads.shifted(pos, frame))
        if flags & _NESTED:
            return
        for lib, hit in other.uses.items():
            self.use(lib, hit.shifted(pos, frame))
        if other.bench is not None and not flags & _COND:
            self.bench = _earliest(self.bench, other.bench.shifted(pos, frame))
        if other.train is not None:
            self.train = _earliest(self.train, other.train.shifted(pos, frame))
        if other.runs is not None:
            self.runs = _earliest(self.runs, other.runs.shifted(pos, frame))
        room = _MAX_LOADERS - len(self.loaders)
        self.loaders.extend(hit.shifted(pos, frame) for hit in other.loaders[:room])


def is_test_path(path: str) -> bool:
    """Test files by pytest's conventions: a tests folder, test_*.py, *_test.py, conftest."""
    *folders, name = path.split("/")
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(folder in _TEST_DIRS for folder in folders))


def _key(module: str, unit: str) -> str:
    return f"{module}.{unit}" if module else unit


class Entry(NamedTuple):
    """An entrypoint: its file, its label in messages, and its flow."""

    path: str
    label: str
    summary: Summary
    guard_statements: int = 0
    ml: bool = False  # the entrypoint's file imports an ML library
    notebook: bool = False  # line numbers in messages would not match the cells

class Project:
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
            name = self._rewrite(name)
            depth += 1
        return ()

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
                result.absorb(self.summary(key), (line, col), frame, extra)
            if not keys and extra & _HEUR:
                for lib in api.GLOBAL:
                    result.seed(lib, hit)
        elif kind == "s":
            for lib in extra:
                result.seed(lib, hit)
        elif kind == "u":
            result.use(extra, hit)
        elif kind == "d":
            result.det = _earliest(result.det, hit)
        elif kind == "b" and not extra:
            result.bench = _earliest(result.bench, hit)
        elif kind == "t":
            result.runs = _earliest(result.runs, hit)
            if extra in ("torch", "step", "lightning"):
                result.train = _earliest(result.train, hit)
        elif kind == "g":
            result.cuda = _earliest(result.cuda, hit)
        elif kind == "k":
            result.loads = _earliest(result.loads, hit)
        elif kind == "w" and len(result.loaders) < _MAX_LOADERS:
            result.loaders.append(hit)

    # -- entrypoints --

    def entries(self, targets: frozenset[str]) -> Iterator[Entry]:
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
                      called: set[str]) -> Iterator[Entry]:
        module: str = data["m"]
        units: dict[str, Any] = data["units"]
        basename = path.rpartition("/")[2]
        if data.get("nb") or data.get("guard"):
            flow = self._prelude(data, own_module=None)
            for unit in (MODULE_UNIT, GUARD_UNIT):
                if unit in units:
                    frame = Frame(path, 0, 0, 0, 0, unit)
                    flow.absorb(self.summary(_key(module, unit)), (0, 0), frame, 0)
            # A library module's self-check block (`model.py`'s shape test) is not a run
            # unless it trains: other project files import the module.
            if data.get("nb") or flow.runs is not None or module not in self._imported():
                yield Entry(path, basename if data.get("nb") else GUARD_UNIT, flow,
                            data.get("gn", 0), bool(data.get("ml")),
                            bool(data.get("nb")))
        elif MODULE_UNIT in units:
            # A script without a guard whose top level trains (`for epoch ...: train()`).
            module_key = _key(module, MODULE_UNIT)
            if self.summary(module_key).runs is not None:
                flow = self._prelude(data, own_module=None)
                frame = Frame(path, 0, 0, 0, 0, MODULE_UNIT)
                flow.absorb(self.summary(module_key), (0, 0), frame, 0)
                yield Entry(path, basename, flow, ml=bool(data.get("ml")))
        for name, unit in units.items():
            if name in (MODULE_UNIT, GUARD_UNIT) or "." in name:
                continue
            key = _key(module, name)
            entry, loop, _ = unit_header(unit)
            if entry or (loop and key not in called):
                flow = self._prelude(data, own_module=_key(module, MODULE_UNIT))
                frame = Frame(path, 0, 0, 0, 0, name)
                flow.absorb(self.summary(key), (0, 0), frame, 0)
                yield Entry(path, name, flow, ml=bool(data.get("ml")))

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


# --- diagnostics ---------------------------------------------------------------------

_LIB_NAMES = {"random": "random", "numpy": "numpy.random", "torch": "torch",
              "cuda": "torch.cuda", "env": "the environment", "space": "the action space"}
_SEED_CALLS = {
    "random": "random.seed(seed)",
    "numpy": "np.random.seed(seed)",
    "torch": "torch.manual_seed(seed)",
    "cuda": "torch.cuda.manual_seed_all(seed)",
    "env": "env.reset(seed=seed)",
    "space": "env.action_space.seed(seed)",
}
FIXES = {
    "random": "call `random.seed(seed)` at the start of the run (or a helper that seeds "
              "everything, such as `lightning.seed_everything(seed)`)",
    "numpy": "call `np.random.seed(seed)` at the start of the run, or draw from "
             "`rng = np.random.default_rng(seed)` instead of the global state",
    "torch": "call `torch.manual_seed(seed)` before building models or drawing tensors",
    "cuda": "call `torch.manual_seed(seed)` (it seeds every device) or "
            "`torch.cuda.manual_seed_all(seed)`",
    "env": "reset the environment once with `env.reset(seed=seed)` before using it",
    "space": "call `env.action_space.seed(seed)` once before sampling from it",
    "random_rng": "pass the run's seed: `random.Random(seed)`",
    "numpy_rng": "pass the run's seed: `np.random.default_rng(seed)`",
}
CODES = {"random": "MLR001", "random_rng": "MLR001", "numpy": "MLR002",
         "numpy_rng": "MLR002", "torch": "MLR003", "cuda": "MLR004", "env": "MLR005",
         "space": "MLR005"}


class Place(NamedTuple):
    """Where a hit is reported in the entrypoint's file, and the helper it went through."""

    frame: Frame
    via: str


def _main_function(entry: Entry, guard: Frame, called: Frame) -> bool:
    """Whether the ``__main__`` block hands over to this same-file function: its only
    statement calls it, or it is named like a main (``main``, ``run``, ``train_*``)."""
    if guard.unit != GUARD_UNIT or called.path != entry.path \
            or called.unit in (MODULE_UNIT, GUARD_UNIT) or "." in called.unit:
        return False
    return entry.guard_statements == 1 or called.unit.lstrip("_").startswith(_MAIN_NAMES)


def place(entry: Entry, hit: Hit) -> Place | None:
    """Where to report ``hit``: in the entrypoint's own body (``frames[1]``, after the
    synthetic entry frame), or, for a ``__main__`` block, inside the function of the
    same file it calls (``main``). Deeper draws are reported at that call site, naming
    the helper they went through."""
    frames = hit.frames
    if len(frames) < 2 or frames[1].path != entry.path or frames[1].line <= 0:
        return None
    depth = 2 if len(frames) > 2 and _main_function(entry, frames[1], frames[2]) else 1
    via = frames[depth + 1].unit if len(frames) > depth + 1 else ""
    return Place(frames[depth], via)


def _label(entry: Entry, hit: Hit) -> str:
    """The entrypoint's name; for a ``__main__`` block, the function it calls (``main``)."""
    if len(hit.frames) > 2 and _main_function(entry, hit.frames[1], hit.frames[2]):
        return hit.frames[2].unit
    return entry.label


def _describe(entry: Entry, hit: Hit, where: Place) -> str:
    via = f" (via `{where.via}`)" if where.via else ""
    return f"`{hit.api}`{via}"


def _diagnostic(where: Place, code: str, message: str, fix: str) -> Diagnostic:
    frame = where.frame
    return Diagnostic(frame.path, frame.line, frame.col, code, message,
                      frame.end_line, frame.end_col, fix)


def _seeded_line(entry: Entry, seed: Hit) -> str:
    where = place(entry, seed)
    if where is None or entry.notebook:
        return ""
    return f" (line {where.frame.line})"


def _machine_learning(entry: Entry) -> bool:
    """Whether the run is an ML run: its file imports an ML library, or its flow draws
    from or seeds anything besides Python's `random`, or trains."""
    summary = entry.summary
    return entry.ml or summary.runs is not None \
        or any(not lib.startswith("random") for lib in (*summary.uses, *summary.seeds))


def _torch_use(summary: Summary) -> Hit | None:
    """The first draw from torch's generator. Initial weights count unless the run
    loads a checkpoint over them; dropout layers count unless the run only evaluates
    a loaded checkpoint (they draw only while training)."""
    use = summary.uses.get("torch")
    init = summary.uses.get("torch_init")
    dropout = summary.uses.get("torch_dropout")
    if init is not None and summary.loads is None:
        use = _earliest(use, init)
    if dropout is not None and (summary.loads is None or summary.runs is not None):
        use = _earliest(use, dropout)
    return use


def _unseeded(entry: Entry, lib: str) -> Iterator[Diagnostic]:
    """MLR001-MLR005: a draw from ``lib`` with no seed of it earlier in the flow."""
    summary = entry.summary
    use = _torch_use(summary) if lib == "torch" else summary.uses.get(lib)
    if use is None or (lib.startswith("random") and not _machine_learning(entry)):
        return
    seed = summary.seeds.get(lib)
    if seed is not None and seed.pos < use.pos:
        return
    where = place(entry, use)
    if where is None:
        return
    what = _describe(entry, use, where)
    label = _label(entry, use)
    name = _LIB_NAMES.get(lib, lib)
    if lib in ("random_rng", "numpy_rng"):
        message = (f"{what} called without a seed in entrypoint `{label}`; no global "
                   f"seed reaches the generator it creates")
    elif seed is not None:
        message = (f"{what} used in entrypoint `{label}` before `{name}` is seeded"
                   f"{_seeded_line(entry, seed)}; seed at the start of the run")
    elif lib in ("env", "space"):
        vec = " (`vec_env.seed(seed)` for a VecEnv)" if lib == "env" else ""
        message = (f"{what} used in entrypoint `{label}` but {name} is never seeded; "
                   f"call `{_SEED_CALLS[lib]}` first{vec}")
    else:
        only_cuda = " (only the CUDA generators are seeded)" \
            if lib == "torch" and "cuda" in summary.seeds else ""
        call = f"call `{_SEED_CALLS[lib]}` first"
        if use.api.partition(".")[0] in api.SB3_ROOTS:
            call = "pass `seed=` to the algorithm"
        message = (f"{what} used in entrypoint `{label}` but `{name}` is never seeded"
                   f"{only_cuda}; {call}")
    yield _diagnostic(where, CODES[lib], message, FIXES[lib])


def _unseeded_cuda(entry: Entry) -> Iterator[Diagnostic]:
    """MLR004: torch draws on CUDA when only the CPU generator was seeded before them."""
    summary = entry.summary
    use, cpu = _torch_use(summary), summary.seeds.get("torch")
    if use is None or summary.cuda is None or cpu is None or cpu.pos > use.pos:
        return  # no draw, no CUDA, or MLR003's finding already covers it
    cuda = summary.seeds.get("cuda")
    if cuda is not None and cuda.pos < use.pos:
        return
    where = place(entry, use)
    if where is None:
        return
    message = (f"{_describe(entry, use, where)} used with CUDA in entrypoint "
               f"`{_label(entry, use)}` but only the CPU generator is seeded "
               f"(`{cpu.api}`); call `torch.cuda.manual_seed_all(seed)`")
    yield _diagnostic(where, "MLR004", message, FIXES["cuda"])


def _nondeterministic(entry: Entry) -> Iterator[Diagnostic]:
    """MLR006: a torch training flow that never asks for deterministic algorithms."""
    train = entry.summary.train
    if train is None or entry.summary.det is not None:
        return
    lightning = train.api.endswith(".fit")
    if not lightning and entry.summary.cuda is None:
        return  # on the CPU, torch's kernels are deterministic already
    where = place(entry, train)
    if where is None:
        return
    hint = "pass `Trainer(deterministic=True)`" if lightning else \
        "call `torch.use_deterministic_algorithms(True)`"
    message = (f"{_describe(entry, train, where)} trains in entrypoint "
               f"`{_label(entry, train)}` without deterministic algorithms; {hint}")
    fix = ("call `torch.use_deterministic_algorithms(True)` (set "
           "`CUBLAS_WORKSPACE_CONFIG=:4096:8`) or `torch.backends.cudnn.deterministic = True`"
           " before training, behind a config flag if speed matters")
    yield _diagnostic(where, "MLR006", message, fix)


def _benchmark(entry: Entry) -> Iterator[Diagnostic]:
    """MLR007: ``cudnn.benchmark = True`` in a flow that asks for determinism."""
    bench, det = entry.summary.bench, entry.summary.det
    if bench is None or det is None:
        return
    where = place(entry, bench)
    if where is None:
        return
    asked = place(entry, det)
    at = f" (line {asked.frame.line})" if asked is not None and not entry.notebook else ""
    message = (f"{_describe(entry, bench, where)} in entrypoint `{_label(entry, bench)}`, "
               f"which asks for determinism{at}; benchmark mode picks kernels by timing")
    yield _diagnostic(where, "MLR007", message,
                      "set `torch.backends.cudnn.benchmark = False` when determinism is on")


def _loaders(entry: Entry) -> Iterator[Diagnostic]:
    """MLR008: multi-process DataLoaders without ``worker_init_fn``/``generator`` in a
    run that seeds torch."""
    if "torch" not in entry.summary.seeds:
        return
    for loader in entry.summary.loaders:
        where = place(entry, loader)
        if where is None:
            continue
        message = (f"{_describe(entry, loader, where)} in seeded entrypoint "
                   f"`{_label(entry, loader)}` has neither `worker_init_fn` nor `generator`")
        fix = ("pass `generator=torch.Generator().manual_seed(seed)` and a `worker_init_fn` "
               "that seeds numpy and random from `torch.initial_seed()`")
        yield _diagnostic(where, "MLR008", message, fix)


def _entry_findings(entry: Entry) -> Iterator[Diagnostic]:
    for lib in ("random", "random_rng", "numpy", "numpy_rng", "torch", "env", "space"):
        yield from _unseeded(entry, lib)
    yield from _unseeded_cuda(entry)
    yield from _nondeterministic(entry)
    yield from _benchmark(entry)
    yield from _loaders(entry)


MEMO_KEY = "mlready.rules._seeding_flow"


def findings(project: ProjectContext, code: str) -> list[Diagnostic]:
    """``code``'s diagnostics over the project's target entrypoints.

    Every seeding rule collects the same facts (`_seeding.collect`), so one analysis,
    shared through ``project.memo``, serves all eight finalizers of a run.
    """
    return project.memo(MEMO_KEY, lambda: _all_findings(project)).get(code, [])


def _all_findings(project: ProjectContext) -> dict[str, list[Diagnostic]]:
    """Every seeding rule's diagnostics, by code, deduplicated by place."""
    index = Project(project.facts)
    found: dict[tuple[str, str, int, int], Diagnostic] = {}
    for entry in index.entries(project.targets):
        for diagnostic in _entry_findings(entry):
            key = (diagnostic.code, diagnostic.path, diagnostic.line, diagnostic.col)
            found.setdefault(key, diagnostic)
    by_code: dict[str, list[Diagnostic]] = {}
    for diagnostic in sorted(found.values()):
        by_code.setdefault(diagnostic.code, []).append(diagnostic)
    return by_code
