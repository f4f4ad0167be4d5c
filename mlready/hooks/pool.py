"""The per-file pass over many files: straight from the cache where the project index
knows a file unchanged, the rest in this process, or in a pool of forked workers when
there is enough source left to pay for one (a one-file hook run never starts one)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlready.hooks.rules import RuleLoadError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from mlready.hooks.analysis import Job, Task
    from mlready.hooks.project_index import ProjectIndex
    from mlready.hooks.results import FileResult

PARALLEL_MIN_BYTES = 1_000_000  # below this much source, a pool costs more than it saves
PARALLEL_MIN_FILES = 8


def workers() -> int:
    """CPUs this process may use (cgroup- and affinity-aware where the OS says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _sizes(tasks: Sequence[Task], root: Path) -> list[int]:
    sizes = []
    for task in tasks:
        try:
            sizes.append((root / task.file.path).stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


def _chunks(tasks: Sequence[Task], sizes: Sequence[int], count: int) -> list[list[Task]]:
    """Split tasks into at most ``count`` chunks of similar total size: largest file
    first, each into the lightest chunk so far (so one huge file does not end last)."""
    import heapq

    heap: list[tuple[int, int]] = [(0, n) for n in range(count)]
    chunks: list[list[Task]] = [[] for _ in range(count)]
    for size, index in sorted(((s, i) for i, s in enumerate(sizes)), reverse=True):
        total, slot = heapq.heappop(heap)
        chunks[slot].append(tasks[index])
        heapq.heappush(heap, (total + size, slot))
    return [chunk for chunk in chunks if chunk]


def _pool_context() -> Any:
    # fork is cheap and the workers inherit the imported rules; elsewhere use the default.
    import multiprocessing  # imported here: a one-file hook run never starts a pool

    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def worker_start() -> None:
    """Worker set-up: the imported modules never become garbage, so keep the collector
    off them (``gc.freeze``); parsing allocates millions of short-lived nodes, so let it
    run less often (`mlready.collector`). Together about a tenth of a worker's time."""
    import gc

    from mlready import collector

    gc.freeze()
    collector.for_one_run()


def analyse_all(job: Job, tasks: Sequence[Task], jobs: int | None = None,
                min_parallel_bytes: int = PARALLEL_MIN_BYTES,
                known: Mapping[str, str] | None = None, index: ProjectIndex | None = None
                ) -> tuple[list[FileResult], list[str]]:
    """The per-file pass over ``tasks``: the results of files ``known`` unchanged (path
    -> digest) straight from the project ``index`` or the cache, the rest in this
    process, or in a pool when what is left pays for one."""
    from mlready.hooks.analysis import recalled

    hits, left = recalled(job, tasks, known or {}, index)
    fresh, errors = _analyse_left(job, left, jobs, min_parallel_bytes)
    return hits + fresh, errors


def _analyse_left(job: Job, tasks: Sequence[Task], jobs: int | None,
                  min_parallel_bytes: int) -> tuple[list[FileResult], list[str]]:
    from mlready.hooks.analysis import analyse_many

    root = Path(job.root)
    count = jobs if jobs is not None else workers()
    if count < 2 or len(tasks) < (2 if jobs else PARALLEL_MIN_FILES):
        return analyse_many(job, tasks), []
    sizes = _sizes(tasks, root)
    if sum(sizes) < min_parallel_bytes:
        return analyse_many(job, tasks), []
    from concurrent.futures import ProcessPoolExecutor

    import mlready.hooks.parsing  # noqa: F401  (here, once: the forked workers inherit it)

    for full in (True, False):  # and the rule modules: imported once here, not per worker
        job.plan(full)  # (this process needs the cross-file ones for finalize anyway)

    results: list[FileResult] = []
    errors: list[str] = []
    chunks = _chunks(tasks, sizes, count * 6)
    with ProcessPoolExecutor(max_workers=count, mp_context=_pool_context(),
                             initializer=worker_start) as pool:
        futures: list[tuple[list[Task], Future[list[FileResult]]]] = [
            (chunk, pool.submit(analyse_many, job, chunk)) for chunk in chunks]
        for chunk, future in futures:
            try:
                results.extend(future.result())
            except RuleLoadError:  # a broken installation, not a broken worker
                raise
            except Exception as exc:  # a worker died (out of memory, killed): say where
                names = ", ".join(t.file.path for t in chunk[:3])
                more = f" and {len(chunk) - 3} more" if len(chunk) > 3 else ""
                errors.append(f"{names}{more}: internal error: worker process failed "
                              f"({type(exc).__name__})")
    return results, errors
