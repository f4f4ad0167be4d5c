"""`mlready init` runs a script's ``--help`` only with an explicit yes.

A script whose options are not in its source (it reads ``sys.argv`` by hand) can only be
read by running it with ``--help``: that is the user's code, so plain ``mlready init``
asks on a terminal (default no), does not run it without one (one line says so), and
``--yes`` or ``--probe`` say yes. The script leaves a marker file when it runs, so each
test sees whether it really ran: real subprocesses, a real pseudo-terminal.
"""

from __future__ import annotations

import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mlready.cli import main

MARKER = "help-was-run"
HAND_PARSED = f'''"""Options parsed by hand: nothing a static reader can see."""
import pathlib
import sys


def main() -> None:
    if "--help" in sys.argv:
        pathlib.Path({MARKER!r}).write_text("ran")
        print("usage: train.py [--max-steps N] [--seed SEED] [--out-dir DIR]")
        return
    print("step 1 loss 1.0")


if __name__ == "__main__":
    main()
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "train.py").write_text(HAND_PARSED, encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    return root


def test_without_a_terminal_it_is_not_run_and_one_line_says_so(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(project)]) == 0
    out = capsys.readouterr().out
    assert not (project / MARKER).exists()
    (line,) = [x for x in out.splitlines() if x.startswith("  not run ")]
    assert line == (f"  not run    {sys.executable} train.py --help (no terminal to ask): "
                    "options not read; rerun with --yes or --probe to allow it")
    assert '    train = "{python} train.py"' in out  # no flags: none were read


@pytest.mark.parametrize("flag", ["--yes", "--probe"])
def test_yes_and_probe_allow_it(project: Path, flag: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(project), flag, "--probe-timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert (project / MARKER).read_text() == "ran"
    assert f"  running    {sys.executable} train.py --help (to read its options)" in out
    assert ('train = "{python} train.py --max-steps {steps} --seed {seed} --out-dir '
            '{run_dir}"') in out


def _read_until(leader: int, wanted: bytes, seen: bytes, proc: subprocess.Popen[bytes]
                ) -> bytes:
    """Read the terminal until ``wanted`` shows, failing (not hanging) after 60 s."""
    import select
    import time

    deadline = time.monotonic() + 60
    while wanted not in seen:
        ready, _, _ = select.select([leader], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            proc.kill()
            pytest.fail(f"never asked {wanted!r}; the terminal showed: {seen[-2000:]!r}")
        chunk = os.read(leader, 4096)
        assert chunk, seen
        seen += chunk
    return seen


@pytest.mark.parametrize(("answer", "ran"), [("y", True), ("n", False), ("", False)])
def test_on_a_terminal_it_asks_and_no_is_the_default(project: Path, answer: str,
                                                     ran: bool) -> None:
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "mlready", "init", str(project)],
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    seen = _read_until(leader, b"to read them? (it runs your code) [y/N]", b"", proc)
    assert not (project / MARKER).exists()  # nothing ran before the answer
    os.write(leader, answer.encode() + b"\n")
    _read_until(leader, b"Write it to pyproject.toml?", seen, proc)
    os.write(leader, b"n\n")
    try:
        while os.read(leader, 4096):
            pass
    except OSError:  # the terminal closed with the process
        pass
    assert proc.wait(timeout=60) == 0
    assert (project / MARKER).exists() is ran


def test_a_project_script_on_path_is_not_run_without_a_yes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A ``[project.scripts]`` name runs whatever PATH finds: the line names that file."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n[project.scripts]\ndemo-train = "demo.cli:main"\n',
        encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "demo-train"
    tool.write_text(f"#!/bin/sh\ntouch {tmp_path / MARKER}\necho 'usage: x [--steps N]'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert main(["init", str(root)]) == 0
    out = capsys.readouterr().out
    assert not (tmp_path / MARKER).exists()
    assert f"  not run    {tool} --help (no terminal to ask)" in out
    capsys.readouterr()
    assert main(["init", str(root), "--yes"]) == 0
    assert (tmp_path / MARKER).exists()
    assert 'train = "demo-train --steps {steps}' in capsys.readouterr().out
