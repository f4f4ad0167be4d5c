"""tests: the project's own test command, run for real (pytest in a subprocess).

The projects are written here: a tiny test suite in tmp_path, run by the interpreter
running this suite, so the counts come from a real pytest summary line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.checks.tests import is_pytest, pytest_counts
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.runner import execute

from .helpers import FIXTURES, by_id

pytestmark = pytest.mark.slow

PYTEST = "{python} -m pytest -q -p no:cacheprovider"


def project(tmp_path: Path, tests: str | None, files: dict[str, str]) -> Path:
    root = tmp_path / "project"
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    lines = ["[tool.mlready.runner]",
             f'train = "{{python}} {FIXTURES / "tiny.py"} --steps {{steps}} --out {{run_dir}}"',
             "timeout = 60"]
    if tests is not None:
        lines.append(f"tests = {tests!r}")
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return root


def result_of(root: Path):  # type: ignore[no-untyped-def]
    report = execute(runner_config.load(root), ("tests",), progress=False)
    return by_id(report)["tests"], report


GOOD = {"tests/test_model.py": "import pytest\n\n\ndef test_a():\n    assert 1 + 1 == 2\n\n\n"
                               "def test_b():\n    assert True\n\n\n"
                               "@pytest.mark.skip(reason='later')\ndef test_c():\n    pass\n"}


def test_a_passing_pytest_suite_passes_with_its_counts(tmp_path: Path) -> None:
    result, report = result_of(project(tmp_path, PYTEST, GOOD))
    assert result.outcome is Outcome.PASS, result.summary
    assert result.summary.startswith("pytest: 2 passed, 1 skipped in ")
    assert {k: result.metrics[k] for k in ("passed", "failed", "errors", "skipped",
                                           "exit_code")} == {
        "passed": 2, "failed": 0, "errors": 0, "skipped": 1, "exit_code": 0}
    assert [r.id for r in report.runs] == ["tests"]  # no training run was started


def test_a_failing_test_fails_naming_it(tmp_path: Path) -> None:
    files = {**GOOD, "tests/test_loss.py": "def test_loss():\n    assert 2 < 1\n"}
    result, _ = result_of(project(tmp_path, PYTEST, files))
    assert (result.outcome, result.reason) == (Outcome.FAIL, "tests_failed")
    assert "exited with code 1: pytest: 2 passed, 1 failed, 1 skipped; first: FAILED " \
           "tests/test_loss.py::test_loss" in result.summary
    assert result.metrics["failed"] == 1
    assert "test_loss" in result.log_tail


def test_no_test_collected_is_a_failure(tmp_path: Path) -> None:
    result, _ = result_of(project(tmp_path, PYTEST, {"tests/helper.py": "X = 1\n"}))
    assert (result.outcome, result.reason) == (Outcome.FAIL, "no_tests_collected")


def test_all_skipped_passes_nothing(tmp_path: Path) -> None:
    files = {"tests/test_x.py": "import pytest\n\n\n@pytest.mark.skip\ndef test_x():\n    pass\n"}
    result, _ = result_of(project(tmp_path, PYTEST, files))
    assert (result.outcome, result.reason) == (Outcome.FAIL, "nothing_passed")


def test_another_command_is_judged_by_its_exit_status(tmp_path: Path) -> None:
    ok, _ = result_of(project(tmp_path, '{python} -c "print(1)"', {}))
    assert ok.outcome is Outcome.PASS
    assert ok.summary.endswith("(exit status only)")
    assert "passed" not in ok.metrics
    bad, _ = result_of(project(tmp_path / "b", '{python} -c "raise SystemExit(3)"', {}))
    assert (bad.outcome, bad.reason, bad.metrics["exit_code"]) == (
        Outcome.FAIL, "tests_failed", 3)


def test_not_configured_is_named_not_passed(tmp_path: Path) -> None:
    result, report = result_of(project(tmp_path, None, {}))
    assert (result.outcome, result.reason) == (Outcome.NOT_APPLICABLE, "not_configured")
    assert "`tool.mlready.runner.tests`" in result.summary
    assert report.runs == ()


def test_a_missing_command_is_an_error_naming_the_key(tmp_path: Path) -> None:
    result, _ = result_of(project(tmp_path, "no-such-test-runner-xyz -q", {}))
    assert (result.outcome, result.reason) == (Outcome.ERROR, "command_not_found")
    assert "fix `tool.mlready.runner.tests`" in result.summary


def test_an_unknown_placeholder_is_an_invalid_command(tmp_path: Path) -> None:
    result, _ = result_of(project(tmp_path, "pytest {checkpoint}", {}))
    assert (result.outcome, result.reason) == (Outcome.ERROR, "invalid_command")
    assert "tool.mlready.runner.tests" in result.summary


@pytest.mark.parametrize(("argv", "expected"), [
    (["pytest", "-q"], True), (["/venv/bin/py.test"], True),
    (["python", "-m", "pytest"], True), (["make", "test"], False),
    (["python", "-m", "unittest"], False), (["python", "pytest.py"], False),
    (["uv", "run", "pytest", "-q"], True), (["poetry", "run", "python", "-m", "pytest"], True),
    (["conda", "run", "-n", "env", "pytest"], True), (["uv", "run", "train.py"], False),
    (["make", "pytest"], False),
])
def test_which_commands_are_pytest(argv: list[str], expected: bool) -> None:
    assert is_pytest(argv) is expected


@pytest.mark.parametrize(("tail", "expected"), [
    ("..F\n=== 1 failed, 2 passed, 3 warnings in 0.52s ===\n",
     {"passed": 2, "failed": 1, "errors": 0, "skipped": 0}),
    ("2 passed, 1 skipped, 1 error in 3.10s\n",
     {"passed": 2, "failed": 0, "errors": 1, "skipped": 1}),
    ("5 passed in 1.00s\nsome teardown noise\n", {"passed": 5, "failed": 0, "errors": 0,
                                                  "skipped": 0}),
    ("no summary here\n", None),
])
def test_counts_come_from_the_last_summary_line(tail: str,
                                                expected: dict[str, int] | None) -> None:
    assert pytest_counts(tail) == expected
