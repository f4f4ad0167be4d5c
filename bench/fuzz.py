"""Fuzz every parser that reads user or untrusted data, through the commands users run.

    python bench/fuzz.py --minutes 10            # every target, round robin
    python bench/fuzz.py --minutes 1 --target requirements

Each target writes one generated input where a user (or a pull request, or a workflow
artifact) would put it, runs the real command in this process, and judges the outcome:

- a **crash** is an exception escaping the command, an exit code the command does not
  document for that input, or an exit 2 whose message is not one line (a traceback, an
  "internal error" that is really the input's fault);
- a **hang** is a single input that takes longer than ``--hang-after`` seconds.

Inputs come from `hypothesis` strategies (the same ones ``tests/test_fuzz.py`` runs a
bounded number of times on every CI run), drawn without shrinking so the loop goes on
after a failure; each failure is printed with the input that caused it, shortened.
Nothing outside the temporary folders is written, and each folder is deleted after use.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "scorecard" / "data"


# --- strategies -------------------------------------------------------------------------

def _json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
        st.sampled_from(["", "..", "../../x.py", "/etc/passwd", "a\nb", "\x1b[31m", "%0A",
                         "::error ::x", "<script>", "](javascript:x)", "MLR101", "pass",
                         "fail", "error", "nan", "Infinity"]))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
        max_leaves=max_leaves)


def _nested(opener: str, closer: str) -> st.SearchStrategy[str]:
    return st.integers(min_value=1, max_value=5000).map(lambda n: opener * n + closer * n)


_TEXT_BITS = st.sampled_from([
    " ", "\t", "#", "\n", "\r\n", "\x00", "\x0c", "\\", '"', "'", "[", "]", "{", "}", "=",
    "==", ">=", "~=", "@", ";", "--", "-e ", "-r ", "git+https://x/y.git@", "torch", "numpy",
    "\ufeff", "\u2028", "é", "# coding: punycode\n", "# -*- coding: undefined -*-\n",
    " " * 2000, "a" * 3000, "9" * 5000])


def _texty() -> st.SearchStrategy[str]:
    """Text built from the tokens parsers split on, plus plain random text."""
    return st.one_of(
        st.lists(st.one_of(_TEXT_BITS, st.text(max_size=20)), max_size=40).map("".join),
        st.text(max_size=300))


def _mutated(document: Any) -> st.SearchStrategy[str]:
    """``document`` as JSON text with one subtree replaced by a random JSON value, or by
    an array nested thousands deep (made as text: Python's own json cannot build it)."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node[:3]):
                walk(value, (*path, i))

    walk(document, ())

    def replace(path: tuple[Any, ...], value: Any) -> str:
        deep = value.depth if isinstance(value, _Deep) else None
        marker = "\u0001deep\u0001"
        new = marker if deep is not None else value
        copy = json.loads(json.dumps(document))
        if path:
            node = copy
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = new
        else:
            copy = new
        text = json.dumps(copy, allow_nan=True)
        if deep is not None:
            text = text.replace(json.dumps(marker), "[" * deep + "]" * deep)
        return text

    return st.tuples(st.sampled_from(paths), st.one_of(
        _json_values(), st.integers(min_value=100, max_value=20000).map(_Deep))).map(
        lambda pv: replace(*pv))


@dataclass(frozen=True)
class _Deep:
    """Stands for an array nested ``depth`` levels deep in `_mutated`."""

    depth: int


def _json_text() -> st.SearchStrategy[str]:
    return st.one_of(_json_values().map(lambda v: json.dumps(v, allow_nan=True)),
                     _nested("[", "]"), _nested('{"a":', "}"),
                     st.integers(min_value=4000, max_value=20000).map(lambda n: "9" * n))


# --- running one input ------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def _invoke(args: list[str]) -> Outcome:
    """``mlready ARGS`` through `mlready.cli.main`, as the console script runs it."""
    from mlready.cli import main

    out, err = io.StringIO(), io.StringIO()
    code, exc = 2, None
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 2
        except Exception as raised:  # what the fuzzer is here to find
            exc = raised
    return Outcome(code, out.getvalue(), err.getvalue(), exc)


class Crash(AssertionError):
    """What a target raises for an outcome the command does not promise."""


def _judge(outcome: Outcome, allowed: tuple[int, ...], names: str) -> None:
    if outcome.exception is not None:
        raise Crash(f"{type(outcome.exception).__name__}: {outcome.exception}"[:300])
    if outcome.exit_code not in allowed:
        raise Crash(f"exit {outcome.exit_code}, expected one of {allowed}: "
                    f"{(outcome.stderr or outcome.stdout).strip()[-300:]}")
    if outcome.exit_code == 2:
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        if len(lines) != 1 or "Traceback" in outcome.stderr or "internal error" in (
                outcome.stderr.lower()) or names not in lines[0]:
            raise Crash(f"exit 2 without one line naming {names}: {outcome.stderr[-300:]!r}")


@contextmanager
def _project(files: dict[str, bytes]) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="mlready-fuzz-"))
    try:
        (folder / ".git").mkdir()  # the project root, without running git for every input
        for name, data in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check(files: dict[str, bytes], allowed: tuple[int, ...] = (0, 1),
           names: str = "") -> None:
    with _project(files) as folder:
        outcome = _invoke(["check", "--no-cache", "--output-format", "json", str(folder)])
        _judge(outcome, allowed, names)
        if outcome.exit_code in (0, 1):
            try:
                doc = json.loads(outcome.stdout)
            except ValueError:
                raise Crash(f"exit {outcome.exit_code} without a JSON document: "
                            f"{outcome.stderr[-300:]!r}") from None
            if doc["errors"]:
                raise Crash(f"internal errors: {doc['errors'][:2]}")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# --- targets ----------------------------------------------------------------------------

def target_pyproject(text: str) -> None:
    """Any pyproject.toml: a clean run, findings, or one config error naming the file."""
    _check({"pyproject.toml": _utf8(text), "train.py": b"import torch\n"},
           allowed=(0, 1, 2), names="pyproject.toml")


PYPROJECT = st.one_of(
    _texty(),
    st.integers(min_value=1, max_value=5000).map(lambda n: f"x = {'[' * n}{']' * n}\n"),
    st.integers(min_value=4000, max_value=20000).map(lambda n: f"x = {'9' * n}\n"),
    _json_values().map(lambda v: "[tool.mlready]\nselect = " + json.dumps(v) + "\n"),
    st.dictionaries(st.sampled_from(["select", "ignore", "extend-select", "exclude",
                                     "cache-dir", "no-cache", "per-file-ignores",
                                     "max-file-size", "seeds", "hparams"]),
                    _json_values(max_leaves=4), max_size=3).map(
        lambda d: "[tool.mlready]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in d.items())),
)


def target_requirements(text: str) -> None:
    """Any requirements.txt: findings or none, never an error."""
    _check({"requirements.txt": _utf8(text), "train.py": b"import torch\n"})


def target_python(data: bytes) -> None:
    """Any .py file: MLR000 or findings, never an error, never the whole run."""
    _check({"train.py": data, "other.py": b"import random\nrandom.random()\n"})


PYTHON = st.one_of(
    st.binary(max_size=300),
    _texty().map(_utf8),
    st.integers(min_value=50, max_value=3000).map(lambda n: b"x = " + b"(" * n + b")" * n),
    st.integers(min_value=50, max_value=3000).map(lambda n: b"x = " + b"-" * n + b"1\n"),
    st.sampled_from([b"# coding: punycode\nx = 1\n", b"# coding: undefined\nx = 1\n",
                     b"\xff\xfe\x00", b"x = 1\x00\n", b"def f(:\n"]),
)


def target_notebook(text: str) -> None:
    """Any .ipynb: findings or none, never an error."""
    _check({"nb.ipynb": _utf8(text)})


_CELL = st.fixed_dictionaries({
    "cell_type": st.sampled_from(["code", "markdown", "raw", 1]),
    "source": st.one_of(_texty(), st.lists(_texty(), max_size=3), _json_values(4)),
    "outputs": st.one_of(st.just([]), _json_values(4)),
    "metadata": st.one_of(st.just({}), _json_values(4)),
})
NOTEBOOK = st.one_of(
    _json_text(),
    st.fixed_dictionaries({"cells": st.lists(_CELL, max_size=4),
                           "metadata": _json_values(4), "nbformat": st.sampled_from([4, "4", None]),
                           "nbformat_minor": st.integers()}).map(
        lambda v: json.dumps(v, allow_nan=True)),
)


def target_config(text: str) -> None:
    """Any YAML/JSON/TOML config file: findings or none, never an error."""
    _check({"configs/train.yaml": _utf8(text), "configs/model.json": _utf8(text),
            "configs/extra.toml": _utf8(text),
            "train.py": b"import yaml\ncfg = yaml.safe_load(open('configs/train.yaml'))\n"})


CONFIG = st.one_of(_texty(), _json_text(), _nested("{", "}"),
                   st.sampled_from(["a: &a [*a]", "a: !!python/object:os.system x",
                                    "a: 1\na: 2\n", "? [a]\n: b\n", "%YAML 9.9\n---\n"]))


def _scorecard(kind: str, text: str) -> None:
    with _project({f"{kind}.json": _utf8(text)}) as folder:
        outcome = _invoke(["scorecard", f"--{kind}", str(folder / f"{kind}.json"),
                           "--root", str(folder)])
        _judge(outcome, (0, 2), f"{kind}.json")


def target_check_json(text: str) -> None:
    """Any check JSON artifact: a scorecard, or one line naming the file and exit 2."""
    _scorecard("check", text)


def target_run_json(text: str) -> None:
    """Any run JSON artifact: a scorecard, or one line naming the file and exit 2."""
    _scorecard("run", text)


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def target_event(text: str) -> None:
    """Any event payload: a pull request (or none), or the module's own error."""
    from mlready.github import actions, provenance

    with _project({"event.json": _utf8(text)}) as folder:
        try:
            payload = actions.load_event(folder / "event.json")
            for name in ("pull_request", "pull_request_target", "workflow_run", "push"):
                actions.pr_from_event(name, payload)
                actions.pr_record(name, payload)
            actions.workflow_run_head_sha(payload)
            provenance.judge(payload, "o/r")
        except actions.ActionsConfigError:
            pass
        except Exception as exc:
            raise Crash(f"{type(exc).__name__}: {exc}"[:300]) from None


def target_pr_file(text: str) -> None:
    """Any pr.json artifact: a pull request reference, or the module's own error."""
    from mlready.github import actions

    with _project({"pr.json": _utf8(text)}) as folder:
        try:
            actions.read_pr_file(folder / "pr.json")
        except actions.ActionsConfigError:
            pass
        except Exception as exc:
            raise Crash(f"{type(exc).__name__}: {exc}"[:300]) from None


def _event_payloads() -> st.SearchStrategy[Any]:
    pr = {"number": 7, "head": {"sha": "a" * 40, "repo": {"full_name": "o/r"}},
          "base": {"repo": {"full_name": "o/r"}}}
    run = {"workflow_run": {"name": "mlready-gpu", "path": ".github/workflows/mlready-gpu.yml",
                            "event": "pull_request", "head_sha": "b" * 40,
                            "head_branch": "main", "pull_requests": [pr]}}
    return st.one_of(_json_text(), _mutated({"pull_request": pr}), _mutated(run))


@dataclass(frozen=True)
class Target:
    run: Callable[[Any], None]
    strategy: Callable[[], st.SearchStrategy[Any]]


TARGETS: dict[str, Target] = {
    "pyproject": Target(target_pyproject, lambda: PYPROJECT),
    "requirements": Target(target_requirements, _texty),
    "python": Target(target_python, lambda: PYTHON),
    "notebook": Target(target_notebook, lambda: NOTEBOOK),
    "config": Target(target_config, lambda: CONFIG),
    "check-json": Target(target_check_json, lambda: st.one_of(
        _json_text(), _mutated(_load("charlm-check.json")))),
    "run-json": Target(target_run_json, lambda: st.one_of(
        _json_text(), _mutated(_load("charlm-run.json")))),
    "event": Target(target_event, _event_payloads),
    "pr-file": Target(target_pr_file, lambda: st.one_of(
        _json_text(), _mutated({"number": 7, "head_sha": "c" * 40}))),
}


# --- the long loop ----------------------------------------------------------------------

class _Hang(Exception):
    """Raised by the alarm inside an input that runs too long."""


class _Done(Exception):
    """Ends one target's slice of the loop."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _Hang


@dataclass
class Tally:
    tried: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else f"{text[:120]}... ({len(text)} chars)"


def fuzz(name: str, seconds: float, hang_after: float, tally: Tally) -> None:
    """Run target ``name`` on fresh inputs for about ``seconds``, recording every failure."""
    target = TARGETS[name]
    deadline = time.monotonic() + seconds

    @settings(max_examples=10**9, deadline=None, phases=[Phase.generate], database=None,
              suppress_health_check=list(HealthCheck))
    @given(target.strategy())
    def loop(value: Any) -> None:
        if time.monotonic() > deadline:
            raise _Done
        tally.tried += 1
        signal.setitimer(signal.ITIMER_REAL, hang_after)
        start = time.monotonic()
        try:
            target.run(value)
        except _Hang:
            tally.hangs.append(f"{name}: over {hang_after:g} s on {_short(value)}")
        except Crash as exc:
            tally.crashes.append(f"{name}: {exc} <- {_short(value)}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if time.monotonic() - start > hang_after and not tally.hangs[-1:]:
            tally.hangs.append(f"{name}: {time.monotonic() - start:.1f} s on {_short(value)}")

    with suppress(_Done), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis warns about the size of big inputs
        loop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--target", action="append", choices=sorted(TARGETS))
    parser.add_argument("--hang-after", type=float, default=10.0,
                        help="seconds one input may take before it counts as a hang")
    args = parser.parse_args(argv)
    names = args.target or list(TARGETS)
    signal.signal(signal.SIGALRM, _alarm)
    tallies = {name: Tally() for name in names}
    end = time.monotonic() + args.minutes * 60
    slice_s = max(5.0, args.minutes * 60 / (len(names) * 4))
    while time.monotonic() < end:
        for name in names:
            left = end - time.monotonic()
            if left <= 0:
                break
            fuzz(name, min(slice_s, left), args.hang_after, tallies[name])
    print("| target | inputs | crashes | hangs |\n| --- | --- | --- | --- |")
    for name, t in tallies.items():
        print(f"| {name} | {t.tried} | {len(t.crashes)} | {len(t.hangs)} |")
    total = sum(t.tried for t in tallies.values())
    failures = [line for t in tallies.values() for line in (*t.crashes, *t.hangs)]
    kinds: dict[str, list[str]] = {}
    for line in failures:  # one line per kind of failure, with its shortest input
        kinds.setdefault(_signature(line), []).append(line)
    print(f"\n{total} inputs in {args.minutes:g} min; {len(failures)} failures "
          f"of {len(kinds)} kinds.")
    for signature, lines in sorted(kinds.items()):
        print(f"  {len(lines):>5} x {signature}\n          e.g. {min(lines, key=len)}")
    return 1 if failures else 0


def _signature(line: str) -> str:
    """A failure line without its input and numbers: what makes two failures the same."""
    head = line.split(" <- ")[0].split(" on ")[0]
    return re.sub(r"\d+", "N", head)[:140]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
