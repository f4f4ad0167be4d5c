"""ruff's CLI habits: colour on a terminal only (NO_COLOR, FORCE_COLOR), `full` with
context and the fix, --show-settings, --show-files, stdin for editors, -q and -qq."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.cli import main
from mlready.hooks.cli.printing import use_color
from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic, Edit, Fix
from mlready.hooks.output import concise, full

Make = Callable[[dict[str, str | bytes]], Path]
UNSAFE = "import torch\nx = torch.load('a')\n"  # MLR301 (no torch declared): an unsafe fix


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, **extra}


def mlready(root: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes = b"",
            ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "mlready", "check", "--no-cache", *args],
                          cwd=root, input=stdin, capture_output=True, env=env or clean_env(),
                          timeout=120, check=False)


def on_a_terminal(root: Path, *args: str, env: dict[str, str]) -> bytes:
    """The output of a run whose stdout and stderr are a real pseudo-terminal."""
    master, slave = os.openpty()
    process = subprocess.Popen([sys.executable, "-m", "mlready", "check", "--no-cache", *args],
                               cwd=root, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                               env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert process.wait(timeout=120) == 1
    return out


def test_colour_on_a_terminal_none_when_piped(project: Make) -> None:
    root = project({"a.py": UNSAFE})
    tty = on_a_terminal(root, "--select", "MLR301", "a.py", env=clean_env())
    assert b"\x1b[1ma.py\x1b[0m\x1b[36m:\x1b[0m2" in tty  # path bold, separator cyan
    assert b"\x1b[31m\x1b[1mMLR301\x1b[0m" in tty  # code red and bold
    assert b"\x1b[" not in on_a_terminal(root, "--select", "MLR301", "a.py",
                                         env=clean_env(NO_COLOR="1"))
    piped = mlready(root, "--select", "MLR301", "a.py")
    assert piped.returncode == 1 and b"\x1b[" not in piped.stdout
    assert piped.stdout.startswith(b"a.py:2:5: MLR301 ")
    forced = mlready(root, "--select", "MLR301", "a.py", env=clean_env(FORCE_COLOR="1"))
    assert b"\x1b[31m\x1b[1mMLR301\x1b[0m" in forced.stdout


def test_colour_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(True) and not use_color(False)
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set, as no-color.org says
    assert use_color(True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(True)
    monkeypatch.setenv("FORCE_COLOR", "1")  # FORCE_COLOR wins, as in ruff
    assert use_color(False)


def test_concise_colours_fix_mark_and_cell() -> None:
    fix = Fix("safe", (Edit(0, 1, ""),), "m")
    text = concise.line(Diagnostic("n.ipynb", 2, 3, "MLR990", "msg", cell=4, autofix=fix),
                        color=True)
    assert text == ("\x1b[1mn.ipynb\x1b[0m\x1b[36m:\x1b[0mcell 4\x1b[36m:\x1b[0m2\x1b[36m:"
                    "\x1b[0m3\x1b[36m:\x1b[0m \x1b[31m\x1b[1mMLR990\x1b[0m \x1b[36m[*]\x1b[0m msg")
    plain = Diagnostic("n.ipynb", 2, 3, "MLR990", "msg", cell=4, autofix=fix)
    assert concise.line(plain) == "n.ipynb:cell 4:2:3: MLR990 [*] msg"


SOURCE = ["import torch\n", "\n", "net = build()\n", "x = torch.load(\n", "    'a')\n",
          "print(x)\n", "y = 1\n", "z = 2\n"]


def test_full_shows_context_the_span_and_the_fix() -> None:
    text = "".join(SOURCE)
    at = text.index("    'a')") + len("    'a'")
    fix = Fix("unsafe", (Edit(at, at, ", weights_only=True"),), "add weights_only=True")
    found = Diagnostic("t.py", 4, 5, "MLR301", "unsafe load", 5, 9, fix="pass weights_only",
                       autofix=fix)
    report = Report(Path("/p"), 1, (found,), ())
    assert full.render(report, {("t.py", None): SOURCE}, quiet=True) == "\n".join([
        "t.py:4:5: MLR301 unsafe load",
        "  |",
        "2 |",
        "3 | net = build()",
        "4 | x = torch.load(",
        "  |     ^^^^^^^^^^^",
        "5 |     'a')",
        "  |     ^^^^ MLR301",
        "6 | print(x)",
        "7 | y = 1",
        "  |",
        "  = help: pass weights_only",
        "",
        "\N{INFORMATION SOURCE} Unsafe fix: add weights_only=True (needs --unsafe-fixes)",
        "3 3 | net = build()",
        "4 4 | x = torch.load(",
        "5   |-    'a')",
        "  5 |+    'a', weights_only=True)",
        "6 6 | print(x)",
        "7 7 | y = 1",
    ]) + "\n"


def test_full_without_the_source_shows_the_fix_message() -> None:
    fix = Fix("safe", (Edit(0, 1, ""),), "drop it")
    report = Report(Path("/p"), 1, (Diagnostic("t.py", 1, 1, "MLR900", "m", autofix=fix),), ())
    assert full.render(report, {}).startswith(
        "t.py:1:1: MLR900 [*] m\n\n\N{INFORMATION SOURCE} Safe fix: drop it\n\nFound 1")


def test_quiet_prints_findings_only_and_silent_nothing(
        project: Make, capsys: pytest.CaptureFixture[str], fake_rules: object) -> None:
    root = project({"a.py": "print(1)\n"})
    assert main(["check", "--no-cache", "-q", "--select", "MLR990", str(root)]) == 1
    out = capsys.readouterr().out
    assert out.endswith("`print(...)`: use logging\n") and "Found" not in out
    for flag in ("-qq", "--silent"):
        assert main(["check", "--no-cache", flag, "--select", "MLR990", str(root)]) == 1
        assert capsys.readouterr().out == ""
    assert main(["check", "--no-cache", "-q", "--exit-zero", "--select", "MLR990",
                 str(root)]) == 0


def test_show_files_sorted_one_per_line(project: Make, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"b.py": "", "a/z.py": "", "a/c.txt": "", "requirements.txt": "",
                    "README.md": "# r\n"})
    monkeypatch.chdir(root)
    assert main(["check", "--show-files"]) == 0
    assert capsys.readouterr().out == "a/z.py\nb.py\npyproject.toml\nrequirements.txt\n"
    monkeypatch.chdir(root / "a")
    assert main(["check", "--show-files", "."]) == 0
    assert capsys.readouterr().out == "z.py\n"


def test_show_settings_says_where_each_value_came_from(
        project: Make, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    root = project({"pyproject.toml": "[tool.mlready]\nignore = ['MLR2']\nfail-on = 'error'\n"
                                      "[tool.mlready.hparams]\n"})
    monkeypatch.setenv("MLREADY_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["check", "--show-settings", "--ignore", "MLR301", "--output-format", "json",
                 str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    config = f"{root / 'pyproject.toml'} [tool.mlready]"
    assert f'root = "{root}"  # nearest folder with a pyproject.toml or .git' in lines
    assert f'ignore = ["MLR2", "MLR301"]  # {config} and --ignore' in lines
    assert f'fail-on = "error"  # {config}' in lines
    assert 'output-format = "json"  # command line --output-format' in lines
    assert 'select = "the default selection"  # default' in lines
    assert f'cache-dir = "{tmp_path / "cache"}"  # environment $MLREADY_CACHE_DIR' in lines
    rules = next(line for line in lines if line.startswith("rules = "))
    assert "MLR000" in rules and "MLR301" not in rules and "MLR201" not in rules


def test_stdin_is_checked_under_its_name_with_that_folders_config(project: Make) -> None:
    root = project({"pyproject.toml": "[project]\nname = 'p'\n",
                    "sub/pyproject.toml": "[tool.mlready]\nselect = ['MLR301']\n",
                    "sub/x.py": "print('on disk, not read')\n"})
    done = mlready(root, "--stdin-filename", "sub/x.py", stdin=UNSAFE.encode())
    assert done.returncode == 1
    assert done.stdout.decode().splitlines()[0].startswith("sub/x.py:2:5: MLR301 ")
    dash = mlready(root / "sub", "-", "--select", "MLR301", stdin=UNSAFE.encode())
    assert dash.returncode == 1 and dash.stdout.startswith(b"-:2:5: MLR301 ")


def test_fix_with_stdin_writes_the_fixed_source_to_stdout(project: Make) -> None:
    root = project({})
    done = mlready(root, "--stdin-filename", "t.py", "--select", "MLR301", "--fix",
                   "--unsafe-fixes", stdin=UNSAFE.encode())
    assert done.stdout == b"import torch\nx = torch.load('a', weights_only=True)\n"
    assert done.returncode == 0 and done.stderr == b""
    kept = mlready(root, "-", "--select", "MLR301", "--fix", stdin=UNSAFE.encode())
    assert kept.stdout == UNSAFE.encode()  # the fix is unsafe: the source as it came
    assert kept.returncode == 1 and b"-:2:5: MLR301" in kept.stderr
    assert not (root / "t.py").exists()


def test_diff_and_add_noqa_with_stdin_are_usage_errors(
        project: Make, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    monkeypatch.chdir(project({}))
    for flag in ("--diff", "--add-noqa"):
        assert main(["check", "--no-cache", flag, "-"]) == 2
        assert capsys.readouterr().err.startswith("error: --diff and --add-noqa edit files")
    assert main(["check", "--no-cache", "-", "a.py"]) == 2
    assert "`-` (read stdin) cannot be given with other paths" in capsys.readouterr().err
