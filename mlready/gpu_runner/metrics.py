"""Reading what a run reported: JSONL from `mlready.log_metrics`, or a regex over its output.

Both sources become one `Trajectory` (records of step -> numeric values), so every
check compares runs the same way whichever way the script reports. Values that are
not finite are kept (as float nan/inf): finding them is the point.

The regex is the user's and may backtrack catastrophically, so it only ever sees the
first `MAX_MATCH_CHARS` of a line and matching runs under a time budget (`RegexTooSlow`),
which keeps the command's timeout the bound on how long one run takes.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TextIO

# Metrics that vary between identical runs by nature (clocks, throughput, memory):
# never compared for reproducibility unless the user lists them in `compare`.
TIMING_RE = re.compile(r"(time|elapsed|sec|per_s|_s$|throughput|speed|wall|mem|fps|eta"
                       r"|samples_per|tokens_per|it_s|duration|timestamp)", re.IGNORECASE)
RESERVED = frozenset({"step", "rank"})
MAX_MATCH_CHARS = 8192  # metric lines are short; a 5 MB line is not one


class RegexTooSlow(Exception):
    """Matching the metrics regex over a run's output took longer than its budget."""

    def __init__(self, budget_s: float, line_no: int) -> None:
        self.budget_s = budget_s
        self.line_no = line_no
        super().__init__(f"metrics regex over budget ({budget_s:g}s) at output line {line_no}")


@dataclass(frozen=True)
class Record:
    step: int
    values: dict[str, float]


@dataclass(frozen=True)
class Trajectory:
    """Every metric record of one run, rank 0 only, in the order written."""

    records: tuple[Record, ...] = ()
    bad_lines: int = 0  # lines that were not JSON objects / numbers
    other_rank_records: int = 0
    # Records that carried no step (a regex without a `step` group, a JSONL record
    # without "step"): numbered 1, 2, ... in the order written, which places them right
    # only in runs that start at step 1. A resumed run's records cannot be placed so.
    unnumbered: int = 0

    @property
    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for rec in self.records:
            seen.update(dict.fromkeys(rec.values))
        return list(seen)

    def series(self, name: str) -> list[tuple[int, float]]:
        """(step, value) of ``name``, first value per step."""
        out: dict[int, float] = {}
        for rec in self.records:
            if name in rec.values and rec.step not in out:
                out[rec.step] = rec.values[name]
        return list(out.items())

    @property
    def last_step(self) -> int | None:
        return max((r.step for r in self.records), default=None)

    @property
    def first_step(self) -> int | None:
        return min((r.step for r in self.records), default=None)

    def first_nonfinite(self) -> tuple[int, str, float] | None:
        for rec in self.records:
            for name, value in rec.values.items():
                if not math.isfinite(value):
                    return rec.step, name, value
        return None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an int beyond float range is no metric value
            return None
    if isinstance(value, str):
        try:
            return float(value)  # "nan", "inf", "1e-3"
        except ValueError:
            return None
    return None


def parse_jsonl(path: Path) -> Trajectory:
    """Records of a ``MLREADY_METRICS_FILE``; a missing file is an empty trajectory."""
    try:
        handle = path.open("r", encoding="utf-8", errors="replace")
    except OSError:
        return Trajectory()
    with handle:
        return _collect(json_records(handle))


def json_records(lines: Iterable[str]) -> Iterator[dict[str, object] | None]:
    for line in lines:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):  # incl. ints over 4,300 digits, deep nesting
            yield None
            continue
        yield data if isinstance(data, dict) else None


def parse_regex(path: Path, pattern: re.Pattern[str],
                budget_s: float | None = None) -> Trajectory:
    """Records from every output line where ``pattern`` matches (named groups = metrics).

    Raises `RegexTooSlow` when matching takes longer than ``budget_s`` seconds.
    """
    return _collect(regex_matches(path, pattern, budget_s))


def regex_matches(path: Path, pattern: re.Pattern[str],
                  budget_s: float | None = None) -> list[dict[str, object]]:
    """The named groups (as text) of every output line where ``pattern`` matches.

    An eval's metrics need the text, not a float: an integer count must compare exactly.
    Raises `RegexTooSlow` when matching takes longer than ``budget_s`` seconds.
    """
    try:
        handle = path.open("r", encoding="utf-8", errors="replace")
    except OSError:
        return []
    deadline = None if budget_s is None else time.monotonic() + budget_s
    line_no = 0
    found: list[dict[str, object]] = []
    with handle:
        try:
            with _alarm(budget_s):
                for line in bounded_lines(handle, MAX_MATCH_CHARS):
                    line_no += 1
                    if deadline is not None and time.monotonic() > deadline:
                        raise _Expired
                    match = pattern.search(line)
                    if match is not None:
                        found.append({k: v for k, v in match.groupdict().items()
                                      if v is not None})
        except _Expired:
            assert budget_s is not None
            raise RegexTooSlow(budget_s, line_no) from None
    return found


def bounded_lines(handle: TextIO, limit: int) -> Iterator[str]:
    """Each line's first ``limit`` characters; the rest of a longer line is skipped unread
    into memory (a 5 MB line costs one ``limit``-sized chunk at a time)."""
    while True:
        line = handle.readline(limit)
        if not line:
            return
        if len(line) == limit and not line.endswith("\n"):
            while True:
                rest = handle.readline(limit)
                if not rest or rest.endswith("\n"):
                    break
        yield line


class _Expired(Exception):
    pass


def _expire(_signum: int, _frame: FrameType | None) -> None:
    raise _Expired


@contextlib.contextmanager
def _alarm(budget_s: float | None) -> Iterator[None]:
    """Interrupt the block after ``budget_s`` seconds, even inside one regex match.

    The regex engine checks for signals while it backtracks, so SIGALRM stops a
    catastrophic match; that needs the main thread (elsewhere only the per-line
    deadline applies). A timer already set (e.g. pytest-timeout's) is put back with
    the time it had left.
    """
    if budget_s is None or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return
    began = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, _expire)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, max(budget_s, 1e-3))
    try:
        yield
    finally:
        while True:  # an alarm landing right here must not skip putting things back
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous_handler)
                break
            except _Expired:
                continue
        if previous_delay > 0:
            left = max(previous_delay - (time.monotonic() - began), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def _collect(raw: Iterable[dict[str, object] | None]) -> Trajectory:
    records: list[Record] = []
    bad = 0
    other_rank = 0
    unnumbered = 0
    for data in raw:
        if data is None:
            bad += 1
            continue
        rank = _number(data.get("rank", 0))
        if rank not in (None, 0.0):
            other_rank += 1
            continue
        step_value = _number(data.get("step"))
        numbered = step_value is not None and math.isfinite(step_value)
        step = int(step_value) if numbered and step_value is not None else len(records) + 1
        values: dict[str, float] = {}
        for key, value in data.items():
            if key in RESERVED:
                continue
            number = _number(value)
            if number is None:
                if isinstance(value, str):
                    bad += 1
                continue
            values[key] = number
        if values:
            records.append(Record(step, values))
            unnumbered += not numbered
    return Trajectory(tuple(records), bad, other_rank, unnumbered)


def unnumbered_summary(from_regex: bool) -> str:
    """Why records without a step cannot judge a resume, and the one-line fix.

    Numbered by their order, the resumed run's first record is "step 1" wherever it
    really is, so an exact resume would look like a restart; aligning by count instead
    would hide the very restart or repeated step that the resume check looks for.
    """
    fix = ("add a `step` group to `tool.mlready.runner.metrics`, e.g. "
           "'step (?P<step>\\d+) .*loss (?P<loss>\\S+)'" if from_regex else
           'pass step= to mlready.log_metrics (a "step" key in each JSONL record)')
    return ("metrics carry no step, so the resumed run's records cannot be placed after "
            f"the checkpoint: {fix}")


def comparable(a: Trajectory, b: Trajectory, wanted: tuple[str, ...],
               first: str = "") -> list[str]:
    """Metrics to compare: the configured ones, else all shared non-timing metrics.

    ``first`` (the objective) leads, so that at a step where several metrics diverge
    the report names the one the user watches.
    """
    if wanted:
        names = [n for n in wanted if n in a.names and n in b.names]
    else:
        names = [n for n in a.names if n in b.names and not TIMING_RE.search(n)]
    return sorted(names, key=lambda n: n != first)


@dataclass(frozen=True)
class Divergence:
    """Where two trajectories part, in the tiers the checks report."""

    compared_points: int
    max_abs_diff: float
    bitwise: bool
    within_tolerance: bool
    first_step: int | None = None  # first step beyond tolerance
    first_metric: str | None = None
    first_diff: float | None = None
    first_values: tuple[float, float] | None = None
    missing_steps: list[int] = field(default_factory=list)  # in ref, absent in other


def close(a: float, b: float, tolerance: float) -> bool:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return True
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def compare(ref: Trajectory, other: Trajectory, names: list[str], tolerance: float,
            steps: tuple[int, int] | None = None) -> Divergence:
    """Compare ``names`` at the steps both runs logged (within ``steps`` inclusive)."""
    lo, hi = steps if steps is not None else (-(2**62), 2**62)
    points = 0
    max_diff = 0.0
    bitwise = True
    first: tuple[int, str, float, float, float] | None = None
    missing: set[int] = set()
    for name in names:
        theirs = dict(other.series(name))
        for step, value in ref.series(name):
            if not lo <= step <= hi:
                continue
            if step not in theirs:
                missing.add(step)
                continue
            mine = theirs[step]
            points += 1
            same = value == mine or (math.isnan(value) and math.isnan(mine))
            diff = abs(value - mine) if not same else 0.0
            if math.isnan(diff):
                diff = math.inf
            bitwise = bitwise and same
            max_diff = max(max_diff, diff)
            if not close(value, mine, tolerance) and (first is None or step < first[0]):
                first = (step, name, diff, value, mine)
    if first is None:
        return Divergence(points, max_diff, bitwise and not missing, not missing,
                          missing_steps=sorted(missing))
    return Divergence(points, max_diff, False, False, first[0], first[1], first[2],
                      (first[3], first[4]), sorted(missing))
