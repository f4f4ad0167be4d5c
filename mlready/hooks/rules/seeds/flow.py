"""Where the seeding rules (MLR001-MLR008) report, and the run they share.

`entrypoints` resolves the project's call graph (`entries`, `callgraph`) once per run, through
``project.memo``, for all eight rules; each rule's own ``decide(entry)`` then says
what is wrong in one entrypoint and how to word it, and `report` gathers its findings
in order, one per place. The helpers below say where in the entrypoint's file a hit
is reported and how the entrypoint is named in messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from mlready.hooks.context import ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds.facts import GUARD_UNIT, MODULE_UNIT
from mlready.hooks.rules.seeds.summary import Entrypoint, Frame, Hit, Summary, earliest
from mlready.records import NamedTuple

MEMO_KEY = "mlready.rules.seeds.flow"
_MAIN_NAMES = ("main", "run", "train", "cli", "app", "entry", "launch", "fit")
Decide = Callable[[Entrypoint], Iterable[Diagnostic]]


def entrypoints(project: ProjectContext) -> tuple[Entrypoint, ...]:
    """The target entrypoints with their flows, resolved once per run for every rule.

    Every seeding rule collects the same facts (`units.collect`), so one call graph,
    shared through ``project.memo``, serves all eight finalizers of a run. The graph's
    modules (`entries`, `callgraph`) are imported here, not at the top: a hook run whose
    cross-file results are remembered (`mlready.hooks.finalize`) never builds one, and
    the seeding rules, which import this module for their decisions, would load them.
    """
    from mlready.hooks.rules.seeds.entries import EntryGraph

    return project.memo(MEMO_KEY, lambda: tuple(
        EntryGraph(project.facts).entries(project.targets)))


def report(project: ProjectContext, decide: Decide) -> list[Diagnostic]:
    """One rule's findings over the target entrypoints: ``decide`` on each, the first
    finding at each place kept (two entrypoints may reach the same line), sorted."""
    found: dict[tuple[str, str, int, int], Diagnostic] = {}
    for entry in entrypoints(project):
        for diagnostic in decide(entry):
            key = (diagnostic.code, diagnostic.path, diagnostic.line, diagnostic.col)
            found.setdefault(key, diagnostic)
    return sorted(found.values())


class Place(NamedTuple):
    """Where a hit is reported in the entrypoint's file, and the helper it went through."""

    frame: Frame
    via: str


def _hands_over(entry: Entrypoint, caller: Frame, called: Frame, first: bool) -> bool:
    """Whether ``caller`` hands the run over to ``called``, a function of the same file:
    the ``__main__`` block's only statement calls it, or it is named like a main
    (``main``, ``run``, ``train_*``); from a function (the entrypoint itself, a hydra
    main, or a main handed over to) only to a ``main`` or ``*_main`` (``worker_main``).
    The first caller is the entrypoint's own body."""
    if first and caller.unit not in (GUARD_UNIT, entry.label):
        return False
    if caller.unit == MODULE_UNIT or entry.notebook or called.path != entry.path \
            or called.unit in (MODULE_UNIT, GUARD_UNIT) or "." in called.unit:
        return False
    name = called.unit.lstrip("_")
    if first and caller.unit == GUARD_UNIT:
        return entry.guard_statements == 1 or name.startswith(_MAIN_NAMES)
    # Past the `__main__` block only a main hands over (`worker_main`), not a helper
    # named like one (`train_one_epoch`): that is where the run does its work.
    return name == "main" or name.endswith("_main")


def place(entry: Entrypoint, hit: Hit) -> Place | None:
    """Where to report ``hit``: in the entrypoint's own body (``frames[1]``, after the
    synthetic entry frame), or inside the same-file main it hands over to, through as
    many hand-overs as there are (``__main__`` -> ``main`` -> ``worker_main``). Deeper
    draws are reported at that call site, naming the helper they went through."""
    frames = hit.frames
    if len(frames) < 2 or frames[1].path != entry.path or frames[1].line <= 0:
        return None
    depth = 1
    while len(frames) > depth + 1 and depth < 8 \
            and _hands_over(entry, frames[depth], frames[depth + 1], depth == 1):
        depth += 1
    via = frames[depth + 1].unit if len(frames) > depth + 1 else ""
    return Place(frames[depth], via)


def label(entry: Entrypoint, hit: Hit | None = None) -> str:
    """The entrypoint's one name in messages: the path of a script (its ``__main__``
    block, whatever function that hands over to, its top-level code, a notebook), and
    ``path::function`` for a function that is an entrypoint of its own (a click, typer
    or hydra main, a training function nothing calls), as pytest names a test. (``hit``
    is not needed: the name no longer depends on where the hit is.)"""
    if entry.label in (GUARD_UNIT, MODULE_UNIT) or entry.notebook \
            or entry.label == entry.path.rpartition("/")[2]:
        return entry.path
    return f"{entry.path}::{entry.label}"


def describe(entry: Entrypoint, hit: Hit, where: Place) -> str:
    via = f" (via `{where.via}`)" if where.via else ""
    return f"`{hit.api}`{via}"


def diagnostic(where: Place, code: str, message: str, fix: str) -> Diagnostic:
    frame = where.frame
    return Diagnostic(frame.path, frame.line, frame.col, code, message,
                      frame.end_line, frame.end_col, fix)


def seeded_line(entry: Entrypoint, seed: Hit) -> str:
    where = place(entry, seed)
    if where is None or entry.notebook:
        return ""
    return f" (line {where.frame.line})"


def machine_learning(entry: Entrypoint) -> bool:
    """Whether the run is an ML run: its file imports an ML library, or its flow draws
    from or seeds anything besides Python's `random`, or trains."""
    summary = entry.summary
    return entry.ml or summary.runs is not None \
        or any(not lib.startswith("random") for lib in (*summary.uses, *summary.seeds))


def torch_use(summary: Summary) -> Hit | None:
    """The first draw from torch's generator. Initial weights count unless the run
    loads a checkpoint over them; dropout layers count unless the run only evaluates
    a loaded checkpoint (they draw only while training); a shuffled loader or a
    sampler counts only when torch is never seeded (it draws when iterated)."""
    use = summary.uses.get("torch")
    init = summary.uses.get("torch_init")
    dropout = summary.uses.get("torch_dropout")
    loader = summary.uses.get("torch_loader")
    if loader is not None and "torch" not in summary.seeds:
        # A shuffled loader or a sampler draws when iterated: built before the seed,
        # it is still iterated after it; never seeded, its order differs every run.
        use = earliest(use, loader)
    if init is not None and summary.loads is None:
        use = earliest(use, init)
    if dropout is not None and (summary.loads is None or summary.runs is not None):
        use = earliest(use, dropout)
    return use
