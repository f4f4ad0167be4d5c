"""Process handling: timeouts kill the whole tree (grandchildren and double-forked daemons
too), missing commands, log tails."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from mlready.gpu_runner.process import Status, _exited, _reap, read_tail, run_command

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
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
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


DAEMON = """
import os, sys, time
pid_file, then = sys.argv[1], sys.argv[2]
if os.fork() == 0:  # fork, setsid, fork again, intermediate exits: out of our tree
    os.setsid()
    if os.fork() == 0:
        open(pid_file + ".tmp", "w").write(str(os.getpid()))
        os.rename(pid_file + ".tmp", pid_file)
        time.sleep(300)
    os._exit(0)
os.wait()
while not os.path.exists(pid_file):
    time.sleep(0.01)
print("daemon started", flush=True)
if then == "hang":
    time.sleep(300)
"""


@pytest.mark.parametrize("then", ["exit", "hang"])
def test_double_forked_daemon_is_killed_and_reaped(tmp_path: Path, then: str) -> None:
    pid_file = tmp_path / "daemon.pid"
    result = run_command([sys.executable, "-c", DAEMON, str(pid_file), then], cwd=tmp_path,
                         env=dict(os.environ), timeout=2, log_path=tmp_path / "log",
                         grace=0.5)
    assert result.status is (Status.OK if then == "exit" else Status.TIMEOUT)
    assert result.tail == "daemon started"
    daemon = int(pid_file.read_text())
    # Killed *and* reaped by the runner (its subreaper), so not even a zombie is left.
    assert not psutil.pid_exists(daemon)


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


def test_tail_of_one_huge_line_is_its_cut_end(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("a" * 10 + "b" * 5_000_000)
    tail = read_tail(log)
    assert tail == "..." + "b" * 6000
    log.write_text("first\n" + "c" * 7000 + "\nlast\n")
    assert read_tail(log) == "last"  # a cut line among others is still dropped


def test_a_child_of_the_runners_own_thread_survives_the_command(tmp_path: Path) -> None:
    """The runner is a subreaper while a command runs, so every new child looks adopted; one
    started by a thread of the runner itself (as a torch prewarm may) is not the command's."""
    started = tmp_path / "started"
    theirs: list[subprocess.Popen[bytes]] = []

    def library_thread() -> None:
        while not started.exists():
            time.sleep(0.01)
        theirs.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]))

    thread = threading.Thread(target=library_thread, daemon=True)
    thread.start()
    command = ("import pathlib, sys, time; pathlib.Path(sys.argv[1]).touch(); time.sleep(1)")
    try:
        result = run_command([sys.executable, "-c", command, str(started)], cwd=tmp_path,
                             env=dict(os.environ), timeout=10, log_path=tmp_path / "log")
        thread.join(5)
        assert result.status is Status.OK
        assert theirs and theirs[0].poll() is None  # still running: not killed as an orphan
    finally:
        for child in theirs:
            child.kill()
            child.wait()


def test_the_leader_is_waited_for_without_being_reaped(tmp_path: Path) -> None:
    """`_exited` leaves the exited leader a zombie, so its pid, which is the group id, stays
    reserved while the group is killed; only `_reap` frees it."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    try:
        assert _exited(proc, 10)
        assert proc.returncode is None
        assert psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE
        os.killpg(proc.pid, 0)  # the group id is still in use: no ProcessLookupError
    finally:
        _reap(proc, 5)
    assert proc.returncode == 0
    assert not psutil.pid_exists(proc.pid) or psutil.Process(proc.pid).ppid() != os.getpid()
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        began = time.monotonic()
        assert not _exited(slow, 0.2)
        assert 0.15 < time.monotonic() - began < 2
    finally:
        slow.kill()
        slow.wait()


@pytest.mark.parametrize("timeout", [3e9, float("inf")])
def test_a_timeout_beyond_what_poll_takes_still_waits(timeout: float) -> None:
    """`timeout = inf` (or a month) is a valid setting; poll() takes a C int of ms, so
    waiting for it in one call raised OverflowError, which killed the run at once."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    try:
        assert _exited(proc, timeout)
    finally:
        _reap(proc, 5)
    assert proc.returncode == 0
