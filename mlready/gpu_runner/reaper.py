"""Adopt every orphan a command leaves, so that even a double-forked daemon dies with the run.

A daemon that forks twice and calls ``setsid`` leaves the command's process group, its
session and, once its intermediate parent exits, the command's process tree: the
kernel hands it to init, and no walk from the command's pid finds it again. On Linux a
*child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``) receives such orphans instead of
init, so for the length of a command the runner is one: every descendant that loses
its parent becomes the runner's child, where `adopted` finds it and `sweep` kills and
reaps it. Elsewhere (no prctl) this degrades to what the process-tree walk sees.

Being a subreaper also makes every *other* new child of the runner look adopted: a
library thread of the runner itself (the torch import that `Session` runs while the
first command trains, a compiler or ``ldconfig`` it starts) may start a process during
a command, and it must not be killed as the command's orphan. So each command gets a
per-run token in its environment (`TOKEN_ENV`, see `new_token`), which every descendant
inherits through fork and exec; `adopted` counts a new child as the command's only when
its ``/proc/<pid>/environ`` holds that token. A child whose environment cannot be read
(another user's, or already a zombie) is left alone: killing a process of the runner's
own is worse than leaving a command's exited orphan to be reaped when the runner exits.
A daemon that execs with an emptied environment (``env -i``) is not recognised; one
that only forks keeps the token.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import secrets
import signal
import sys
import time
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
SWEEP_ROUNDS = 20
TOKEN_ENV = "MLREADY_RUN_TOKEN"


def new_token() -> str:
    """A fresh token for one command's environment (unguessable, so no stray process has it)."""
    return secrets.token_hex(12)


def _prctl() -> Any | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


@contextlib.contextmanager
def subreaper() -> Iterator[bool]:
    """Be a child subreaper while the block runs; yields whether that took effect.

    The previous setting is restored afterwards, so a test process (or a caller that
    is a subreaper itself) is left as it was; orphans already adopted stay children.
    """
    prctl = _prctl()
    previous = ctypes.c_int(0)
    enabled = False
    if prctl is not None:
        with contextlib.suppress(Exception):
            prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(previous), 0, 0, 0)
            enabled = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    try:
        yield enabled
    finally:
        if enabled and not previous.value and prctl is not None:
            with contextlib.suppress(Exception):
                prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def children() -> dict[int, float]:
    """Our direct children now, as pid -> creation time (a pid alone may be reused)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a runner dependency
        return {}
    out: dict[int, float] = {}
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children():
            with contextlib.suppress(psutil.Error):
                out[child.pid] = child.create_time()
    return out


def carries(proc: Any, token: str) -> bool:
    """Whether ``proc``'s environment holds ``token`` (False when it cannot be read)."""
    try:
        return bool(proc.environ().get(TOKEN_ENV) == token)
    except Exception:  # gone, a zombie, another user's: not provably the command's
        return False


def adopted(before: dict[int, float], exclude: int, token: str,
            known: Mapping[int, Any] = MappingProxyType({})) -> list[Any]:
    """Our new children that are the command's, with their descendants.

    While we are a subreaper these are the orphans of the command's tree. A new child
    is the command's when it carries ``token`` or is in ``known`` (psutil processes
    already proven the command's, e.g. seen in its tree: the same pid *and* creation
    time, so that an orphan we killed is still reaped once it is a zombie whose
    environment can no longer be read). Children that were there ``before``, the
    command itself (``exclude``) and new children started by one of the runner's own
    threads are not.
    """
    try:
        import psutil
    except ImportError:  # pragma: no cover
        return []
    found: list[Any] = []
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children():
            with contextlib.suppress(psutil.Error):
                if child.pid == exclude or before.get(child.pid) == child.create_time():
                    continue
                if known.get(child.pid) != child and not carries(child, token):
                    continue
                found.append(child)
                found.extend(child.children(recursive=True))
    return found


def _reap(pid: int) -> bool:
    """Collect ``pid``'s exit status if it has one; True once it is gone."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not (or no longer) our child: its parent reaps it
    except OSError:
        return True
    return done == pid


def sweep(before: dict[int, float], exclude: int, token: str,
          known: Mapping[int, Any] = MappingProxyType({}), deadline_s: float = 2.0) -> int:
    """SIGKILL and reap every adopted orphan, round after round until none is left.

    Killing an adopted process orphans *its* children, which the kernel then hands to
    us: hence rounds. Returns how many processes were killed.
    """
    killed: set[int] = set()
    deadline = time.monotonic() + deadline_s
    for _ in range(SWEEP_ROUNDS):
        procs = adopted(before, exclude, token, known)
        if not procs:
            break
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.send_signal(signal.SIGKILL)
                killed.add(proc.pid)
        direct = [p.pid for p in procs if _is_our_child(p)]
        while direct and time.monotonic() < deadline:
            direct = [pid for pid in direct if not _reap(pid)]
            if direct:
                time.sleep(0.01)
        if time.monotonic() >= deadline:
            break
    return len(killed)


def _is_our_child(proc: Any) -> bool:
    try:
        return bool(proc.ppid() == os.getpid())
    except Exception:
        return False
