"""Benchmark the one-file pre-commit hook where users feel it: in a large real project.

    python bench/bench_hook.py PROJECT FILE [--repeat N]

PROJECT is a git repository to check (a copy: FILE is edited and put back), for example
one made by ``shared/corpus/make-project.sh NAME`` or torch's sources copied into a new
repository; FILE is one of its Python files, as pre-commit would name it. Each figure is
paired with its baseline, run by run in the same loop, so that machine load cancels out;
the table gives the ratio's minimum and median over the pairs:

- cold check of the project (empty cache) vs a bare single-process ``ast.parse`` of its
  Python files (issue target: <= 1.0x);
- warm check of the unchanged project vs the cold one;
- the hook on FILE unchanged, and on FILE just edited (a comment appended before each
  run, as a commit changes the file), vs ``python -c "import click"`` (target <= 1.5x);
- the hook on the one edited file of a three-file project vs the same baseline.

A script, not a test: timings belong on a quiet machine, never in an assertion.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import CONSOLE_SCRIPT, PARSE_ALL, PYTHON, snapshot, timed

Run = Callable[[], float]


def paired(ours: Run, baseline: Run, repeat: int) -> tuple[float, float, float]:
    """(median seconds of ours, min ratio, median ratio), run by run alternately."""
    times, ratios = [], []
    for _ in range(repeat):
        mine, base = ours(), baseline()
        times.append(mine)
        ratios.append(mine / base)
    return statistics.median(times), min(ratios), statistics.median(ratios)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("file", help="a Python file of the project, relative to it")
    parser.add_argument("--repeat", type=int, default=10, help="pairs per hook figure")
    parser.add_argument("--cold", type=int, default=1, help="pairs for the cold figure")
    args = parser.parse_args(argv)
    project: Path = args.project.resolve()
    target = project / args.file
    if not target.is_file():
        print(f"error: {target}: not a file of the project", file=sys.stderr)
        return 2
    original = target.read_bytes()
    rows: list[tuple[str, float, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="mlready-bench-hook-") as temp:
        work = Path(temp)
        env = {**snapshot(work / "code"), "MLREADY_CACHE_DIR": str(work / "cache")}
        script = work / "mlready"
        script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
        check = [PYTHON, str(script), "check", "--exit-zero"]

        def run(*extra: str, cwd: Path = project) -> float:
            return timed([*check, *extra], cwd=cwd, env=env)[0]

        def cold() -> float:
            subprocess.run(["rm", "-rf", str(work / "cache")], check=True)
            return run(".")

        def parse_all() -> float:
            return timed([PYTHON, "-c", PARSE_ALL, str(project)])[0]

        def click() -> float:
            return timed([PYTHON, "-c", "import click"], env=env)[0]

        edits = iter(range(1_000_000))

        def edited() -> float:
            with target.open("ab") as handle:
                handle.write(f"# edit {next(edits)}\n".encode())
            return run("--force-exclude", args.file)

        try:
            seconds, low, mid = paired(cold, parse_all, args.cold)
            rows.append(("cold check vs ast.parse", seconds, low, mid, "1.0"))
            cold_s = seconds
            run(".")
            seconds, low, mid = paired(lambda: run("."), lambda: cold_s, args.repeat)
            rows.append(("warm check vs cold", seconds, low, mid, "0.2"))
            run("--force-exclude", args.file)
            seconds, low, mid = paired(lambda: run("--force-exclude", args.file), click,
                                       args.repeat)
            rows.append(("hook, file unchanged vs click", seconds, low, mid, "1.5"))
            seconds, low, mid = paired(edited, click, args.repeat)
            rows.append(("hook, file edited vs click", seconds, low, mid, "1.5"))
        finally:
            target.write_bytes(original)
        small = work / "small"
        small.mkdir()
        (small / "pyproject.toml").write_text('[project]\nname = "s"\n', encoding="utf-8")
        (small / "requirements.txt").write_text("torch==2.3.1\n", encoding="utf-8")
        train = small / "train.py"
        train.write_text("import torch\n\ntorch.manual_seed(0)\n", encoding="utf-8")
        subprocess.run(["git", "init", "-q"], cwd=small, check=True)
        run("--force-exclude", "train.py", cwd=small)

        def small_edited() -> float:
            with train.open("a", encoding="utf-8") as handle:
                handle.write(f"# edit {next(edits)}\n")
            return run("--force-exclude", "train.py", cwd=small)

        seconds, low, mid = paired(small_edited, click, args.repeat)
        rows.append(("3-file hook, file edited vs click", seconds, low, mid, "1.5"))
    print(f"project: {project} ({sum(1 for _ in project.rglob('*.py'))} .py files)")
    print(f"{'measure':36} {'median s':>9} {'min':>7} {'median':>7} {'target':>7}")
    for name, seconds, low, mid, goal in rows:
        print(f"{name:36} {seconds:9.3f} {low:6.2f}x {mid:6.2f}x {goal:>6}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
