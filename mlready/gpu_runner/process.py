"""Run one command: its own session, output to a log file, a timeout that kills everything.

Each command starts in a new session (so a process group of its own, and the
terminal's Ctrl-C reaches only the runner, which then decides). Output goes straight
to a log file, not through a pipe: a grandchild that outlives its parent can never
block us on a pipe, and the runner does no per-line work while training runs. On
timeout, interruption or normal exit, the group *and* every process seen in the tree
(a grandchild may have left the group with setsid) get SIGTERM, then SIGKILL; while a
command runs the runner is a child subreaper (see `reaper`), so a daemon that
double-forked out of the tree is adopted, killed and reaped too; the command's
environment carries a per-run token (`reaper.TOKEN_ENV`) that tells its orphans from
children the runner's own threads start meanwhile, which are left alone.

The group is signalled only while its leader (the command) is still unreaped: we wait
for its exit with `_exited`, which does not reap, and reap it last. A process-group id
is the leader's pid, and Linux keeps a pid number allocated while any process uses it
as pid, group or session id; a zombie still does. So while the leader is an unreaped
zombie the number cannot be handed to a new process and ``killpg`` reaches exactly
the command's group. Had we reaped it first, a group whose members had all exited
would free the number, and a new, unrelated process that got that pid and made itself
a group leader (``setsid``) would receive our SIGKILL.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from mlready.gpu_runner import reaper
from mlready.gpu_runner.memory import MemoryPeak, TreeSampler

TERM_GRACE_S = 3.0
TAIL_BYTES = 6000
TAIL_LINES = 40
TRUNCATED = "..."  # marks a tail line whose start was cut off


class Status(StrEnum):
    OK = "ok"  # exit code 0
    EXIT = "exit"  # non-zero exit code (or killed by a signal it did not get from us)
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"
    SPAWN_ERROR = "spawn_error"  # exists but cannot start (permissions, bad interpreter)


class Interrupted(Exception):
    """The runner got Ctrl-C (SIGINT) or SIGTERM while a command ran; the tree is dead."""


@dataclass(frozen=True)
class ProcessResult:
    """What happened to one command."""

    argv: tuple[str, ...]
    status: Status
    exit_code: int | None
    wall_s: float
    log_path: Path
    tail: str
    memory: MemoryPeak
    message: str = ""  # spawn failures: the OS error
    disk_free: int | None = None  # bytes free where the log is, measured after the run

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


def read_tail(source: Path | int, max_bytes: int = TAIL_BYTES,
              max_lines: int = TAIL_LINES) -> str:
    """The last lines of a log (a path or an open, readable descriptor), bounded, lenient.

    Reading through the descriptor the command wrote to still works when the file was
    deleted meanwhile. A last line longer than ``max_bytes`` (5 MB of output without a
    newline) is shown as its cut tail after ``...``, never dropped.
    """
    try:
        if isinstance(source, int):
            size = os.fstat(source).st_size
            data = os.pread(source, max_bytes, max(0, size - max_bytes))
        else:
            with source.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - max_bytes))
                data = handle.read()
    except OSError:
        return ""
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > max_bytes and lines:
        # The first line is probably cut: drop it, unless it is all there is.
        lines = lines[1:] if len(lines) > 1 else [TRUNCATED + lines[0]]
    return "\n".join(lines[-max_lines:])


def _signal_tree(pgid: int, procs: list[Any], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
    for proc in procs:
        with contextlib.suppress(Exception):
            if proc.is_running():
                proc.send_signal(sig)


_POLL_SLICE_S = 3600.0


def _exited(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait up to ``timeout`` s for ``proc`` to exit *without reaping it*; True if it has.

    Left a zombie, the leader keeps its pid (and so its process-group id) reserved until
    `_reap`. Linux: a pidfd polled for readability (no latency); elsewhere ``waitid``
    with ``WNOWAIT`` polled every few ms; without either, ``wait`` (which reaps).
    """
    if proc.returncode is not None:
        return True
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        try:
            fd = pidfd_open(proc.pid)
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                poller = select.poll()
                poller.register(fd, select.POLLIN)
                # poll() takes a C int of milliseconds (about 24 days), and a `timeout`
                # of a month or ``inf`` is a valid setting: wait in slices.
                deadline = time.monotonic() + timeout
                while True:
                    remaining = deadline - time.monotonic()
                    if poller.poll(max(0, int(min(remaining, _POLL_SLICE_S) * 1000))):
                        return True
                    if remaining <= _POLL_SLICE_S:
                        return False
            finally:
                os.close(fd)
    waitid = getattr(os, "waitid", None)
    if waitid is None:  # pragma: no cover - every supported platform has one of the two
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            if waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
                return True
        except ChildProcessError:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.02)


def _reap(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Collect the leader's exit status, after its group was signalled for the last time."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)


def _tree(pid: int, seen: Mapping[int, Any], before: dict[int, float],
          token: str) -> list[Any]:
    """Every process known to belong to the run: seen while sampling, alive below pid now,
    or adopted by us since it started (an orphan that double-forked out of the tree)."""
    procs = dict(seen)
    try:
        import psutil

        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(pid).children(recursive=True):
                procs.setdefault(child.pid, child)
    except ImportError:  # pragma: no cover - psutil is a runner dependency
        pass
    for orphan in reaper.adopted(before, pid, token):
        procs.setdefault(orphan.pid, orphan)
    return [p for p in procs.values() if p.pid != pid]


def kill_tree(proc: subprocess.Popen[bytes], sampler: TreeSampler, grace: float,
              before: dict[int, float], token: str) -> None:
    """SIGTERM the group and tree, wait ``grace`` seconds, then SIGKILL what is left.

    The leader is reaped only at the end, after the last signal to its group.
    """
    procs = _tree(proc.pid, sampler.procs, before, token)
    _signal_tree(proc.pid, procs, signal.SIGTERM)
    deadline = time.monotonic() + grace
    _exited(proc, grace)
    for p in procs:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        with contextlib.suppress(Exception):
            p.wait(timeout=remaining)
    _signal_tree(proc.pid, procs, signal.SIGKILL)
    _exited(proc, grace)
    reaper.sweep(before, proc.pid, token, {p.pid: p for p in procs})
    _reap(proc, grace)


def _reap_leftovers(proc: subprocess.Popen[bytes], sampler: TreeSampler,
                    before: dict[int, float], token: str) -> None:
    """After a normal exit, nothing the command started may keep running (or hold the GPU).

    The leader has exited but is not reaped yet (see `_exited`): its group id is still
    its own when we kill the group.
    """
    procs = [p for p in _tree(proc.pid, sampler.procs, before, token) if _alive(p)]
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    reaper.sweep(before, proc.pid, token, {p.pid: p for p in procs})
    _reap(proc, TERM_GRACE_S)


def _alive(proc: Any) -> bool:
    try:
        return bool(proc.is_running()) and proc.status() != "zombie"
    except Exception:
        return False


class _DeferSignals:
    """Hold back Ctrl-C / SIGTERM while the tree is being spawned or killed.

    A KeyboardInterrupt that lands between the fork and the point where we hold the
    child's pid (or in the middle of killing the tree) would leak a whole process
    tree in its own session. Signals that arrive meanwhile are remembered in
    ``pending`` and re-raised by the caller at a safe point. Only the main thread can
    set handlers; elsewhere this does nothing.
    """

    def __init__(self) -> None:
        self.pending: list[int] = []
        self._previous: dict[int, Any] = {}

    def _remember(self, signum: int, _frame: object) -> None:
        self.pending.append(signum)

    def __enter__(self) -> _DeferSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._remember)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def run_command(argv: list[str], *, cwd: Path, env: Mapping[str, str], timeout: float,
                log_path: Path, watch: tuple[Path, ...] = (),
                grace: float = TERM_GRACE_S) -> ProcessResult:
    """Run ``argv`` to completion or timeout; raise `Interrupted` on Ctrl-C after cleanup.

    Raises OSError (e.g. ENOSPC) only for failures of the runner's own files.
    """
    with reaper.subreaper():
        return _run(argv, cwd=cwd, env=env, timeout=timeout, log_path=log_path, watch=watch,
                    grace=grace)


def _run(argv: list[str], *, cwd: Path, env: Mapping[str, str], timeout: float,
         log_path: Path, watch: tuple[Path, ...], grace: float) -> ProcessResult:
    no_memory = MemoryPeak(None, None, 0, None, None)
    before = reaper.children()
    token = reaper.new_token()
    env = {**env, reaper.TOKEN_ENV: token}
    with log_path.open("w+b") as log:
        start = time.monotonic()
        with _DeferSignals() as deferred:
            try:
                proc = subprocess.Popen(argv, cwd=cwd, env=dict(env),
                                        stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
            except FileNotFoundError as exc:
                missing = exc.filename if exc.filename else argv[0]
                return ProcessResult(tuple(argv), Status.NOT_FOUND, None, 0.0, log_path, "",
                                     no_memory, f"{missing}: command not found")
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise
                return ProcessResult(tuple(argv), Status.SPAWN_ERROR, None, 0.0, log_path,
                                     "", no_memory,
                                     f"{argv[0]}: cannot start ({exc.strerror or exc})")
            sampler = TreeSampler(proc.pid, watch=(*watch, log_path))
            sampler.__enter__()
        timed_out = False
        try:
            if deferred.pending:
                raise KeyboardInterrupt
            if _exited(proc, timeout):
                _reap_leftovers(proc, sampler, before, token)
            else:
                timed_out = True
                with _DeferSignals() as late:
                    kill_tree(proc, sampler, grace, before, token)
                if late.pending:
                    raise KeyboardInterrupt from None
        except BaseException:  # Ctrl-C / SIGTERM of the runner: leave nothing behind
            with _DeferSignals():
                kill_tree(proc, sampler, 1.0, before, token)
                sampler.stop()
            raise Interrupted() from None
        wall = time.monotonic() - start
        peak = sampler.stop()
        tail = read_tail(log.fileno())
        free: int | None = None
        with contextlib.suppress(OSError):
            stat = os.statvfs(log.fileno())
            free = stat.f_bavail * stat.f_frsize
    code = proc.returncode
    status = Status.TIMEOUT if timed_out else (Status.OK if code == 0 else Status.EXIT)
    return ProcessResult(tuple(argv), status, code, wall, log_path, tail, peak,
                         disk_free=free)
