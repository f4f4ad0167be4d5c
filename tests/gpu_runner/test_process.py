"""Process handling: timeouts kill the whole tree (grandchildren too), missing commands."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psutil

from mlready.gpu_runner.process import Status, run_command

SPAWNER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
escaped = subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(300)"])
open(sys.argv[1], "w").write(f"{child.pid} {escaped.pid}")
print("spawned", flush=True)
time.sleep(300)
"""


def _dead(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_timeout_kills_grandchildren_even_outside_the_group(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    result = run_command([sys.executable, "-c", SPAWNER, str(pids)], cwd=tmp_path,
                         env=dict(os.environ), timeout=1.5, log_path=tmp_path / "log",
                         grace=0.5)
    assert result.status is Status.TIMEOUT
    assert "spawned" in result.tail
    deadline = time.monotonic() + 3
    children = [int(p) for p in pids.read_text().split()]
    while time.monotonic() < deadline and not all(_dead(p) for p in children):
        time.sleep(0.05)
    assert all(_dead(p) for p in children)
    assert result.wall_s < 5


def test_not_found_and_exit_codes(tmp_path: Path) -> None:
    missing = run_command(["definitely-not-a-command-xyz"], cwd=tmp_path, env=dict(os.environ),
                          timeout=5, log_path=tmp_path / "a.log")
    assert missing.status is Status.NOT_FOUND
    assert missing.message == "definitely-not-a-command-xyz: command not found"
    failed = run_command([sys.executable, "-c", "print('x'); raise SystemExit(3)"],
                         cwd=tmp_path, env=dict(os.environ), timeout=5,
                         log_path=tmp_path / "b.log")
    assert failed.status is Status.EXIT and failed.exit_code == 3 and failed.tail == "x"
    assert failed.memory.rss_bytes is None or failed.memory.rss_bytes > 0
