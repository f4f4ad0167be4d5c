"""How the cross-file finalize steps scale with the project: each rule's ``finalize`` (and
``summarize``) timed over a project's facts at 1x, 2x and 4x its size.

    python bench/bench_finalize.py PROJECT [--copies 1 2 4] [--repeat 3] [--target PATH]
    python bench/bench_finalize.py PROJECT PROJECT ... [--repeat 3] [--target PATH|all]

The per-file pass runs once per project (from the cache when it was checked before).
With one project, the larger ones are the same facts again under other folders
(``copy1/…``): only finalize's own growth is measured, but call chains, imports and
names do not grow as in a real larger project. With several projects (really larger
trees, say torch, then torch with other packages beside it), each is one column, headed
by its Python lines. Linear is a ratio of about the lines' ratio per column (2.0 per
doubling); the table prints each rule's CPU seconds (this process's, so that other load
on the machine is not counted) and its ratio from one column to the next. What a
finalize reads is its facts, not the lines: real trees differ in how much of each rule's
facts a line makes (torch's files hold few seeding units, sympy's and the standard
library's many), so each ratio is also given per ratio of the rule's facts (their JSON
bytes): linear in what it reads is about 1.0 there, whatever the lines did.

The run's target (the file whose findings are kept, as a one-file hook names one) is
the same file in every column: ``--target``, or else the first path that every column
holds. A target that differs from column to column measures that file's own entrypoint
(one file's call graph can reach far more than another's), not the project's growth.
``--target all`` makes every file a target, as a check of the whole project does.
A script, not a test: timings belong on a quiet machine.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
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


def _fact_bytes(results: dict[str, Any], code: str) -> int:
    """The JSON size of one rule's facts over a column: what its finalize reads."""
    total = 0
    for result in results.values():
        value = result.facts.get(code)
        if value is not None:
            total += len(json.dumps(value, separators=(",", ":")))
    return total


def _lines(root: Path, paths: Sequence[str]) -> int:
    """Lines of the column's Python files (what "2x the project" means here)."""
    total = 0
    for path in paths:
        if path.endswith(".py"):
            try:
                total += (root / path).read_bytes().count(b"\n")
            except OSError:
                continue
    return total


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
    parser.add_argument("--target", help="the file reported on, in every column (or all)")
    args = parser.parse_args(argv)
    from mlready.hooks.finalize import finalize
    from mlready.hooks.probes import Probes

    measured = [_results(project.resolve()) for project in args.projects]
    if len(measured) == 1:
        columns = [(f"{c}x", measured[0][0], _scaled(measured[0][1], c)) for c in args.copies]
        lines = [c * _lines(measured[0][0].root, list(measured[0][1])) for c in args.copies]
    else:
        columns = [(f"{len(r)}f", s, r) for s, r in measured]
        lines = [_lines(s.root, list(r)) for s, r in measured]
    common = sorted(set.intersection(*(set(scaled) for _, _, scaled in columns)))
    target = args.target or common[0]
    if target != "all" and target not in common:
        raise SystemExit(f"error: {target}: not a file of every column")
    cross = [r for r in columns[0][1].rules if r.cross]
    # The facts of every column stay alive throughout: out of the collector's sight, a full
    # collection over them does not land inside whichever rule happens to be timed.
    gc.collect()
    gc.freeze()
    table: dict[str, list[float]] = {r.code: [] for r in cross}
    sizes: dict[str, list[int]] = {r.code: [] for r in cross}
    for _, settings, scaled in columns:
        names = tuple(sorted(scaled))
        for rule in cross:
            best = float("inf")
            for _ in range(args.repeat):
                targets = frozenset(names if target == "all" else (target,))
                project = {"root": settings.root, "files": names,
                           "targets": targets, "shared": {}, "disk": Probes(),
                           "excludes": tuple(settings.excludes)}
                start = time.process_time()  # CPU: on a shared machine, wall time is others'
                finalize(rule, project, scaled, settings.options_for(rule))
                best = min(best, time.process_time() - start)
            table[rule.code].append(best)
            sizes[rule.code].append(_fact_bytes(scaled, rule.code))
    print(f"target: {target}")
    heads = " ".join(f"{f'{name} s':>9}" for name, _, _ in columns)
    print(f"{'lines':>22} {' '.join(f'{n / 1e6:8.2f}M' for n in lines)}  "
          f"{' '.join(f'{b / a:.2f}' for a, b in itertools.pairwise(lines))}")
    print(f"{'rule':>22} {heads}  ratio column to column | per ratio of its facts "
          f"(facts MB)")
    totals = [sum(row[i] for row in table.values()) for i in range(len(columns))]
    sizes["total"] = [sum(row[i] for row in sizes.values()) for i in range(len(columns))]
    for code, row in [*sorted(table.items(), key=lambda kv: -kv[1][-1]), ("total", totals)]:
        ratios = " ".join(f"{b / a if a else 0:.2f}" for a, b in itertools.pairwise(row))
        per = " ".join(f"{(b / a) / (d / c) if a and c and d else 0:.2f}" for (a, b), (c, d)
                       in zip(itertools.pairwise(row), itertools.pairwise(sizes[code]),
                                                   strict=True))
        megabytes = " ".join(f"{n / 1e6:.1f}" for n in sizes[code])
        print(f"{code:>22} {' '.join(f'{t:9.4f}' for t in row)}  {ratios} | {per} "
              f"({megabytes})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
