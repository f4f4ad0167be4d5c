"""What running a unit does, as the seeding rules read it: `Summary` (first seed and
first draw per generator, training, CUDA, determinism, loads) over `Hit` positions,
and an `Entrypoint` with its flow.

A position is a path of ``(line, col)`` pairs, one per call level, so that "seeded
before used" is a tuple comparison; `Summary.absorb` merges a callee's summary at the
call site. The data model of `callgraph` (which builds summaries) and of the rules
(which read them), kept apart from both.
"""

from __future__ import annotations

from mlready.records import NamedTuple

Position = tuple[tuple[int, int], ...]
_COND, _NESTED = 2, 4  # flags of a call event (`units`)
MAX_LOADERS = 16


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


class Summary:
    """What running a unit does, in order: first seed and first draw per generator."""

    det: Hit | None = None
    bench: Hit | None = None
    train: Hit | None = None  # torch loops and Lightning: what MLR006 checks
    runs: Hit | None = None  # any training, SB3 and Hugging Face included
    cuda: Hit | None = None
    loads: Hit | None = None  # a checkpoint load: initial weights do not matter
    maybe_loads: Hit | None = None  # a load behind an `if`: initial weights may matter
    plots: bool = False  # the unit itself draws a figure (not inherited by callers)
    backward: Hit | None = None  # half a training step: a backward pass...
    step: Hit | None = None  # ...and, in another method, an optimizer step
    optim: Hit | None = None  # a torch optimizer built (or an object whose class builds one)
    fit: Hit | None = None  # a call of a project function named like training (`run_training`)

    def __init__(self) -> None:
        self.seeds: dict[str, Hit] = {}
        self.uses: dict[str, Hit] = {}
        self.loaders: list[Hit] = []

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
        room = MAX_LOADERS - len(self.loaders)
        self.loaders.extend(hit.shifted(pos, frame) for hit in other.loaders[:room])


class Entrypoint(NamedTuple):
    """An entrypoint: its file, its label in messages, and its flow."""

    path: str
    label: str
    summary: Summary
    guard_statements: int = 0
    ml: bool = False  # the entrypoint's file imports an ML library
    notebook: bool = False  # line numbers in messages would not match the cells
