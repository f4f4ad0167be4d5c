"""Peak memory of a running command's whole process tree, sampled in a thread.

Training scripts fork data-loader workers and torchrun forks ranks, so the peak of
the top process alone under-reports; we sum RSS over the tree at each sample. GPU
memory comes from NVML's per-process accounting when the driver answers, and is
"not measured" (None) otherwise: a missing GPU is not a zero. The same thread also
notes when a watched file (the metrics file or the log) last grew, which gives
steps/s without counting interpreter and torch start-up.

Besides the peaks it keeps the samples themselves, as (seconds since start, bytes),
so that `mlready.gpu_runner.growth` can tell a steady climb (a leak) from a plateau.
A long run is thinned as it goes (`Series`): memory stays bounded at `MAX_POINTS`
per series and the points stay evenly spread over the whole run.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE_INTERVAL_S = 0.05
# The watched files are looked at 10x as often: a stat costs microseconds where a tree's
# RSS costs a millisecond, and when each metric line was written is what times a run's
# steps (`pace`): a 20-step CPU smoke run trains in under 0.1 s, two RSS samples.
FILE_INTERVAL_S = 0.005
MAX_POINTS = 2048

Point = tuple[float, int]  # (seconds since the command started, bytes)


class Series:
    """Samples at a stride that doubles whenever `MAX_POINTS` are held (every other is
    dropped), so a 10-hour run keeps as many, evenly spaced, points as a 2-minute one."""

    def __init__(self, max_points: int = MAX_POINTS) -> None:
        self._max = max(2, max_points)
        self._stride = 1
        self._seen = 0
        self.points: list[Point] = []

    def add(self, t: float, value: int) -> None:
        if self._seen % self._stride == 0:
            self.points.append((t, value))
            if len(self.points) > self._max:
                self.points = self.points[::2]
                self._stride *= 2
        self._seen += 1


@dataclass(frozen=True)
class MemoryPeak:
    """Peaks over a run; ``gpu_bytes`` is None when NVML could not measure."""

    rss_bytes: int | None
    gpu_bytes: int | None
    samples: int
    first_output_s: float | None  # seconds after start when the watched file first had data
    last_output_s: float | None  # ... and when it last grew
    rss_series: tuple[Point, ...] = ()  # summed over the tree, one point per sample
    gpu_series: tuple[Point, ...] = ()  # empty when NVML could not measure
    # Per watched file, in watch order: (seconds, size in bytes) each time it grew, so a
    # byte offset in the file (the first metric line) maps to when it was written.
    outputs: tuple[tuple[Path, tuple[Point, ...]], ...] = ()


def _nvml() -> Any | None:
    """The initialised pynvml module, or None when there is no usable NVIDIA driver."""
    try:
        import pynvml

        pynvml.nvmlInit()
        if pynvml.nvmlDeviceGetCount() < 1:
            return None
        return pynvml
    except Exception:  # no library, no driver, no device: all mean "not measured"
        return None


def gpu_count() -> int:
    """How many NVIDIA GPUs NVML sees (0 without a driver); decides ``device = auto``."""
    nvml = _nvml()
    if nvml is None:
        return 0
    try:
        return int(nvml.nvmlDeviceGetCount())
    finally:
        with contextlib.suppress(Exception):
            nvml.nvmlShutdown()


class TreeSampler:
    """Samples the tree under ``pid`` until `stop`; use as a context manager."""

    def __init__(self, pid: int, watch: tuple[Path, ...] = (),
                 interval: float = SAMPLE_INTERVAL_S) -> None:
        self._pid = pid
        self._watch = watch
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlready-mem", daemon=True)
        self._rss: int | None = None
        self._gpu: int | None = None
        self._samples = 0
        self._start = time.monotonic()
        self._sizes: dict[Path, int] = {}
        self._grew: dict[Path, Series] = {path: Series() for path in watch}
        self._first: float | None = None
        self._last: float | None = None
        self._rss_series = Series()
        self._gpu_series = Series()
        self.procs: dict[int, Any] = {}  # every psutil.Process seen in the tree

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> MemoryPeak:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        return MemoryPeak(self._rss, self._gpu, self._samples, self._first, self._last,
                          tuple(self._rss_series.points), tuple(self._gpu_series.points),
                          tuple((path, tuple(grew.points)) for path, grew in self._grew.items()))

    def _loop(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil is a runner dependency
            return
        nvml = _nvml()
        handles = []
        if nvml is not None:
            with contextlib.suppress(Exception):
                handles = [nvml.nvmlDeviceGetHandleByIndex(i)
                           for i in range(nvml.nvmlDeviceGetCount())]
        try:
            while True:
                self._sample(psutil, nvml, handles)
                if self._watch_until(time.monotonic() + self._interval):
                    break
        finally:
            if nvml is not None:
                with contextlib.suppress(Exception):
                    nvml.nvmlShutdown()

    def _sample(self, psutil: Any, nvml: Any, handles: list[Any]) -> None:
        try:
            root = psutil.Process(self._pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            procs = []
        total = 0
        pids = set()
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
                pids.add(proc.pid)
                self.procs.setdefault(proc.pid, proc)
        now = time.monotonic() - self._start
        if pids:
            self._samples += 1
            self._rss = max(self._rss or 0, total)
            self._rss_series.add(now, total)
        if nvml is not None and pids:
            used = 0
            for handle in handles:
                with contextlib.suppress(Exception):
                    for info in nvml.nvmlDeviceGetComputeRunningProcesses(handle):
                        if info.pid in pids and info.usedGpuMemory:
                            used += int(info.usedGpuMemory)
            self._gpu = max(self._gpu or 0, used)
            self._gpu_series.add(now, used)
        self._look_at_files(now)

    def _watch_until(self, deadline: float) -> bool:
        """Look at the watched files every `FILE_INTERVAL_S` until ``deadline``; True when
        told to stop."""
        if not self._watch:
            return self._stop.wait(max(0.0, deadline - time.monotonic()))
        while (left := deadline - time.monotonic()) > 0:
            if self._stop.wait(min(FILE_INTERVAL_S, left)):
                return True
            self._look_at_files(time.monotonic() - self._start)
        return self._stop.is_set()

    def _look_at_files(self, now: float) -> None:
        for path in self._watch:
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if size > self._sizes.get(path, 0):
                if self._first is None:
                    self._first = now
                self._last = now
                self._sizes[path] = size
                self._grew[path].add(now, size)
