"""The proofs: a good project passes everything; each resume / seeding fault is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.results import Outcome, RunReport
from mlready.gpu_runner.runner import execute

from .helpers import FIXTURES, MakeProject, by_id, run

pytestmark = pytest.mark.slow


def test_good_project_passes_everything_with_five_training_runs(
        make_project: MakeProject) -> None:
    # The tiny trainer's 6 steps are all warm-up (their pace is no steady pace), so a
    # burn-in sized on them would train too little, or, as the machine's load goes, enough:
    # off here, so memory-growth is not measured; test_memory_growth.py runs burn-ins on a
    # trainer whose pace is steady from its first step.
    report = execute(make_project(extra="memory-burn-in = false"), progress=False)
    results = by_id(report)
    assert {k: v.outcome for k, v in results.items()} == {
        "smoke": Outcome.PASS, "checkpoint": Outcome.PASS, "eval": Outcome.PASS,
        "eval-determinism": Outcome.PASS, "reproducibility": Outcome.PASS,
        "resume": Outcome.PASS, "distributed": Outcome.NOT_APPLICABLE,
        # opt-in (`seeds`), and 6 steps are too short a burn-in: not measured, not passed
        "seed-spread": Outcome.NOT_APPLICABLE, "memory-growth": Outcome.NOT_MEASURED,
        "tests": Outcome.NOT_APPLICABLE}  # no `tests` command: a gap the scorecard counts
    assert [r.id for r in report.runs] == ["ref", "eval", "eval_repeat", "repeat",
                                           "other_seed", "long", "resumed"]
    assert results["reproducibility"].metrics["tier"] == "bitwise"
    assert results["reproducibility"].summary == (
        "seed 0 twice: metrics (6 logged records) and final weights bitwise identical over "
        "6 steps; "
        "seed 1 differs from step 1")
    assert results["resume"].summary == (
        "resume at step 6 to 12 matches the uninterrupted run: metrics and final "
        "model/optimizer bitwise identical")
    smoke = results["smoke"]
    assert smoke.metrics["peak_rss_mb"] is not None and float(smoke.metrics["peak_rss_mb"]) > 50
    assert smoke.metrics["peak_gpu_mb"] is None
    assert results["checkpoint"].metrics["has_rng"] is True
    # The results file round-trips and is strict JSON.
    data = json.loads(json.dumps(report.to_json(), allow_nan=False))
    again = RunReport.from_json(data)
    assert again.to_json() == data and again.exit_code == 0
    assert 0 < report.commands_wall_s <= report.duration_s


@pytest.mark.parametrize(("mode", "reason", "text"), [
    ("no-opt-save", "missing_optimizer_state",
     "checkpoint has no optimizer state: optimizer moments (e.g. Adam's) restart from zero"),
    ("resume-no-opt-load", "optimizer_not_restored",
     "optimizer state is saved but not restored on resume (ends at 6 after resume vs 12 "
     "uninterrupted)"),
    ("no-rng-save", "missing_rng_state", "checkpoint has no RNG state"),
    ("resume-no-rng-load", "rng_not_restored", "RNG state is saved but not restored"),
    ("step-restart", "step_counter_not_restored",
     "resumed run logged from step 1 instead of 7; the step counter is not restored"),
])
def test_resume_faults_name_the_cause(make_project: MakeProject, mode: str, reason: str,
                                      text: str) -> None:
    result = run(make_project(mode), "resume")["resume"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, reason), result.summary
    assert text in result.summary
    assert "\n" not in result.summary
    if mode == "no-rng-save":
        # Batches and dropout come from the global RNG: the first step after resume differs.
        assert result.metrics["first_divergence_step"] == 7
        assert result.summary.startswith("resumed run diverges at step 7 (|diff loss| = ")


def test_resume_via_env_var(make_project: MakeProject) -> None:
    cfg = make_project(resume='{ env = { RESUME_FROM = "{checkpoint}" } }')
    assert run(cfg, "resume")["resume"].outcome is Outcome.PASS


def test_unseeded_run_is_not_reproducible(make_project: MakeProject) -> None:
    result = run(make_project("unseeded"), "reproducibility")["reproducibility"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "not_reproducible")
    assert result.summary.startswith("two runs with seed 0 differ at step 1 (|diff loss| = ")
    assert result.summary.endswith("differ from the first step, so initialisation or data "
                                   "order is not seeded")


def test_ignored_seed_is_caught_by_the_other_seed_run(make_project: MakeProject) -> None:
    result = run(make_project("ignore-seed"), "reproducibility")["reproducibility"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "seed_ignored")
    assert result.summary == ("seed 1 reproduced seed 0 exactly: the seed does not reach the "
                              "randomness")


def test_runner_disk_full_is_an_error_and_run_dirs_are_removed(
        make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import shutil
    import tempfile

    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copytree", full)  # copying ref's dir for the resume
    result = run(make_project(), "resume")["resume"]
    assert (result.outcome, result.reason) == (Outcome.ERROR, "disk_full")
    assert result.summary.startswith("disk full while copying the checkpoint for resume (in ")
    assert list(work.iterdir()) == []  # the temporary run directories are gone


def _loop_project(tmp_path: Path, mode: str) -> runner_config.RunnerConfig:
    """tests/fixtures/runner/loop.py: `iter_num`, a checkpoint written before the update."""
    loop = FIXTURES / "loop.py"
    (tmp_path / "pyproject.toml").write_text(
        "[tool.mlready.runner]\n"
        f'train = "{{python}} {loop} --max-iters {{steps}} --seed {{seed}} '
        f'--out {{run_dir}} --mode {mode}"\n'
        'resume = { args = "--resume {checkpoint}" }\n'
        'checkpoint = "{run_dir}/ckpt.pt"\n'
        "metrics = 'iter (?P<step>\\d+): loss (?P<loss>\\S+)'\n"
        "steps = 6\ntimeout = 60\n")
    return runner_config.load(tmp_path)


def test_iter_num_counter_and_pre_update_checkpoint_resume_exactly(tmp_path: Path) -> None:
    results = run(_loop_project(tmp_path, "good"), "checkpoint", "resume")
    checkpoint, resume = results["checkpoint"], results["resume"]
    assert checkpoint.outcome is Outcome.PASS, checkpoint.summary
    assert "step (iter_num)" in checkpoint.summary and checkpoint.metrics["step"] == 6
    assert resume.outcome is Outcome.PASS, resume.summary
    # The resumed run logs iteration 6 again; it is compared, not taken for a restart.
    assert (resume.metrics["resumed_first_logged_step"],
            resume.metrics["first_compared_step"]) == (6, 6)
    assert resume.summary == ("resume at step 6 to 12 matches the uninterrupted run: metrics "
                              "and final model/optimizer bitwise identical")


def test_pre_update_checkpoint_without_data_position_blames_the_data(tmp_path: Path) -> None:
    resume = run(_loop_project(tmp_path, "no-data"), "resume")["resume"]
    assert (resume.outcome, resume.reason) == (Outcome.FAIL, "missing_data_position")
    assert resume.metrics["first_divergence_step"] == 6
    assert resume.summary.startswith("resumed run diverges at step 6 (|diff loss| = ")
    assert "; it logs step 6 again: the checkpoint precedes that step's update); checkpoint " \
           "holds no data position (" in resume.summary


@pytest.mark.parametrize("mode", ["save-early", "save-early-unnamed"])
def test_a_checkpoint_from_before_the_last_step_is_resumed_from_where_it_was_written(
        make_project: MakeProject, mode: str) -> None:
    # Saved after step 4 of 6 (a save every few steps), the resumed run logs from step 5:
    # it continued from its checkpoint, with or without a counter the runner can read.
    result = run(make_project(mode), "resume")["resume"]
    assert result.outcome is Outcome.PASS, result.summary
    assert (result.metrics["resumed_first_logged_step"], result.metrics["resume_step"],
            result.metrics["first_compared_step"]) == (5, 4, 5)
    assert result.summary == ("resume at step 4 to 12 matches the uninterrupted run: metrics "
                              "and final model/optimizer bitwise identical")


def test_a_restart_without_a_step_counter_does_not_guess_where_the_checkpoint_was(
        make_project: MakeProject) -> None:
    # The weights alone, and the count starts at 1 again (makemore's --resume): a restart,
    # but which step the checkpoint is of, nothing in it says.
    result = run(make_project("weights-only"), "resume")["resume"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "missing_step_counter")
    assert result.summary.startswith(
        "resumed run logged from step 1, where a fresh run starts, instead of continuing "
        "after its checkpoint; checkpoint has no step counter")
