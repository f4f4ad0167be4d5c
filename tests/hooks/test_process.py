"""Process-level behaviour: start-up imports, the console script, the process pool."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.hooks import engine
from mlready.hooks.rules import Rule

Make = Callable[[dict[str, str | bytes]], Path]
BIN = Path(sys.executable).parent


def test_a_hook_run_never_imports_heavy_modules(project: Make) -> None:
    """The commit-time path stays cheap: no torch, numpy or gitpython, ever."""
    root = project({"train.py": "import torch\nimport numpy as np\nimport git\n",
                    "conf.yaml": "a: 1\n", "requirements.txt": "torch==2.1\n",
                    "bad.py": "def f(:\n"})
    code = (
        "import sys\n"
        "from mlready.cli import main\n"
        f"rc = main(['check', '--no-cache', '--output-format', 'json', {str(root)!r}])\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in ('torch', 'numpy', 'git', 'gitdb', 'pandas'))\n"
        "print('HEAVY', heavy, rc, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120)
    assert "HEAVY [] 1" in done.stderr, done.stderr
    assert json.loads(done.stdout)["files_checked"] == 5


@pytest.mark.parametrize("command", [[str(BIN / "mlready")], [sys.executable, "-m", "mlready"]])
def test_console_script_and_module(project: Make, command: list[str]) -> None:
    root = project({"bad.py": "def f(:\n"})
    done = subprocess.run([*command, "check", "--no-cache", "--select", "MLR000", "bad.py"],
                          cwd=root, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 1
    assert done.stdout.startswith("bad.py:1:1: MLR000 SyntaxError: invalid syntax")
    assert done.stdout.endswith("\nFound 1 finding: 1 error.\n")
    assert done.stderr == ""


def test_process_pool_gives_the_same_report(project: Make,
                                            fake_rules: tuple[Rule, ...]) -> None:
    files: dict[str, str | bytes] = {f"pkg/m{i}.py": f"def f{i % 7}():\n    print({i})\n"
                                     for i in range(30)}
    files["pkg/boom.py"] = "x = 1\n"
    files["bad.py"] = "def f(:\n"
    root = project(files)
    overrides = engine.Overrides(select=["ALL"], no_cache=True)
    serial = engine.check([root], overrides, jobs=1)
    parallel = engine.check([root], overrides, jobs=2, min_parallel_bytes=0)
    assert parallel == serial
    assert len(serial.diagnostics) == 30 + 30 + 30 + 1  # print x2 rules, duplicates, syntax
    assert serial.errors == ("pkg/boom.py: internal error in rule MLR995 (explode): "
                             "RuntimeError: kaboom",)


def test_an_engine_failure_in_a_worker_is_the_files_own_error_line(
        project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    """A result crosses back from a worker by pickle; the result of an engine failure on
    one file must too, so the line names that file rather than "worker process failed"."""
    from mlready.hooks import analysis

    real = analysis.parse

    def failing(path: str, *args: object) -> object:
        if path == "pkg/m3.py":
            raise RuntimeError("parser exploded")
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "parse", failing)  # the forked workers inherit it
    root = project({f"pkg/m{i}.py": f"x = {i}\n" for i in range(12)})
    report = engine.check([root], engine.Overrides(no_cache=True), jobs=2, min_parallel_bytes=0)
    assert report.errors == ("pkg/m3.py: internal error while reading: RuntimeError: "
                             "parser exploded",)
