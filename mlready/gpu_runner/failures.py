"""One-line, named explanations for every way a command can fail.

The checks never show a traceback of their own; a failing user command is described
by its status, exit code and the last meaningful line of its output, with the config
key to fix where the runner can tell.
"""

from __future__ import annotations

import itertools
import re
import signal
from dataclasses import dataclass
from pathlib import Path

from mlready.gpu_runner.process import ProcessResult, Status
from mlready.gpu_runner.results import ENVIRONMENT, CheckResult, Outcome

_DISK_FULL = ("No space left on device", "ENOSPC", "Errno 28")
# Less than this free where the log is, after a failed run, means the disk filled up
# even when the command's own "No space left" message could not be written any more
# (a flood of output that filled the disk takes its last words with it).
LOW_DISK_BYTES = 1 << 20



# What in a failed run's output says the training cannot run *here*, whatever its code
# does: (kind, line pattern, what to do). The first kind whose pattern matches any line
# of the tail wins, so a later traceback of the script's own (a ValueError from parsing
# an empty `stty size`) does not hide the line that decides.
_ENVIRONMENT: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("a module is missing", re.compile(r"\bModuleNotFoundError: No module named "),
     "install it in the environment mlready runs the command in"),
    # gym / gymnasium saying the package behind an environment id is not installed: a
    # namespace no installed plugin registers ("Namespace ALE not found. Have you
    # installed the proper package for ALE?"; gym 0.22-0.23 `UnregisteredEnv`), an id
    # moved out of gym to a package that is absent ("Please install the package via `pip
    # install ...`"), an optional dependency (`DependencyNotInstalled`: MuJoCo, Box2D,
    # atari-py). Never a plain "Environment `X` doesn't exist." (a typo reads the same,
    # or a namespace it suggests instead: "Did you mean: `ALE`?").
    ("a package is missing", re.compile(
        r"\b(?:NamespaceNotFound|UnregisteredEnv): .*have you installed the proper "
        r"package for|\bNameNotFound: .*has been moved out of Gym to the package .*Please "
        r"install the package via|\bDependencyNotInstalled: ", re.I),
     "install it in the environment mlready runs the command in"),
    ("an extension does not match the installed packages", re.compile(
        r"operator \S+::\S+ does not exist|undefined symbol: |compiled using NumPy 1\.x|"
        r"was compiled against|version `GLIBC\w*_[\d.]+' not found|"
        r"\bImportError: .*(cannot open shared object file|DLL load failed|"
        r"site-packages|dist-packages)"),
     "reinstall the extension built for this torch / numpy"),
    ("it needs a GPU", re.compile(
        r"requires at least one GPU|No CUDA GPUs are available|Torch not compiled with CUDA|"
        r"Found no NVIDIA driver|no CUDA-capable device|CUDA driver version is insufficient|"
        r"NVIDIA driver on your system is too old|CUDA is not available|"
        r"cuda is not available|no GPUs? (found|available)", re.I),
     "run it on a GPU machine, or let the script fall back to {device}"),
    # Name resolution and routing errors, never "Connection refused" (a server of the
    # project's own that did not start is its bug): a script that fetches a tokenizer,
    # weights or a data set at start-up cannot run on a machine without the network.
    ("it needs the network", re.compile(
        r"NameResolutionError|Temporary failure in name resolution|"
        r"Name or service not known|nodename nor servname provided|socket\.gaierror|"
        r"Network is unreachable|No route to host|Could not resolve host|"
        r"couldn't connect to '?https?://|OfflineModeIsEnabled", re.I),
     "fetch what it downloads beforehand (a local path or a filled cache), or run where "
     "the network can be reached"),
    ("it needs a terminal", re.compile(
        r"Inappropriate ioctl for device|\bnot a tty\b|termios\.error|"
        r"EOFError: EOF when reading a line", re.I),
     "mlready runs commands without a terminal: pass the input by flags or environment"),
)
# Kinds decided by the exception the run ended with (its chained causes included), not
# by any line of the tail: a library that cannot reach the network often says so and
# carries on (the Hugging Face hub's "couldn't connect ... trying to find it in the
# cached files", wandb's retries), and a script that tries an optional import logs the
# `ModuleNotFoundError` and goes on (`apex`, `flash_attn`); a later bug of the script's
# own must then stay a failure, not read as a skip.
_FINAL_EXCEPTION_ONLY = frozenset({
    "a module is missing", "a package is missing",
    "an extension does not match the installed packages",
    "it needs the network"})
_CHAINED = ("The above exception was the direct cause of the following exception",
            "During handling of the above exception, another exception occurred")
_CUDA_ASSERT = re.compile(r"^\s*assert\b.*\bcuda\b", re.I)


def environment(tail: str) -> tuple[str, str, str] | None:
    """(kind, telling line, what to do) when ``tail`` shows the command cannot run here.

    An ``ImportError`` from the project's own files (``cannot import name 'GPTT' from
    'model'``) is the user's bug and stays a failure; one from an installed package or a
    shared library is the environment's. A bare ``AssertionError`` counts when the line
    it comes from asserts something about CUDA (``assert torch.cuda.is_available()``).
    """
    lines = [ln.rstrip() for ln in tail.splitlines() if ln.strip()]
    final = [*_final_chain(lines), last_line(tail)]
    for kind, pattern, fix in _ENVIRONMENT:
        for line in final if kind in _FINAL_EXCEPTION_ONLY else lines:
            if pattern.search(line):
                return kind, line.strip()[:240], fix
    for before, line in itertools.pairwise(lines):
        if line.strip().startswith("AssertionError") and _CUDA_ASSERT.match(before):
            return "it needs a GPU", f"{before.strip()[:200]}: {line.strip()[:38]}", \
                "run it on a GPU machine, or let the script fall back to {device}"
    return None


def _final_chain(lines: list[str]) -> list[str]:
    """The lines of the traceback the run ended with and of the exceptions chained into
    it ("The above exception was the direct cause ..."); none when the tail has no
    traceback (then `last_line` alone decides). A traceback printed earlier and survived
    (a caught optional import, logged) is not part of it."""
    starts = [i for i, line in enumerate(lines)
              if line.strip().startswith("Traceback (most recent call last)")]
    if not starts:
        return []
    k = len(starts) - 1
    while k > 0 and lines[starts[k] - 1].strip().rstrip(":").startswith(_CHAINED):
        k -= 1
    return lines[starts[k]:]


@dataclass(frozen=True)
class Problem:
    """Why a run cannot serve a check: an outcome, a stable reason and a one-line summary."""

    outcome: Outcome
    reason: str
    summary: str
    log_tail: str = ""

    def result(self, check: str, prefix: str = "") -> CheckResult:
        summary = f"{prefix}{self.summary}" if prefix else self.summary
        return CheckResult(check=check, outcome=self.outcome, summary=summary,
                           reason=self.reason, log_tail=self.log_tail)


# Exceptions a parent raises because a child process died (its pipe closed under it):
# SubprocVecEnv workers, multiprocessing pools. The child's own exception, printed
# before, is the cause; the parent's is the symptom.
_CHILD_GONE = re.compile(
    r"^(?:E\s+)?(?:\w+\.)*(?:ConnectionResetError|BrokenPipeError|ConnectionAbortedError)\b|"
    r"^(?:E\s+)?(?:\w+\.)*EOFError\s*$")
# The head of an exception line: a dotted class name (after pytest's ``E`` marker), never
# a traceback's source line (``raise EOFError`` ends in "Error" too).
_EXCEPTION_HEAD = re.compile(r"(?:E\s+)?(?:\w+\.)*\w*(?:Error|Exception|Interrupt)")


# The line that ends a Python traceback: an exception class, dotted or not, whatever its
# name ends in (``gym.error.NameNotFound: Environment Pong doesn't exist.``).
_CLASS_LINE = re.compile(r"(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?::\s.*)?")


def _exception_lines(tail: str) -> list[str]:
    """The tail's exception lines in order: those whose class says so (``...Error``,
    ``...Exception``), and any class name that closes a traceback (right after its
    indented frames, once a ``Traceback`` header was seen)."""
    raw = [ln.rstrip() for ln in tail.splitlines() if ln.strip()]
    found: list[str] = []
    in_traceback = False
    for i, line in enumerate(raw):
        text = line.strip()
        in_traceback = in_traceback or text.startswith("Traceback (most recent call last)")
        closes = in_traceback and i > 0 and raw[i - 1].startswith(("    ", '  File "')) \
            and not line[:1].isspace() and _CLASS_LINE.fullmatch(text) is not None
        if closes or _EXCEPTION_HEAD.fullmatch(text.split(":", 1)[0]):
            found.append(text[:240])
    return found


def last_line(tail: str) -> str:
    """The most telling line of a log tail: the last exception line, else the last line.

    When the last exception only says a child process went away (``ConnectionResetError``
    from a vectorised environment's pipe), the last exception before it is the cause:
    quoting the symptom sends the user after a network problem that does not exist.
    """
    exceptions = _exception_lines(tail)
    causes = [line for line in exceptions if not _CHILD_GONE.match(line)]
    if causes or exceptions:
        return (causes or exceptions)[-1]
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip()]
    return lines[-1][:240] if lines else "no output"


_MISSING_MODULE = re.compile(r"No module named '([A-Za-z_][\w.]*)'")


def own_package(line: str, project_dir: Path | None) -> str | None:
    """The missing module's top-level name when it is the project's own package (a
    ``spinup/`` or ``src/spinup/`` folder, a ``spinup.py`` in the project): a script run
    as ``python spinup/algos/ppo.py`` has its own folder on the import path, not the
    project's, so its ``import spinup`` fails until the project is installed."""
    match = _MISSING_MODULE.search(line)
    if match is None or project_dir is None:
        return None
    top = match.group(1).partition(".")[0]
    for base in (project_dir, project_dir / "src"):
        if (base / top / "__init__.py").is_file() or (base / f"{top}.py").is_file():
            return top
    return None


def describe(proc: ProcessResult, what: str, key: str, timeout: float,
             project_dir: Path | None = None) -> Problem | None:
    """None when ``proc`` succeeded, else a `Problem` naming ``what`` failed and the fix
    (``project_dir``: where to look for a missing module that is the project's own)."""
    if proc.status is Status.OK:
        return None
    if proc.status is Status.NOT_FOUND:
        return Problem(Outcome.ERROR, "command_not_found",
                       f"{what}: {proc.message}; fix `tool.mlready.runner.{key}`")
    if proc.status is Status.SPAWN_ERROR:
        return Problem(Outcome.ERROR, "cannot_start",
                       f"{what}: {proc.message}; fix `tool.mlready.runner.{key}`")
    if proc.status is Status.TIMEOUT:
        return Problem(Outcome.FAIL, "timeout",
                       f"{what} did not finish within {timeout:g}s; killed its whole process "
                       f"tree (raise `tool.mlready.runner.timeout` if it is just slow)",
                       proc.tail)
    low = proc.disk_free is not None and proc.disk_free < LOW_DISK_BYTES
    if low or any(marker in proc.tail for marker in _DISK_FULL):
        left = f" ({proc.disk_free // 1024} KiB left)" if low and proc.disk_free is not None \
            else ""
        return Problem(Outcome.ERROR, "disk_full",
                       f"{what} ran out of disk space in its run directory{left}; free space "
                       "or point TMPDIR at a larger disk", proc.tail)
    code = proc.exit_code if proc.exit_code is not None else -1
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return Problem(Outcome.FAIL, "killed",
                       f"{what} was killed by {name}{hint}: {last_line(proc.tail)}", proc.tail)
    found = environment(proc.tail)
    if found is not None:
        # Could not run here: not a failure of the user's code (docs/run-json.md, Outcomes).
        kind, line, fix = found
        own = own_package(line, project_dir) if kind == "a module is missing" else None
        if own is not None:
            fix = (f"`{own}` is this project's own package: install the project (`pip "
                   "install -e .`) in the environment mlready runs the command in, or run "
                   "the script as a module (`{python} -m ...`)")
        return Problem(Outcome.SKIPPED, ENVIRONMENT,
                       f"{what} cannot run in this environment ({kind}): {line}; "
                       f"{fix.replace('{device}', 'the CPU')}", proc.tail)
    return Problem(Outcome.FAIL, "nonzero_exit",
                   f"{what} exited with code {code}: {last_line(proc.tail)}", proc.tail)
