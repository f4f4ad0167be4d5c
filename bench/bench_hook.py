"""Benchmark the one-file pre-commit hook where users feel it: in a large real project.

    python bench/bench_hook.py [PROJECT FILE] [--repeat N] [--cold N]

PROJECT is a git repository to check (a copy: FILE is edited and put back), for example
one made by ``shared/corpus/make-project.sh NAME`` or torch's sources copied into a new
repository; FILE is one of its Python files, as pre-commit would name it. Without them,
only the three-file case runs. Each figure is paired with its baseline, run by run in
the same loop, so that machine load cancels out; the table gives the ratio's minimum
and median over the pairs, of CPU time (user + system, the process and the workers it
waited for: what the machine spends) and of wall time (what the user waits):

- cold check of the project (empty cache) vs a bare single-process ``ast.parse`` of its
  Python files (issue target: <= 1.0x);
- warm check of the unchanged project vs the cold one;
- the hook on FILE unchanged, and on FILE just edited (a comment appended before each
  run, as a commit changes the file), vs ``python -c "import click"`` (target <= 1.5x);
- the hook on the one edited file of a three-file project vs the same baseline, for a
  comment-only edit and for one that adds or removes its seeding call (a cross-file fact);
- the floor under the edited-file figure, vs the same baseline: ``import click`` plus one
  ``ast.parse`` of FILE, and mlready's CLI import plus that parse plus the node index
  every rule shares (`mlready.hooks.context.index_nodes`), before any rule runs. An
  edited file is parsed once whatever the cache holds, so no hook can go below it.

A script, not a test: timings belong on a quiet machine, never in an assertion.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import CONSOLE_SCRIPT, PARSE_ALL, interpreter, snapshot

Times = tuple[float, float]  # (cpu seconds, wall seconds) of one whole process
Run = Callable[[], Times]
Row = tuple[str, Times, Times, Times, str]  # name, ours (median), min ratio, median ratio


def measured(command: Sequence[str], cwd: Path | None = None,
             env: dict[str, str] | None = None) -> Times:
    """(cpu, wall) seconds of one run: user + system time of the process and of every
    child it waited for (the worker pool), as the kernel accounts them (`os.wait4`)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"error: {' '.join(command)} exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def paired(ours: Run, baseline: Run, repeat: int) -> tuple[Times, Times, Times]:
    """Ours (median cpu, median wall), and the ratio's (min, median) for cpu and for wall,
    run by run alternately, so that a load spike hits both sides of a pair."""
    mine: list[Times] = []
    ratios: list[Times] = []
    for _ in range(repeat):
        one, base = ours(), baseline()
        mine.append(one)
        ratios.append((one[0] / base[0], one[1] / base[1]))
    cpu, wall = [r[0] for r in ratios], [r[1] for r in ratios]
    return ((statistics.median(t[0] for t in mine), statistics.median(t[1] for t in mine)),
            (min(cpu), min(wall)), (statistics.median(cpu), statistics.median(wall)))


# The floors of the edited-file hook (module docstring): what any run on a just-edited
# FILE pays before a rule runs. argv[1] is the file.
CLICK_PARSE = "import ast, sys, click; ast.parse(open(sys.argv[1], 'rb').read())"
CLI_PARSE_INDEX = ("import ast, sys, mlready.cli, mlready.hooks.engine; "
                   "from mlready.hooks.context import index_nodes; "
                   "index_nodes(ast.parse(open(sys.argv[1], 'rb').read()))")


def small_project(folder: Path) -> Path:
    """The three-file project of issue 14: a pyproject, a requirements file, a script."""
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "s"\n', encoding="utf-8")
    (folder / "requirements.txt").write_text("torch==2.3.1\n", encoding="utf-8")
    (folder / "train.py").write_text("import torch\n\ntorch.manual_seed(0)\n",
                                     encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("file", nargs="?", help="a Python file of the project, relative to it")
    parser.add_argument("--repeat", type=int, default=10, help="pairs per hook figure")
    parser.add_argument("--cold", type=int, default=1, help="pairs for the cold figure")
    args = parser.parse_args(argv)
    project: Path | None = args.project.resolve() if args.project else None
    if project is not None and (args.file is None or not (project / args.file).is_file()):
        print(f"error: {project / (args.file or '')}: not a file of the project",
              file=sys.stderr)
        return 2
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="mlready-bench-hook-") as temp:
        work = Path(temp)
        env = {**snapshot(work / "code"), "MLREADY_CACHE_DIR": str(work / "cache")}
        script = work / "mlready"
        script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
        python = interpreter(work / "venv")  # no editable finder: ours and the baselines
        check = [python, str(script), "check", "--exit-zero"]
        edits = iter(range(1_000_000))

        def run(*extra: str, cwd: Path) -> Times:
            return measured([*check, *extra], cwd=cwd, env=env)

        def click() -> Times:
            return measured([python, "-c", "import click"], env=env)

        def edited(target: Path, cwd: Path) -> Run:
            """The hook on ``target`` just after a commit-like edit (a comment appended)."""
            name = target.relative_to(cwd).as_posix()

            def once() -> Times:
                with target.open("ab") as handle:
                    handle.write(f"# edit {next(edits)}\n".encode())
                return run("--force-exclude", name, cwd=cwd)
            return once

        def seeding_toggled(target: Path, cwd: Path) -> Run:
            """The hook on ``target`` just after an edit that adds or removes its seeding
            call: a fact other files' rules read, so the cross-file steps see a change
            (the comment-only edit above changes no fact)."""
            name = target.relative_to(cwd).as_posix()
            seeded = target.read_text(encoding="utf-8")
            plain = seeded.replace("torch.manual_seed(0)", "pass")  # still parses

            def once() -> Times:
                number = next(edits)
                body = plain if number % 2 else seeded
                target.write_text(f"{body}# edit {number}\n", encoding="utf-8")
                return run("--force-exclude", name, cwd=cwd)
            return once

        if project is not None:
            rows += _large(project, args, work, python, run, click, edited, env)
        small = small_project(work / "small")
        run("--force-exclude", "train.py", cwd=small)  # the cache of the earlier commit
        seconds, low, mid = paired(edited(small / "train.py", small), click, args.repeat)
        rows.append(("3-file hook, file edited vs click", seconds, low, mid, "1.5"))
        seconds, low, mid = paired(seeding_toggled(small / "train.py", small), click,
                                   args.repeat)
        rows.append(("3-file hook, seeding edit vs click", seconds, low, mid, "1.5"))
    if project is not None:
        print(f"project: {project} ({sum(1 for _ in project.rglob('*.py'))} .py files)")
    print(f"{'measure':36} {'cpu s':>7} {'wall s':>7} {'cpu min':>8} {'median':>7} "
          f"{'wall min':>8} {'median':>7} {'target':>7}")
    for name, (cpu, wall), low, mid, goal in rows:
        print(f"{name:36} {cpu:7.3f} {wall:7.3f} {low[0]:7.2f}x {mid[0]:6.2f}x "
              f"{low[1]:7.2f}x {mid[1]:6.2f}x {goal:>6}x")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def _large(project: Path, args: argparse.Namespace, work: Path, python: str,
           run: Callable[..., Times], click: Run, edited: Callable[[Path, Path], Run],
           env: dict[str, str]) -> list[Row]:
    """The figures of the large project: cold, warm, the hook unchanged and edited, and
    the floor under the edited figure."""
    target = project / args.file
    original = target.read_bytes()
    rows: list[Row] = []

    def cold() -> Times:
        subprocess.run(["rm", "-rf", str(work / "cache")], check=True)
        return run(".", cwd=project)

    def parse_all() -> Times:
        return measured([python, "-c", PARSE_ALL, str(project)])

    try:
        seconds, low, mid = paired(cold, parse_all, args.cold)
        rows.append(("cold check vs ast.parse", seconds, low, mid, "1.0"))
        cold_times = seconds
        run(".", cwd=project)
        seconds, low, mid = paired(lambda: run(".", cwd=project), lambda: cold_times,
                                   args.repeat)
        rows.append(("warm check vs cold", seconds, low, mid, "0.2"))
        run("--force-exclude", args.file, cwd=project)
        seconds, low, mid = paired(lambda: run("--force-exclude", args.file, cwd=project),
                                   click, args.repeat)
        rows.append(("hook, file unchanged vs click", seconds, low, mid, "1.5"))
        seconds, low, mid = paired(edited(target, project), click, args.repeat)
        rows.append(("hook, file edited vs click", seconds, low, mid, "1.5"))
        for name, code in (("floor: click + parse vs click", CLICK_PARSE),
                           ("floor: CLI + parse + index vs click", CLI_PARSE_INDEX)):
            def floor(code: str = code) -> Times:
                return measured([python, "-c", code, str(target)], env=env)
            seconds, low, mid = paired(floor, click, args.repeat)
            rows.append((name, seconds, low, mid, "-"))
    finally:
        target.write_bytes(original)
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
