"""Progress on stderr while runs go: elapsed time and the last metric seen.

A 2-minute RL run must not look like a hang, at a terminal or in a CI log. At a
terminal each run has a line ``[i/n] purpose ... ok (seconds)`` that, while the run
goes, updates in place with the elapsed time and the last metric. Elsewhere (a CI log,
a pipe) nothing is printed for a run that ends quickly, and a run that goes on gets a
line every `DEFAULT_INTERVAL_S` seconds (`INTERVAL_ENV` or ``--progress-interval``
changes it), so the log shows it moving without filling up. Never on stdout: that is
where ``mlready run -o -`` writes its JSON.

The last metric is read by a background thread from the run's own files: the last
JSONL record of its metrics file, or the last output line naming the objective. The
user's metrics regex is never applied here: a regex that backtracks catastrophically
would hold the interpreter lock in this thread, where no alarm can stop it, and stall
the timeout of the very run being watched (the regex runs after the run, under a
budget, in `metrics`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from mlready.hooks.output import printable

DEFAULT_INTERVAL_S = 10.0  # seconds between progress lines when stderr is no terminal
INTERVAL_ENV = "MLREADY_PROGRESS_INTERVAL"
MAX_INTERVAL_S = 86400.0  # a day; `inf` would overflow the progress thread's wait
TTY_TICK_S = 1.0  # a terminal's line updates this often (or at the interval, if shorter)
TAIL_BYTES = 8192  # how much of the end of a file the last metric is looked for in
MAX_SHOWN = 80  # characters of an output line shown
_CLEAR = "\r\x1b[K"  # back to the line's start, erase it


@dataclass(frozen=True)
class Watch:
    """Where a running command's latest metric shows, and which metric leads."""

    metrics_file: Path | None = None  # JSONL records (`mlready.log_metrics`)
    log: Path | None = None  # its output, when metrics are read from it by a regex
    objective: str = ""


def _tail(path: Path) -> list[str]:
    """The last complete lines of ``path`` (a line still being written is left out)."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - TAIL_BYTES))
            data = handle.read()
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").split("\n")
    lines.pop()  # after the last newline: empty, or a line not finished yet
    if size > TAIL_BYTES and lines:
        lines.pop(0)  # probably cut at its start
    return [line.strip() for line in lines if line.strip()]


def _value(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return f"{value:.4g}" if isinstance(value, float) and math.isfinite(value) else str(value)


def last_metric(watch: Watch) -> str | None:
    """``step 140: loss 0.52`` from the metrics file, or ``last line: ...`` of the output,
    with every non-printable character escaped (`printable`): the text is the training
    command's, and a newline in a JSONL key or an escape sequence in its output would
    otherwise start a line of our stderr (a ``::error`` workflow command in CI) or
    rewrite the terminal.

    None while the run has reported nothing yet.
    """
    shown = _last_metric(watch)
    return printable(shown) if shown is not None else None


def _last_metric(watch: Watch) -> str | None:
    if watch.metrics_file is not None:
        for line in reversed(_tail(watch.metrics_file)):
            try:
                data = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if not isinstance(data, dict):
                continue
            shown = {k: v for k, v in ((k, _value(v)) for k, v in data.items()
                                       if k not in ("step", "rank")) if v is not None}
            names = sorted(shown, key=lambda k: k != watch.objective)[:2]
            if not names:
                continue
            values = ", ".join(f"{k} {shown[k]}" for k in names)
            step = _value(data.get("step"))
            return f"step {step}: {values}" if step is not None else values
    if watch.log is not None:
        lines = _tail(watch.log)
        if watch.objective:
            named = [line for line in lines if watch.objective in line]
            lines = named or lines
        if lines:
            last = lines[-1]
            cut = last if len(last) <= MAX_SHOWN else last[:MAX_SHOWN - 3] + "..."
            return f"last line: {cut}"
    return None


class Progress:
    """Per-run progress on stderr; see the module docstring for what shows where.

    ``enabled``: None decides by the stream (a terminal: per-run lines updated in place;
    otherwise: a line every ``interval`` seconds while a run goes); True forces the
    per-run lines on any stream; False prints nothing at all.
    """

    def __init__(self, total: int, stream: TextIO | None = None,
                 enabled: bool | None = None, interval: float | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        tty = self._stream.isatty()
        self._lines = tty if enabled is None else enabled
        self._live = enabled is not False
        self._in_place = tty and self._lines
        self._interval = interval if interval is not None else DEFAULT_INTERVAL_S
        self._total = max(total, 1)
        self._done = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._label = ""
        self._open = False  # a per-run line waits for its status
        self._broken = False  # a progress line was written since the per-run line began

    def _write(self, text: str) -> None:
        with self._lock:
            self._stream.write(text)
            self._stream.flush()

    @property
    def _prefix(self) -> str:
        return f"[{self._done}/{max(self._total, self._done)}] {self._label}"

    def grow(self, runs: int = 1) -> None:
        """More runs than planned: one that what the earlier runs measured called for."""
        self._total += runs

    def start(self, label: str, watch: Watch | None = None) -> None:
        """A run begins: its per-run line, and the updates while it goes."""
        self._done += 1
        self._label = label
        self._broken = False
        if self._lines:
            self._write(f"{self._prefix} ... ")
            self._open = True
        if self._live:
            self._stop.clear()
            tick = min(TTY_TICK_S, self._interval) if self._in_place else self._interval
            self._thread = threading.Thread(target=self._run, args=(watch or Watch(), tick),
                                            name="mlready-progress", daemon=True)
            self._thread.start()

    def _run(self, watch: Watch, tick: float) -> None:
        began = time.monotonic()
        while not self._stop.wait(tick):
            elapsed = time.monotonic() - began
            metric = last_metric(watch) or "nothing reported yet"
            text = f"running {elapsed:.1f}s; {metric}"
            if self._in_place:  # one screen row, or the clear would leave the wrapped rest
                width = shutil.get_terminal_size().columns - 1
                self._write(_CLEAR + f"{self._prefix} ... {text}"[:max(width, 20)])
            elif self._open:  # `--progress` on a log: the per-run line is written again
                self._write(f"\n  {text}")
            else:
                self._write(f"mlready run: {self._prefix}: {text}\n")
            self._broken = True

    def _halt(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def end(self, status: str, seconds: float) -> None:
        """The run is over: its status and wall time end its line."""
        self._finish(f"{status} ({seconds:.1f}s)")

    def abort(self) -> None:
        """The run did not end normally (Ctrl-C, a full disk): stop updating, end the line."""
        self._finish("interrupted")

    def _finish(self, outcome: str) -> None:
        self._halt()
        if not self._open:
            return
        self._open = False
        if self._broken:  # progress was written over or under it: the line again, whole
            lead = _CLEAR if self._in_place else "\n"
            self._write(f"{lead}{self._prefix} ... {outcome}\n")
        else:
            self._write(f"{outcome}\n")

    def note(self, text: str) -> None:
        if self._lines:
            self._write(text + "\n")
