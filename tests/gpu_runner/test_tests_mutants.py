"""The tests check's pure parts, pinned: which argv is pytest, which line is pytest's
summary and what it counts, the counts' text and the failure it names.

test_tests_check.py runs real pytest suites through the runner; these are the fast
synthetic cases at each boundary, so a changed comparison or pattern shows without a
subprocess.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.checks import tests as tests_check
from mlready.gpu_runner.checks.tests import (
    _first_failure,
    counts_text,
    is_pytest,
    pytest_counts,
)
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.gpu_runner.session import Session


@pytest.mark.parametrize(("argv", "expected"), [
    ([], False),
    (["py.test"], True), (["/usr/bin/pytest", "-x"], True),
    (["pytest.exe"], False), (["mypytest"], False),
    # the manager's `run` must be one of the two words after it, pytest after that
    (["uv", "run", "pytest"], True), (["pdm", "run", "py.test"], True),
    (["pixi", "run", "/env/bin/pytest"], True),
    (["micromamba", "run", "-n", "env", "pytest"], True),
    (["hatch", "-e", "run", "pytest"], True),
    (["rye", "x", "y", "run", "pytest"], False),
    (["uv", "pytest"], False),  # no `run`
    (["uv", "run"], False),
    (["poetry", "run", "pytest"], True), (["pipenv", "run", "pytest"], True),
    (["mamba", "run", "pytest"], True), (["make", "run", "pytest"], False),
    (["run", "pytest"], False),
    # `-m pytest` anywhere, as a pair
    (["env", "python3", "-m", "pytest"], True), (["python", "-m", "pytest_x"], False),
    (["python", "pytest", "-m"], False), (["-m", "pytest"], True),
    (["python", "-m"], False),
])
def test_which_argv_is_pytest(argv: list[str], expected: bool) -> None:
    assert is_pytest(argv) is expected


def test_the_runners() -> None:
    runners = {"uv", "poetry", "pdm", "pipenv", "hatch", "rye", "conda", "mamba", "micromamba",
               "pixi"}
    assert set(tests_check._RUNNERS) == runners


@pytest.mark.parametrize(("output", "expected"), [
    ("", None),
    ("3 passed\n", (3, 0, 0, 0)),
    ("==== 2 failed, 1 passed in 0.10s ====", (1, 2, 0, 0)),
    ("= 1 passed, 2 errors, 3 skipped, 4 deselected, 5 xfailed, 6 xpassed, 7 warnings "
     "in 1.5s =", (1, 0, 2, 3)),
    ("1 error in 0.2s", (0, 0, 1, 0)),
    ("4 passed in 2 s", (4, 0, 0, 0)),
    ("==== no tests ran in 0.01s ====", (0, 0, 0, 0)),
    # the last summary line counts, not the first
    ("1 failed in 0.1s\n... rerun ...\n  2 passed in 0.3s  \nteardown\n", (2, 0, 0, 0)),
    # a line that mentions counts among other words is no summary
    ("I saw 3 passed yesterday\n", None),
    ("3 passed, and more\n", None),
])
def test_the_summary_line_and_its_counts(output: str,
                                         expected: tuple[int, int, int, int] | None) -> None:
    counts = pytest_counts(output)
    if expected is None:
        assert counts is None
    else:
        assert counts == dict(zip(("passed", "failed", "errors", "skipped"), expected,
                                  strict=True))


def test_counts_add_up_when_a_word_repeats() -> None:
    assert pytest_counts("1 error, 2 errors in 0.1s") == {"passed": 0, "failed": 0,
                                                          "errors": 3, "skipped": 0}


def test_counts_text_names_the_non_zero_counts_in_order() -> None:
    assert counts_text({"passed": 3, "failed": 0, "errors": 2, "skipped": 1}) == \
        "3 passed, 2 errors, 1 skipped"
    assert counts_text({"passed": 0, "failed": 0}) == "no tests"
    assert counts_text({}) == "no tests"


def test_the_first_failure_is_named_else_the_last_telling_line() -> None:
    output = ("collected 3\n  FAILED tests/a.py::test_x - assert 1 == 2\n"
              "ERROR tests/b.py::test_y\n== 1 failed, 1 error ==\n")
    assert _first_failure(output) == "first: FAILED tests/a.py::test_x - assert 1 == 2"
    assert _first_failure("ERROR tests/b.py::t\n") == "first: ERROR tests/b.py::t"
    assert _first_failure("FAILED " + "x" * 300) == "first: FAILED " + "x" * 193
    assert _first_failure("FAILEDtests/a.py\nboom\n") == "boom"
    assert _first_failure("ValueError: bad\nlast\n") == "ValueError: bad"
    assert _first_failure("") == "no output"


def test_the_declaration() -> None:
    assert (tests_check.ID, tests_check.ORDER, tests_check.NEEDS, tests_check.CATEGORY,
            tests_check.LOADS_CHECKPOINTS) == ("tests", 70, (), "testing", False)
    assert tests_check.PLACEHOLDERS == ("python", "device")
    outcomes = {k: r.outcome.value for k, r in tests_check.REASONS.items()}
    assert outcomes == {"not_configured": "not_applicable", "invalid_command": "error",
                        "tests_failed": "fail", "no_tests_collected": "fail",
                        "nothing_passed": "fail"}


def session_for(tmp_path: Path, tests: str | None) -> Session:
    lines = ["[tool.mlready.runner]", 'train = "{python} train.py"']
    if tests is not None:
        lines.append(f"tests = {tests!r}")
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return Session(runner_config.load(tmp_path), "cpu", tmp_path / "work",
                   Progress(0, enabled=False), needs_torch=False)


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_command_is_the_not_configured_gap(tmp_path: Path, text: str | None) -> None:
    session = session_for(tmp_path, text)
    assert tests_check.check(session) == CheckResult(
        check="tests", outcome=Outcome.NOT_APPLICABLE, reason="not_configured",
        summary='no test command configured: set `tool.mlready.runner.tests`, e.g. '
                '"pytest -q"')
    assert session.records == []


def test_an_unknown_placeholder_is_an_invalid_command_and_runs_nothing(
        tmp_path: Path) -> None:
    session = session_for(tmp_path, "pytest {checkpoint}")
    result = tests_check.check(session)
    assert (result.check, result.outcome, result.reason) == ("tests", Outcome.ERROR,
                                                             "invalid_command")
    assert "tool.mlready.runner.tests" in result.summary and "{checkpoint}" in result.summary
    assert result.summary.startswith(f"{tmp_path / 'pyproject.toml'}: ")  # names the file
    assert session.records == []


# The only subprocesses in this file: a few-line script, no pytest and no imports
# beyond os and sys (tens of milliseconds), to see what the check hands the command
# and what it keeps of the result.
PROBE = """import os, sys, time
held = bytearray(48 * 2**20)  # a peak the memory sampler (every 50 ms) cannot miss
time.sleep(0.3)
print("unbuffered", os.environ.get("PYTHONUNBUFFERED"),
      "cuda", repr(os.environ.get("CUDA_VISIBLE_DEVICES")), "device", sys.argv[1])
sys.exit(int(sys.argv[2]))
"""


def test_the_command_gets_the_device_unbuffered_output_and_no_gpu_on_cpu(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # the check sets it, not we
    (tmp_path / "probe.py").write_text(PROBE)
    session = session_for(tmp_path, "{python} probe.py {device} 1")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.FAIL, "tests_failed")
    assert result.summary.endswith(": unbuffered 1 cuda '' device cpu")
    assert set(result.metrics) == {"exit_code", "wall_s"}  # not pytest: no counts
    assert result.metrics["exit_code"] == 1
    wall = result.metrics["wall_s"]
    assert isinstance(wall, float) and 0 < wall < 2.9 and wall == round(wall, 3)
    (record,) = session.records
    assert (record.id, record.purpose, record.status, record.exit_code) == (
        "tests", "the project's test command", "exit", 1)
    assert record.argv == [sys.executable, "probe.py", "cpu", "1"]
    assert 0 < record.wall_s < 3.9 and record.wall_s == round(record.wall_s, 4)
    assert record.peak_rss_bytes is not None and record.peak_rss_bytes > 40 * 2**20
    assert "device cpu" in (tmp_path / "work" / "tests.log").read_text()


def test_the_commands_own_environment_gets_the_placeholders(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text(
        'import os, sys\nprint("on", os.environ["WHERE"])\nsys.exit(1)\n')
    session = session_for(tmp_path, "WHERE={device} {python} probe.py")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert result.summary.endswith(": on cpu")


def test_a_long_command_is_named_by_its_first_80_characters(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text("import sys\nsys.exit(0)\n")
    text = "{python} probe.py " + " ".join(f"arg{i}" for i in range(30))
    session = session_for(tmp_path, text)
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert result.summary.startswith(f"test command `{text[:80]}` exited 0 in ")
    assert result.summary.endswith("s (exit status only)")


def test_pytest_without_a_summary_line_passes_on_its_exit_status_and_says_so(
        tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text('print("all good")\n')
    session = session_for(tmp_path, "{python} probe.py -m pytest")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.PASS, None)
    assert result.summary.endswith("s (pytest (no summary line found))")


def test_a_suite_that_cannot_import_a_module_is_the_environment_not_a_failure(
        tmp_path: Path) -> None:
    """No failed or errored count to go by (pytest died before its summary): the missing
    module says the suite cannot run here, as for a training run."""
    (tmp_path / "probe.py").write_text(
        "import sys\nprint(\"ModuleNotFoundError: No module named 'gym'\")\nsys.exit(1)\n")
    session = session_for(tmp_path, "{python} probe.py -m pytest")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.SKIPPED, "environment")
    assert result.summary.startswith("test command `{python} probe.py -m pytest` cannot run "
                                     "in this environment (a module is missing): ")
    assert set(result.metrics) == {"exit_code", "wall_s"} and result.metrics["exit_code"] == 1
    assert result.log_tail is not None and "No module named 'gym'" in result.log_tail


def test_another_command_printing_a_summary_is_still_judged_by_its_exit_status(
        tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text('print("0 passed, 1 skipped in 0.1s")\n')
    session = session_for(tmp_path, "{python} probe.py")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.PASS, None)
    assert set(result.metrics) == {"exit_code", "wall_s"}
    assert result.summary.endswith("(exit status only)")


def test_nothing_passed_keeps_the_log_tail(tmp_path: Path) -> None:
    # `-m pytest` anywhere marks the command as pytest: here the script ignores it
    (tmp_path / "probe.py").write_text('print("== 2 skipped in 0.1s ==")\n')
    session = session_for(tmp_path, "{python} probe.py -m pytest")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.FAIL, "nothing_passed")
    assert result.metrics["skipped"] == 2 and result.metrics["passed"] == 0
    assert result.metrics["exit_code"] == 0
    assert result.summary.startswith(
        "test command `{python} probe.py -m pytest` passed no test (2 skipped) in ")
    assert result.log_tail is not None and "2 skipped" in result.log_tail


def test_the_progress_line_ends_with_the_commands_status(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text("import sys\nsys.exit(3)\n")
    session = session_for(tmp_path, "{python} probe.py")
    (tmp_path / "work").mkdir()
    stream = io.StringIO()
    session.progress = Progress(1, stream=stream, enabled=True)
    tests_check.check(session)
    line = stream.getvalue()
    assert line.startswith("[1/1] tests: the project's own test command ... exit (")
    assert line.endswith("s)\n")


def test_no_tests_collected_keeps_the_counts_and_the_exit_code(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text(
        'import sys\nprint("==== no tests ran in 0.01s ====")\nsys.exit(5)\n')
    session = session_for(tmp_path, "{python} probe.py -m pytest")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.FAIL, "no_tests_collected")
    assert result.summary == ("test command `{python} probe.py -m pytest` collected no tests "
                              "(pytest exit code 5)")
    wall = result.metrics.pop("wall_s")
    assert isinstance(wall, float) and wall > 0
    assert result.metrics == {"exit_code": 5, "passed": 0, "failed": 0, "errors": 0,
                              "skipped": 0}
    assert result.log_tail is not None and "no tests ran" in result.log_tail


def test_a_command_that_outlives_the_timeout_is_named_with_it(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text("import time\ntime.sleep(30)\n")
    lines = ["[tool.mlready.runner]", 'train = "{python} train.py"',
             'tests = "{python} probe.py"', "timeout = 0.5"]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    session = Session(runner_config.load(tmp_path), "cpu", tmp_path / "work",
                      Progress(0, enabled=False), needs_torch=False)
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.FAIL, "timeout")
    assert result.summary.startswith(
        "test command `{python} probe.py` did not finish within 0.5s; killed its whole "
        "process tree")


@pytest.mark.parametrize(("summary", "found"), [
    ("== 1 failed in 0.1s ==", "1 failed"), ("== 1 passed, 2 errors in 0.1s ==",
                                            "1 passed, 2 errors")])
def test_failed_tests_are_the_tests_verdict_even_beside_a_missing_module(
        tmp_path: Path, summary: str, found: str) -> None:
    """A test that died of a missing module is still a failed test, not an environment
    that cannot run the suite: either count, failed or errors, decides."""
    (tmp_path / "probe.py").write_text(
        "import sys\nprint(\"E   ModuleNotFoundError: No module named 'gym'\")\n"
        f"print({summary!r})\nsys.exit(1)\n")
    session = session_for(tmp_path, "{python} probe.py -m pytest")
    (tmp_path / "work").mkdir()
    result = tests_check.check(session)
    assert (result.outcome, result.reason) == (Outcome.FAIL, "tests_failed")
    assert result.summary == (f"test command `{{python}} probe.py -m pytest` exited with "
                              f"code 1: pytest: {found}; E   ModuleNotFoundError: No module "
                              "named 'gym'")
