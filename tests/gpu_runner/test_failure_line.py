"""The line a failed run's summary quotes is its cause, not the symptom a parent process
raised when a child died under it (a vectorised environment's worker that failed, then
the trainer's `ConnectionResetError` on the closed pipe)."""

from __future__ import annotations

import pytest

from mlready.gpu_runner.failures import last_line
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.runner import execute

from .helpers import FIXTURES, MakeProject, by_id

TINY = FIXTURES / "tiny.py"
WORKER = ("Process ForkServerProcess-3:\nTraceback (most recent call last):\n"
          "  File \"envs.py\", line 9, in make\n"
          "KeyError: 'environment Pong-v9 is not registered'\n")


@pytest.mark.parametrize("symptom", [
    "ConnectionResetError: [Errno 104] Connection reset by peer",
    "BrokenPipeError: [Errno 32] Broken pipe",
    "EOFError",
])
def test_the_childs_exception_wins_over_the_parents_pipe_error(symptom: str) -> None:
    parent = f"Traceback (most recent call last):\n  File \"main.py\", line 4\n{symptom}\n"
    assert last_line(WORKER + parent) == "KeyError: 'environment Pong-v9 is not registered'"
    # Interleaved output: the parent's traceback between two workers' changes nothing.
    assert last_line(parent + WORKER) == "KeyError: 'environment Pong-v9 is not registered'"


def test_a_pipe_error_alone_is_still_quoted() -> None:
    """With no other exception in the tail the symptom is all there is: say it."""
    tail = "step 1 loss 2.0\nBrokenPipeError: [Errno 32] Broken pipe\nexiting\n"
    assert last_line(tail) == "BrokenPipeError: [Errno 32] Broken pipe"


def test_a_plain_last_exception_is_unchanged() -> None:
    tail = "ValueError: first\nTraceback (most recent call last):\nRuntimeError: second\n"
    assert last_line(tail) == "RuntimeError: second"
    # An EOFError that says what it is (reading a terminal) is no pipe symptom.
    assert last_line("KeyError: x\nEOFError: EOF when reading a line\n") == \
        "EOFError: EOF when reading a line"


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "line"), [
    ("worker-dies", "LookupError: environment Pong-v9 is not registered"),
    # An unknown id alone may be a typo: a failure, quoting the worker's own words.
    ("worker-unknown-env", "NameNotFound: Environment `PongNoFrameskip` doesn't exist."),
])
def test_a_real_worker_that_dies(make_project: MakeProject, mode: str, line: str) -> None:
    cfg = make_project(train=f'"{{python}} {TINY} --steps {{steps}} --out {{run_dir}} '
                             f'--mode {mode}"', eval_mode=None)
    smoke = by_id(execute(cfg, ("smoke",), progress=False))["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.FAIL, "nonzero_exit"), smoke.summary
    assert smoke.summary.endswith(f"exited with code 1: {line}"), smoke.summary


def test_a_traceback_source_line_is_no_exception_line() -> None:
    """``raise EOFError`` is the code that raised, shown by the traceback; it ends in
    "Error" but says nothing the exception line below it does not."""
    tail = "  File \"c.py\", line 3, in f\n    raise TimeoutError\nTimeoutError\n"
    assert last_line(tail) == "TimeoutError"
    tail = "ValueError: bad shape\n  File \"c.py\", line 3, in f\n    raise EOFError\nEOFError\n"
    assert last_line(tail) == "ValueError: bad shape"


def test_an_exception_class_named_otherwise_closes_its_traceback() -> None:
    """gym's ``NameNotFound`` ends in neither Error nor Exception; after its traceback's
    frames it is still the exception line, and the cause when the parent's pipe broke."""
    worker = ("Traceback (most recent call last):\n  File \"envs.py\", line 9, in make\n"
              "    raise error.NameNotFound(\n"
              "gym.error.NameNotFound: Environment Pong doesn't exist.\n")
    parent = "Traceback (most recent call last):\n  File \"main.py\", line 4\n" \
             "ConnectionResetError: [Errno 104] Connection reset by peer\n"
    assert last_line(worker + parent) == "gym.error.NameNotFound: Environment Pong doesn't exist."
    # Outside a traceback an indented block followed by "Name: value" is just output.
    config = "config:\n    lr: 0.1\nEpoch: 3\nValueError: loss is nan\nRunning: done\n"
    assert last_line(config) == "ValueError: loss is nan"
