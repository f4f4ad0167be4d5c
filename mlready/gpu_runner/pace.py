"""How fast a finished run trained once warmed up: the pace a burn-in run is sized from.

A short run's wall time is mostly start-up (an interpreter, a torch import, a model
build) and warm-up (first batches, allocator and caches): charlm's 20-step run lasts
about 3 s of which its steps take 0.4 s. Sizing a longer run from ``wall / steps``
would make it several times too long, so the pace is read from the run's *steady*
part: the second half of its metric records, each timed by when the sampler saw the
file reach the end of that record's line (`memory.MemoryPeak.outputs`, every 50 ms),
and fitted by least squares (seconds over steps), which averages the sampler's 50 ms
steps away where two end points alone would carry them whole.

Records come from the JSONL metrics file, or from the log lines the metrics regex
matches (their ``step`` group, else counted 1, 2, ...). The user's regex runs here as
it ran in `metrics`, over lines bounded to `MAX_MATCH_CHARS`, after the run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from mlready.gpu_runner.growth import slope, when
from mlready.gpu_runner.metrics import MAX_MATCH_CHARS
from mlready.gpu_runner.session import RunOutcome

MIN_STEADY_RECORDS = 3  # a slope needs a few timed points beyond the two ends


@dataclass(frozen=True)
class Pace:
    """A run's steady pace and what a new run pays before its first step."""

    run: str  # the run it was measured on
    s_per_step: float  # seconds per step over the second half of its records
    first_metric_s: float  # seconds from the start to its first metric: start-up, warm-up


def _records(path: Path, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    """(byte offset of the last character, step) of each metric line of ``path``."""
    out: list[tuple[int, int]] = []
    offset = 0
    try:
        with path.open("rb") as handle:
            while line := handle.readline(MAX_MATCH_CHARS):
                end = offset + len(line.rstrip(b"\r\n")) - 1
                offset += len(line)
                step = _step(line.decode("utf-8", errors="replace"), pattern, len(out) + 1)
                if step is not None and end >= 0:
                    out.append((end, step))
    except OSError:
        return []
    return out


def _step(line: str, pattern: re.Pattern[str] | None, count: int) -> int | None:
    """The step a metric line reports; None when the line is no metric record."""
    if pattern is not None:
        match = pattern.search(line)
        if match is None:
            return None
        step = match.groupdict().get("step")
        return int(step) if step is not None and step.isdigit() else count
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("rank", 0) != 0:
        return None
    step = record.get("step")
    return step if isinstance(step, int) and not isinstance(step, bool) else count


def timed_steps(run: RunOutcome, pattern: re.Pattern[str] | None) -> list[tuple[int, float]]:
    """(step, seconds after start when its record was written) of each metric record."""
    assert run.process is not None
    grew = dict(run.process.memory.outputs)
    if pattern is None:
        sources = [(path, points) for path, points in grew.items() if path != run.log_path]
    elif run.log_path is not None:
        sources = [(run.log_path, grew.get(run.log_path, ()))]
    else:
        sources = []
    for path, points in sources:
        if not points:
            continue
        timed = [(step, t) for end, step in _records(path, pattern)
                 if (t := when(points, end)) is not None]
        if timed:
            return timed
    return []


def steady_pace(run: RunOutcome, pattern: re.Pattern[str] | None) -> Pace | None:
    """The pace of ``run``'s second half of records; None when too few were timed apart."""
    timed = timed_steps(run, pattern)
    steady = timed[len(timed) // 2:]
    if len(steady) < MIN_STEADY_RECORDS or len({step for step, _ in steady}) < 2:
        return None
    per_step = slope([(float(step), t) for step, t in steady])
    if per_step <= 0:
        return None
    return Pace(run.spec.id, per_step, timed[0][1])
