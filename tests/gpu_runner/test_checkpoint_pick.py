"""A glob that matches several checkpoints: the latest by the step each holds, else by
modification time, and the checkpoint check says which file and why.

`pick_checkpoint` on synthetic inputs; then the session's picker and the checkpoint check
on real torch files (no training run: the run outcome is built from them).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.checkpoint_pick import pick_checkpoint
from mlready.gpu_runner.checks import checkpoint as checkpoint_check
from mlready.gpu_runner.plan import RUNS
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.session import RunOutcome, Session

from .helpers import written_in_order


def test_latest_by_step_beats_a_newer_file(tmp_path: Path) -> None:
    a, b, c = written_in_order(tmp_path, "ckpt_20.pt", "ckpt_10.pt", "best.pt")
    held = {a: ("global_step", 20.0), b: ("global_step", 10.0), c: ("global_step", 15.0)}
    assert pick_checkpoint([a, b, c], held.get) == (
        a, "the latest of 3 files matching the glob by the step it holds "
           "(`global_step` = 20; the next holds 15)")


def test_equal_steps_go_to_the_newest_file(tmp_path: Path) -> None:
    a, b = written_in_order(tmp_path, "checkpoint.pt", "checkpoint_best.pt")
    assert pick_checkpoint([a, b], lambda _: ("step", 6.0)) == (
        b, "the newest by modification time of the 2 files matching the glob that hold the "
           "highest step (`step` = 6)")


def test_without_a_step_in_every_file_by_modification_time(tmp_path: Path) -> None:
    a, b = written_in_order(tmp_path, "ckpt_9.pt", "ckpt_10.pt")
    held = {a: ("epoch", 9.0)}
    assert pick_checkpoint([a, b], held.get) == (
        b, "the newest of 2 files matching the glob by modification time (not every one "
           "holds a readable step counter)")
    os.utime(a, (5000, 5000))
    assert pick_checkpoint([a, b], held.get)[0] == a
    os.utime(b, (5000, 5000))  # same time: the higher number in the name, not the text
    assert pick_checkpoint([b, a], held.get)[0] == b


def test_session_reads_the_steps_from_real_files_and_the_check_names_the_pick(
        tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlready.runner]\ntrain = "{python} t.py"\n'
        'checkpoint = "{run_dir}/ckpt_*.pt"\n')
    session = Session(runner_config.load(tmp_path), "cpu", tmp_path,
                      Progress(1, io.StringIO(), enabled=False), needs_torch=False)
    run_dir = tmp_path / "ref"
    run_dir.mkdir()
    paths = []
    for step in (30, 10, 20):  # the last written is not the latest
        path = run_dir / f"ckpt_{step}.pt"
        torch.save({"model": {"w": torch.zeros(2)},
                    "optimizer": {"state": {}, "param_groups": [{"lr": 0.1}]},
                    "trainer": {"iter_num": step}}, path)
        paths.append(path)
    ref = RunOutcome(RUNS["ref"], run_dir, 3, 0, checkpoints=tuple(sorted(paths)))
    session._runs["ref"] = ref  # the run already happened: these are the files it left
    assert session.single_checkpoint(ref) == run_dir / "ckpt_30.pt"
    result = checkpoint_check.check(session)
    assert result.outcome is Outcome.PASS
    assert result.summary.startswith(
        "ckpt_30.pt (0.0 MB; the latest of 3 files matching the glob by the step it holds "
        "(`trainer.iter_num` = 30; the next holds 20)) loads with weights_only=True")
    assert result.details["picked"] == session.picked_because(ref)


def test_counters_under_different_keys_are_not_compared(tmp_path: Path) -> None:
    """The run logs per epoch: the newer file's `epoch` matches the logged step and is
    taken, the older one's `step` is taken by its name; 50 steps is not after epoch 4."""
    from mlready.gpu_runner.checkpoint import step_counter

    old, new = written_in_order(tmp_path, "ckpt_a.pt", "ckpt_b.pt")
    held = {old: step_counter({"epoch": 2, "step": 50}, 4),
            new: step_counter({"epoch": 4, "step": 100}, 4)}
    assert held == {old: ("step", 50.0), new: ("epoch", 4.0)}
    assert pick_checkpoint([old, new], held.get) == (
        new, "the newest of 2 files matching the glob by modification time (their step "
             "counters are not one key: `epoch`, `step`)")
