"""The run plan: the training and eval processes the checks share, and which start.

Every training process costs an interpreter plus a torch import (about 2 s on a CPU)
before its first step, so runs are shared between checks and started lazily, only
when a selected check first asks for them. `RUNS` are the runs of the built-in
checks; a check that needs another run declares it in its own module (``RUNS``), and
every check names the runs it reads (``NEEDS``), so the full table, the order runs
start in and the docs' run-plan table are derived from the check declarations
(`mlready.gpu_runner.checks`), never kept by hand:

``ref`` (seed, N)
    smoke, checkpoint, reproducibility run 1, the first half of resume, and the
    checkpoint every eval run reads.
``repeat`` (seed, N) / ``other_seed`` (seed+1, N)
    reproducibility: the same seed in a fresh process; a seed that must change things.
``long`` (seed, 2N) / ``resumed`` (from ``ref``'s checkpoint to 2N)
    resume: the uninterrupted reference and the resumed run; ``long``'s first N steps
    are also a third same-seed trajectory, which tells "resume is broken" from
    "training is not reproducible at all".
``eval``
    the eval command on ``ref``'s checkpoint.

Checks may add runs the config decides (seed-spread's extra seeds) and one run that what
the earlier runs measured decides (memory-growth's burn-in, `checks._declaration.DerivedRuns`).

With ``nproc > 1`` each training process is a ``torchrun`` of ``nproc`` ranks, and the
distributed check reads the same runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

RunId = str
"""A run's id: a key of `RUNS` or of a check's own ``RUNS``; it names the run's files."""


@dataclass(frozen=True)
class RunSpec:
    id: RunId
    purpose: str
    seed_offset: int = 0
    steps_factor: int = 1  # steps = factor * N
    steps: int | None = None  # an exact count instead (memory-growth's burn-in, sized at run time)
    timeout_s: float | None = None  # a shorter limit than `timeout` (the burn-in's time cap)
    resume_from: RunId | None = None
    is_eval: bool = False  # the eval command, on ``ref``'s checkpoint

    @property
    def seed_steps(self) -> str:
        """The seed and length column of the docs' run-plan table."""
        if self.is_eval:
            return "-"
        steps = "N" if self.steps_factor == 1 else f"{self.steps_factor}N"
        if self.steps is not None:
            steps = str(self.steps)
        if self.resume_from is not None:
            return f"resume from `{self.resume_from}` to {steps}"
        seed = "seed" if not self.seed_offset else f"seed+{self.seed_offset}"
        return f"{seed}, {steps}"


RUNS: Mapping[RunId, RunSpec] = {
    spec.id: spec for spec in (
        RunSpec("ref", "smoke run; reproducibility run 1; first half of resume"),
        RunSpec("repeat", "reproducibility run 2 (same seed)"),
        RunSpec("other_seed", "reproducibility: different seed", seed_offset=1),
        RunSpec("long", "resume reference: 2N steps uninterrupted", steps_factor=2),
        RunSpec("resumed", "resume from the smoke run's checkpoint to 2N steps",
                steps_factor=2, resume_from="ref"),
        RunSpec("eval", "eval on the smoke run's checkpoint", is_eval=True),
    )
}


def planned(needs: Iterable[tuple[RunId, ...]]) -> list[RunId]:
    """The runs that checks with these ``NEEDS`` will start, in order, each once."""
    out: list[RunId] = []
    for runs in needs:
        for run in runs:
            if run not in out:
                out.append(run)
    return out
