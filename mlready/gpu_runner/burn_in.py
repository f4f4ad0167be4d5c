"""The burn-in run memory-growth trains when no run of the plan trained long enough.

Short runs prove what they prove in seconds, but a leak needs `memory-min-seconds` of
training after warm-up to show. When none of the runs made trains that long, one more
run of the same training command is sized to: its steps reach the command as every
run's do (``{steps}`` and ``MLREADY_STEPS``), and how many is worked out from the
*steady* pace of the fastest run already made (`pace`), so that start-up and warm-up,
which a longer run pays once, are not multiplied with the steps.

The steps are those whose records span ``min_seconds / (1 - warm-up share)`` (the
growth test drops the first quarter of the span) times `MARGIN`. Two caps hold a
misjudged pace: the run must be expected to fit in `TIMEOUT_SHARE` of the runner's
`timeout` (else it is not started), and it runs under a time limit of its own,
`CAP_FACTOR` times what it is expected to take (never above `timeout`), enforced by
the runner's per-run timeout, which kills the command's whole process tree. A burn-in
that still trains too little (and was not stopped by its cap) gets one *top-up*: a
second burn-in, `TOP_UP_ID`, sized the same way from the first burn-in's own pace,
which, measured over thousands of steps rather than a few, is the one a loaded machine
misjudges least; it is held by the same caps. Whichever of the two trained longer is
judged; when both train too little it is *not measured*, never a pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlready.gpu_runner.pace import Pace
from mlready.gpu_runner.plan import RunSpec

RUN_ID = "burn_in"
PURPOSE = "memory-growth burn-in: long enough to judge memory growth"
TOP_UP_ID = "burn_in_2"
TOP_UP_PURPOSE = "memory-growth top-up burn-in: the first burn-in trained too little"
MARGIN = 1.2  # over the steps the pace says are enough: the pace is measured, not known
TIMEOUT_SHARE = 0.8  # of `timeout` a burn-in may be expected to take, to be started
CAP_FACTOR = 2.0  # its own time limit: this times its expected wall time ...
CAP_SLACK_S = 10.0  # ... plus this (start-up varies run to run on a loaded machine)


@dataclass(frozen=True)
class Sizing:
    """How long a burn-in is made, and why."""

    pace: Pace
    steps: int
    training_s: float  # first to last metric, as planned
    expected_s: float  # the whole run: start-up, then the training
    cap_s: float  # its time limit
    run_id: str = RUN_ID  # `TOP_UP_ID` for the top-up

    def spec(self) -> RunSpec:
        purpose = PURPOSE if self.run_id == RUN_ID else TOP_UP_PURPOSE
        return RunSpec(self.run_id, purpose, steps=self.steps, timeout_s=self.cap_s)


def size(pace: Pace, min_seconds: float, warmup_fraction: float, timeout: float,
         run_id: str = RUN_ID) -> Sizing:
    """The burn-in ``run_id`` for ``min_seconds`` of analysed training at ``pace``."""
    training = min_seconds / (1.0 - warmup_fraction) * MARGIN
    steps = math.ceil(training / pace.s_per_step) + 1  # n records span n - 1 steps
    expected = pace.first_metric_s + training
    cap = min(timeout, CAP_FACTOR * expected + CAP_SLACK_S)
    return Sizing(pace, steps, training, expected, cap, run_id)


def fits(sizing: Sizing, timeout: float) -> bool:
    """Whether the burn-in is expected to end well within the runner's `timeout`."""
    return sizing.expected_s <= TIMEOUT_SHARE * timeout
