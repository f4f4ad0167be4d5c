"""How the cross-file finalize steps scale with the project: each rule's ``finalize`` (and
``summarize``) timed over a project's facts at 1x, 2x and 4x its size.

    python bench/bench_finalize.py PROJECT [--copies 1 2 4] [--repeat 3]
    python bench/bench_finalize.py PROJECT PROJECT ... [--repeat 3]

The per-file pass runs once per project (from the cache when it was checked before).
With one project, the larger ones are the same facts again under other folders
(``copy1/…``): only finalize's own growth is measured, but call chains, imports and
names do not grow as in a real larger project. With several projects (really larger
trees, say torch, then torch with other packages beside it), each is one column. Linear
is a ratio of about 2.0 per doubling; the table prints each rule's CPU seconds (this
process's, so that other load on the machine is not counted) and its ratio
from one column to the next. A script, not a test: timings belong on a quiet machine.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _results(root: Path) -> tuple[Any, dict[str, Any]]:
    from mlready.hooks import engine
    from mlready.hooks.analysis import Job, Task
    from mlready.hooks.discovery import discover
    from mlready.hooks.pool import analyse_all
    from mlready.hooks.rules import all_rules
    from mlready.hooks.settings import Overrides, load

    settings = load(root, all_rules(), Overrides())
    files = discover(root, [root], settings.excludes, cache=settings.cache_dir)
    rules = settings.rules
    job = Job(str(root), tuple(r.code for r in rules),
              tuple(r.code for r in rules if r.collects),
              {k: dict(v) for k, v in settings.options.items()},
              engine.make_cache(settings), settings.max_file_size)
    found, _ = analyse_all(job, [Task(f, False) for f in files])
    return settings, {r.path: r for r in found}


def _scaled(results: dict[str, Any], copies: int) -> dict[str, Any]:
    out = dict(results)
    for n in range(1, copies):
        out.update({f"copy{n}/{p}": r._replace(path=f"copy{n}/{p}") for p, r in results.items()})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", type=Path, nargs="+")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many timings")
    args = parser.parse_args(argv)
    from mlready.hooks.finalize import finalize
    from mlready.hooks.probes import Probes

    measured = [_results(project.resolve()) for project in args.projects]
    if len(measured) == 1:
        columns = [(f"{c}x", measured[0][0], _scaled(measured[0][1], c)) for c in args.copies]
    else:
        columns = [(f"{len(r)}f", s, r) for s, r in measured]
    cross = [r for r in columns[0][1].rules if r.cross]
    # The facts of every column stay alive throughout: out of the collector's sight, a full
    # collection over them does not land inside whichever rule happens to be timed.
    gc.collect()
    gc.freeze()
    table: dict[str, list[float]] = {r.code: [] for r in cross}
    for _, settings, scaled in columns:
        names = tuple(sorted(scaled))
        for rule in cross:
            best = float("inf")
            for _ in range(args.repeat):
                project = {"root": settings.root, "files": names,
                           "targets": frozenset(names[:1]), "shared": {}, "disk": Probes(),
                           "excludes": tuple(settings.excludes)}
                start = time.process_time()  # CPU: on a shared machine, wall time is others'
                finalize(rule, project, scaled, settings.options_for(rule))
                best = min(best, time.process_time() - start)
            table[rule.code].append(best)
    heads = " ".join(f"{f'{name} s':>9}" for name, _, _ in columns)
    print(f"{'rule':>22} {heads}  ratio column to column")
    totals = [sum(row[i] for row in table.values()) for i in range(len(columns))]
    for code, row in [*sorted(table.items(), key=lambda kv: -kv[1][-1]), ("total", totals)]:
        ratios = " ".join(f"{b / a if a else 0:.2f}" for a, b in itertools.pairwise(row))
        print(f"{code:>22} {' '.join(f'{t:9.4f}' for t in row)}  {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
