"""Every fault is a named outcome with a one-line summary, never a traceback."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from mlready.gpu_runner.results import Outcome

from .helpers import TRAIN, MakeProject, run

pytestmark = pytest.mark.slow


def _one_line(summary: str) -> None:
    assert summary and "\n" not in summary and "Traceback" not in summary


def test_command_not_found_is_a_config_error(make_project: MakeProject) -> None:
    cfg = make_project(train='"no-such-trainer-xyz --steps {steps}"')
    result = run(cfg, "smoke")["smoke"]
    assert (result.outcome, result.reason) == (Outcome.ERROR, "command_not_found")
    assert result.summary == ("train run `no-such-trainer-xyz --steps 6`: no-such-trainer-xyz: "
                              "command not found; fix `tool.mlready.runner.train`")


def test_nonzero_exit_names_the_last_error_line(make_project: MakeProject) -> None:
    results = run(make_project("exit1"), "smoke", "checkpoint")
    smoke = results["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.FAIL, "nonzero_exit")
    assert smoke.summary.endswith("exited with code 1: RuntimeError: dataset not found at /nope")
    assert "loading data" in smoke.log_tail
    # The other check points at the smoke failure instead of repeating it.
    assert (results["checkpoint"].outcome, results["checkpoint"].reason) == (
        Outcome.SKIPPED, "prerequisite_failed")


def test_hang_kills_the_process_group_and_grandchild(make_project: MakeProject,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from mlready.gpu_runner.runner import execute

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # kept run dirs land here
    cfg = make_project("hang", timeout=3)
    started = time.monotonic()
    report = execute(cfg, ("smoke",), keep_run_dirs=True, progress=False)
    smoke = report.checks[0]
    assert (smoke.outcome, smoke.reason) == (Outcome.FAIL, "timeout")
    assert "did not finish within 3s; killed its whole process tree" in smoke.summary
    assert time.monotonic() - started < 15
    work = Path(str(report.environment["work_dir"]))
    grandchild = int((work / "ref" / "grandchild.pid").read_text())
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and psutil.pid_exists(grandchild):
        try:
            if psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    alive = psutil.pid_exists(grandchild) and \
        psutil.Process(grandchild).status() != psutil.STATUS_ZOMBIE
    assert not alive


def test_no_metrics_matched(make_project: MakeProject) -> None:
    smoke = run(make_project("print-only"), "smoke")["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.FAIL, "no_metrics")
    assert "$MLREADY_METRICS_FILE stayed empty" in smoke.summary
    wrong = "metrics = 'steP (?P<step>\\d+) loss (?P<loss>\\S+)'"
    regex = run(make_project("print-only", extra=wrong), "smoke")["smoke"]
    assert (regex.outcome, regex.reason) == (Outcome.FAIL, "no_metrics")
    assert "no output line matched `tool.mlready.runner.metrics`" in regex.summary


def test_regex_mode_works_with_a_script_that_only_prints(make_project: MakeProject) -> None:
    cfg = make_project("print-only", steps=8,
                       extra="metrics = 'step (?P<step>\\d+) loss (?P<loss>\\S+)'")
    smoke = run(cfg, "smoke")["smoke"]
    assert smoke.outcome is Outcome.PASS, smoke.summary
    assert smoke.metrics["steps_logged"] == 8
    assert [p[0] for p in smoke.series["loss"]] == [float(i) for i in range(1, 9)]


def test_nan_loss(make_project: MakeProject) -> None:
    smoke = run(make_project("nan"), "smoke")["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.FAIL, "nonfinite_metric")
    assert smoke.summary.startswith("non-finite loss at step 3 (nan): training diverged")


@pytest.mark.parametrize(("mode", "reason", "text"), [
    ("no-ckpt", "checkpoint_missing", "no file matches `tool.mlready.runner.checkpoint`"),
    ("corrupt-ckpt", "corrupted_checkpoint", "checkpoint.pt cannot be read"),
    ("pickle", "needs_full_unpickling", "needs full unpickling (it pickles "
                                        "`argparse.Namespace`)"),
    ("no-opt-save", "incomplete_checkpoint", "lacks optimizer"),
])
def test_checkpoint_faults(make_project: MakeProject, mode: str, reason: str,
                           text: str) -> None:
    result = run(make_project(mode), "checkpoint")["checkpoint"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, reason)
    assert text in result.summary
    _one_line(result.summary)


@pytest.mark.parametrize(("eval_mode", "reason", "text"), [
    ("nonjson", "eval_not_json", "eval wrote a {metrics_file} that is not JSON"),
    ("none", "eval_no_metrics", "eval exited 0 but wrote nothing to {metrics_file}"),
    ("low", "threshold_failed", "accuracy = 0.5, needs >= 0.7"),
])
def test_eval_faults(make_project: MakeProject, eval_mode: str, reason: str, text: str) -> None:
    result = run(make_project(eval_mode=eval_mode), "eval")["eval"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, reason)
    assert text in result.summary


def test_full_disk_in_run_dir_is_an_error_not_a_failure(make_project: MakeProject) -> None:
    smoke = run(make_project("enospc"), "smoke")["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.ERROR, "disk_full")


def test_not_applicable_without_eval_or_resume(tmp_path: Path) -> None:
    from mlready.gpu_runner import config as rc

    (tmp_path / "pyproject.toml").write_text(
        f'[tool.mlready.runner]\ntrain = "{{python}} {TRAIN} --steps {{steps}} --out {{run_dir}}"'
        '\nsteps = 4\n')
    results = run(rc.load(tmp_path), "eval", "resume", "distributed")
    assert {r.outcome for r in results.values()} == {Outcome.NOT_APPLICABLE}


def test_cuda_requested_without_gpu_is_skipped(make_project: MakeProject) -> None:
    from mlready.gpu_runner.memory import gpu_count
    from mlready.gpu_runner.runner import execute

    if gpu_count():
        pytest.skip("a GPU is present")
    cfg = make_project().with_overrides(device="cuda")
    report = execute(cfg, None, progress=False)
    assert {(r.outcome, r.reason) for r in report.checks} == {(Outcome.SKIPPED, "no_gpu")}
    assert report.exit_code == 2  # proved nothing: must not look green


def test_interpreter_is_the_running_one(make_project: MakeProject) -> None:
    assert make_project().python == sys.executable


def test_double_forked_daemon_does_not_outlive_the_run(make_project: MakeProject,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from mlready.gpu_runner.runner import execute

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # kept run dirs land here
    report = execute(make_project("daemon", steps=3), ("smoke",), keep_run_dirs=True,
                     progress=False)
    assert report.checks[0].outcome is Outcome.PASS, report.checks[0].summary
    work = Path(str(report.environment["work_dir"]))
    daemon = int((work / "ref" / "daemon.pid").read_text())
    assert not psutil.pid_exists(daemon)  # killed and reaped when the run ended


def test_deeply_nested_checkpoint_is_named_not_an_internal_error(
        make_project: MakeProject) -> None:
    result = run(make_project("deep-ckpt", steps=2), "checkpoint")["checkpoint"]
    assert (result.outcome, result.reason) == (Outcome.ERROR, "checkpoint_too_deep")
    assert result.summary.startswith("checkpoint.pt: checkpoint nesting too deep to compare "
                                     "(over 100 levels at `notes.x.x.x")
    _one_line(result.summary)


def test_full_disk_while_copying_for_resume(make_project: MakeProject,
                                            small_disk: Callable[[str], Path]) -> None:
    # 1 MB holds the smoke run's and the long run's 400 KB each, not a third copy.
    small_disk("1m")
    result = run(make_project("pad", steps=2), "resume")["resume"]
    assert (result.outcome, result.reason) == (Outcome.ERROR, "disk_full"), result.summary
    assert result.summary.startswith("disk full while copying the checkpoint for resume (in ")
    _one_line(result.summary)
