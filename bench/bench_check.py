"""Benchmark `mlready check` against baselines measured in the same run; prints ratios.

    python bench/bench_check.py [--tree PATH] [--repeat N]

By default the tree is the installed torch package's Python sources (~2,300 files,
~1.2M lines), the largest realistic Python tree at hand. Four numbers, each against
a baseline measured here and now, so that machine speed and load cancel out:

(a) cold: ``mlready check`` (every default rule, empty cache) vs a bare single-process
    ``ast.parse`` of the same files: target <= 1.0x (two cores, one parse per file).
(b) warm: the same check again over the unchanged tree vs (a): target <= 0.2x.
(c) hook: a one-file check in a small project, as pre-commit runs it (the ``mlready``
    console script, as pip writes it; warm cache), vs ``python -c "import click"`` in the
    same environment: target <= 1.5x (start-up imports stay minimal). Every command
    runs in a venv without an editable install's import hook (`interpreter`).
(d) peak RSS of the cold run, the process and its workers together: target <= 300 MB.

This is a script, not a test: timings belong on a quiet machine, not in CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

PYTHON = sys.executable
DEFAULT_TREE = Path(__file__).resolve().parents[1] / ".venv/lib/python3.11/site-packages/torch"
# What pip writes for the ``mlready`` console script (the entry pre-commit runs).
CONSOLE_SCRIPT = """import re
import sys
from mlready.console import entrypoint
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(entrypoint())
"""
PARSE_ALL = """
import ast, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
for path in sorted(Path(sys.argv[1]).rglob("*.py")):
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        pass
"""


def _tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants (Linux /proc, no psutil needed)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                pending.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(command: Sequence[str], cwd: Path | None = None,
          env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS of the process tree in bytes, exit code)."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    return elapsed, peak, code


def _linked_copy(tree: Path, into: Path) -> None:
    """``tree`` copied as hard links (instant, no disk), or copied where it lies on
    another file system."""
    try:
        shutil.copytree(tree, into, copy_function=os.link)
    except shutil.Error:
        shutil.rmtree(into, ignore_errors=True)
        shutil.copytree(tree, into)


def _files_read(check: Sequence[str], cwd: Path, env: dict[str, str]) -> int:
    """How many Python files a JSON ``check`` read: those it checked, less those it
    reported as unreadable (MLR000 'cannot read file'), so that a bench over files
    mlready refuses fails instead of timing nothing."""
    import json

    done = subprocess.run(check, cwd=cwd, env=env, capture_output=True, check=False)
    report = json.loads(done.stdout)
    unread = {d["path"] for d in report["diagnostics"]
              if d["code"] == "MLR000" and "cannot read" in d["message"]}
    kinds = report["file_kinds"]
    return int(kinds.get("python", 0)) - len(unread)


def best(command: Sequence[str], repeat: int, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> float:
    return min(timed(command, cwd, env)[0] for _ in range(repeat))


def snapshot(into: Path) -> dict[str, str]:
    """Copy the mlready package and return an environment that imports the copy.

    The cache key includes the stat of the rule sources (editing a rule invalidates
    it), so a tree being edited while the benchmark runs would make every "warm" run
    cold; the copy keeps the code fixed for the length of the benchmark.
    """
    import mlready

    package = Path(mlready.__file__).parent
    shutil.copytree(package, into / "mlready",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # An installed package has bytecode (pip compiles it; pre-commit installs with pip),
    # and so has the click baseline: compile the copy, and let nothing turn bytecode off.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(into / "mlready")], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(into)}


def interpreter(into: Path) -> str:
    """A Python that imports what this one does, minus an editable install's finder.

    ``pip install -e .`` puts a ``.pth`` file in site-packages whose import hook every
    interpreter start runs (about 15 ms of a 70 ms ``import click``): it inflates the
    baseline, and no user's hook environment has it (pre-commit installs the package,
    not a link to a checkout). So a bare venv (no pip) at ``into`` reads this one's
    site-packages through a ``.pth`` that names them: a path line in a ``.pth`` file
    adds the folder without running the ``.pth`` files inside it.
    """
    import site
    import venv

    venv.EnvBuilder(with_pip=False, symlinks=True).create(into)
    python = into / "bin" / "python"
    found = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                           check=True, capture_output=True, text=True).stdout.strip()
    (Path(found) / "bench-deps.pth").write_text(
        "".join(f"{folder}\n" for folder in site.getsitepackages()), encoding="utf-8")
    return str(python)


def small_project(folder: Path) -> Path:
    """A typical research repository: a package, scripts, configs and requirements."""
    (folder / "src" / "proj").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "proj"\ndependencies = ["torch==2.3.1"]\n', encoding="utf-8")
    (folder / "requirements.txt").write_text("torch==2.3.1\nnumpy==1.26.4\n", encoding="utf-8")
    (folder / "configs").mkdir()
    (folder / "configs" / "train.yaml").write_text("lr: 0.001\nbatch_size: 32\n",
                                                   encoding="utf-8")
    for i in range(30):
        (folder / "src" / "proj" / f"module_{i}.py").write_text(
            "import torch\n\n\n"
            f"def block_{i}(x: torch.Tensor) -> torch.Tensor:\n"
            "    return torch.relu(x) * 2\n" * 5, encoding="utf-8")
    (folder / "train.py").write_text(
        "import torch\n\nfrom proj.module_0 import block_0\n\n\n"
        "def main(lr: float) -> None:\n"
        "    torch.manual_seed(0)\n"
        "    model = torch.nn.Linear(4, 4)\n"
        "    opt = torch.optim.SGD(model.parameters(), lr=lr)\n"
        "    opt.step()\n", encoding="utf-8")
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    parser.add_argument("--repeat", type=int, default=20, help="runs of the start-up timings")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating rounds of (a) and (b); the best of each is kept, "
                             "so that a load spike on a shared machine does not decide")
    args = parser.parse_args(argv)
    tree: Path = args.tree.resolve()
    if not tree.is_dir():
        print(f"error: {tree}: not a folder (install torch, or pass --tree)", file=sys.stderr)
        return 2
    from mlready.hooks.rules import all_rules

    rules = [r.code for r in all_rules() if r.default]
    files = sum(1 for _ in tree.rglob("*.py"))
    print(f"tree: {tree} ({files} .py files)")
    print(f"rules: {len(rules)} default rules: {' '.join(rules)}")
    print(f"cpus: {len(os.sched_getaffinity(0))}, python {sys.version.split()[0]}\n")

    with tempfile.TemporaryDirectory(prefix="mlready-bench-") as temp:
        work = Path(temp)
        python = interpreter(work / "venv")  # ours and each baseline run in it
        project = work / "tree"
        project.mkdir()
        # The tree becomes the whole project; no excludes, so mlready reads exactly the
        # files the baseline parses. Hard links, not a symlink to the tree: mlready never
        # reads through a link that leaves the project, so a symlinked tree was checked
        # as ~2,300 unreadable files and the figures timed nothing (found 2026-12-03).
        (project / "pyproject.toml").write_text(
            f'[tool.mlready]\nexclude = []\ncache-dir = "{work / "cache"}"\n', encoding="utf-8")
        _linked_copy(tree, project / "src")
        check = [python, "-m", "mlready", "check", "--exit-zero", "--output-format", "json",
                 "src"]
        env = snapshot(work / "code")
        read = _files_read(check, project, env)  # also compiles the copy
        if read != files:
            print(f"error: mlready read {read} of the tree's {files} .py files",
                  file=sys.stderr)
            return 2
        shutil.rmtree(work / "cache", ignore_errors=True)

        parse_times, colds, warms, cold_rss, parse_rss = [], [], [], 0, 0
        for _ in range(args.rounds):
            shutil.rmtree(work / "cache", ignore_errors=True)
            elapsed, rss, _ = timed([python, "-c", PARSE_ALL, str(tree)])
            parse_times.append(elapsed)
            parse_rss = max(parse_rss, rss)
            elapsed, rss, cold_code = timed(check, cwd=project, env=env)
            colds.append(elapsed)
            cold_rss = max(cold_rss, rss)
            elapsed, _, warm_code = timed(check, cwd=project, env=env)
            warms.append(elapsed)
            if cold_code or warm_code:
                print(f"error: mlready check exited {cold_code}/{warm_code}", file=sys.stderr)
                return 2
        parse_time, cold, warm = min(parse_times), min(colds), min(warms)

        small = small_project(work / "small")
        script = work / "mlready"
        script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
        hook = [python, str(script), "check", "--force-exclude", "train.py"]
        timed(hook, cwd=small, env=env)  # prime the cache, as any earlier commit would have
        hook_times, click_times = [], []
        for _ in range(args.repeat):  # interleaved, so that a load spike hits both
            hook_times.append(timed(hook, cwd=small, env=env)[0])
            click_times.append(timed([python, "-c", "import click"], cwd=small, env=env)[0])
        hook_time, click_time = min(hook_times), min(click_times)

    mib = 1024 * 1024
    rows = [
        ("(a) cold check vs ast.parse", f"{cold:.2f} s", f"{parse_time:.2f} s",
         cold / parse_time, 1.0),
        ("(b) warm check vs cold check", f"{warm:.2f} s", f"{cold:.2f} s", warm / cold, 0.2),
        ("(c) one-file hook vs import click", f"{hook_time * 1000:.0f} ms",
         f"{click_time * 1000:.0f} ms", hook_time / click_time, 1.5),
        ("(d) peak RSS (with workers), MB", f"{cold_rss / mib:.0f}", "300",
         cold_rss / mib / 300, 1.0),
    ]
    print(f"{'measure':36} {'mlready':>10} {'baseline':>10} {'ratio':>7} {'target':>7}  ok")
    for name, ours, base, ratio, target in rows:
        print(f"{name:36} {ours:>10} {base:>10} {ratio:>6.2f}x {target:>6.2f}x  "
              f"{'yes' if ratio <= target else 'NO'}")
    print(f"\n(baseline parse RSS: {parse_rss / mib:.0f} MB; rounds: parse "
          f"{' '.join(f'{t:.1f}' for t in parse_times)} s, cold "
          f"{' '.join(f'{t:.1f}' for t in colds)} s, warm {' '.join(f'{t:.2f}' for t in warms)} s;"
          f" load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
