"""The run plan: which training processes a full `mlready run` starts, and why.

Every training process costs an interpreter plus a torch import (about 2 s on a CPU)
before its first step, so runs are shared between checks and started lazily, only
when a selected check first asks for them:

=============  =============  ===========================================================
run            seed, steps    used by
=============  =============  ===========================================================
``ref``        seed, N        smoke, checkpoint, eval (its checkpoint), reproducibility
                              (run 1), resume (the first half: its checkpoint is resumed)
``repeat``     seed, N        reproducibility (run 2: same seed, fresh process)
``other_seed`` seed+1, N      reproducibility (the seed must change the result)
``long``       seed, 2N       resume (the uninterrupted reference)
``resumed``    from ``ref``   resume (N more steps in a fresh process, to 2N)
``eval``       --             eval, on ``ref``'s checkpoint
=============  =============  ===========================================================

So a full run is five training processes and one eval process. ``long``'s first N
steps are also a third same-seed trajectory: the resume check uses it to tell "resume
is broken" from "training is not reproducible at all". With ``nproc > 1`` each
training process is a ``torchrun`` of ``nproc`` ranks, and the distributed check
reads the same runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RunId = Literal["ref", "repeat", "other_seed", "long", "resumed", "eval"]


@dataclass(frozen=True)
class RunSpec:
    id: RunId
    purpose: str
    seed_offset: int = 0
    steps_factor: int = 1  # steps = factor * N
    resume_from: RunId | None = None
    is_eval: bool = False


RUNS: dict[RunId, RunSpec] = {
    "ref": RunSpec("ref", "smoke run; reproducibility run 1; first half of resume"),
    "repeat": RunSpec("repeat", "reproducibility run 2 (same seed)"),
    "other_seed": RunSpec("other_seed", "reproducibility: different seed", seed_offset=1),
    "long": RunSpec("long", "resume reference: 2N steps uninterrupted", steps_factor=2),
    "resumed": RunSpec("resumed", "resume from the smoke run's checkpoint to 2N steps",
                       steps_factor=2, resume_from="ref"),
    "eval": RunSpec("eval", "eval on the smoke run's checkpoint", is_eval=True),
}

# Which runs each check needs, in the order they start: the progress display counts these.
NEEDS: dict[str, tuple[RunId, ...]] = {
    "smoke": ("ref",),
    "checkpoint": ("ref",),
    "eval": ("ref", "eval"),
    "reproducibility": ("ref", "repeat", "other_seed"),
    "resume": ("ref", "long", "resumed"),
    "distributed": ("ref",),
}


def planned(checks: tuple[str, ...], has_resume: bool, has_eval: bool) -> list[RunId]:
    """The runs the selected checks will start, in order (without not-applicable ones)."""
    out: list[RunId] = []
    for check in checks:
        if (check == "resume" and not has_resume) or (check == "eval" and not has_eval):
            continue
        for run in NEEDS.get(check, ()):
            if run not in out:
                out.append(run)
    return out
