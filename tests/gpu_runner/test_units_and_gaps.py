"""Summaries count in the unit {steps} counts (`step-unit`), never in logged records; and
`checkpoint = false` makes checkpoint and resume not applicable with the gap named."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.config import ConfigError
from mlready.gpu_runner import config as rc
from mlready.gpu_runner.checks.smoke import speed_text, step_rate
from mlready.gpu_runner.results import Outcome

from .helpers import FIXTURES
from .helpers import run as run_checks

TINY = FIXTURES / "tiny.py"


def load(tmp_path: Path, body: str) -> rc.RunnerConfig:
    (tmp_path / "pyproject.toml").write_text("[tool.mlready.runner]\n" + body)
    return rc.load(tmp_path)


def error(tmp_path: Path, body: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, body)
    return str(info.value)


@pytest.mark.parametrize(("given", "plural", "one"), [
    (None, "steps", "step"), ("epochs", "epochs", "epoch"), ("timesteps", "timesteps",
                                                             "timestep"),
    ("epoch", "epochs", "epoch"), ("batches", "batches", "batch"),
    ("env-steps", "env-steps", "env-step")])
def test_step_unit(tmp_path: Path, given: str | None, plural: str, one: str) -> None:
    extra = f'step-unit = "{given}"\n' if given else ""
    cfg = load(tmp_path, 'train = "x {steps}"\n' + extra)
    assert (cfg.step_unit, cfg.unit, cfg.unit_plural) == (plural, one, plural)
    assert cfg.to_json()["step-unit"] == plural


def test_singular() -> None:
    assert [rc.singular(w) for w in ("steps", "classes", "boxes", "progress", "data")] == [
        "step", "class", "box", "progress", "data"]


def test_bad_step_unit(tmp_path: Path) -> None:
    assert error(tmp_path, 'train = "x"\nstep-unit = "Epochs!"\n').endswith(
        "`tool.mlready.runner.step-unit` must be a lower-case plural noun such as \"epochs\" "
        "or \"timesteps\", got 'Epochs!'")


@pytest.mark.parametrize(("args", "expected"), [
    # The logged steps count what {steps} counts: rate between first and last record.
    ((20, 1, 20, 20, 1.0, 4.8, 5.0), (5.0, "logged")),
    # Records are episodes (numbered 1..7) of a 300-timestep run: only the wall time.
    ((300, 1, 7, 7, 1.0, 4.8, 6.0), (50.0, "wall")),
    # Records written within one sample: the wall time again.
    ((20, 1, 20, 20, 1.0, 1.0, 4.0), (5.0, "wall")),
    ((20, 20, 20, 1, 1.0, 1.0, 4.0), None),  # one record: no rate at all
])
def test_step_rate(args: tuple[int, int, int, int, float, float, float],
                   expected: tuple[float, str] | None) -> None:
    assert step_rate(*args) == expected


def test_speed_text_never_calls_a_record_a_step() -> None:
    assert speed_text(20, "steps", 5.04, 20, (5.0, "logged"), records_are_steps=True) == \
        "20 steps in 5.0s (5 steps/s)"
    assert speed_text(300, "timesteps", 6.0, 7, (50.0, "wall"), records_are_steps=False) == \
        "300 timesteps in 6.0s (50 timesteps/s, start-up included); 7 records logged"
    assert speed_text(2, "epochs", 3.2, 1, None, records_are_steps=False) == \
        "2 epochs in 3.2s; 1 record logged"


@pytest.mark.slow
def test_smoke_counts_timesteps_not_episode_records(tmp_path: Path) -> None:
    cfg = load(tmp_path, f'train = "{{python}} {TINY} --steps {{steps}} --out {{run_dir}} '
                         f'--mode episodes"\nsteps = 12\nstep-unit = "timesteps"\n')
    smoke = run_checks(cfg, "smoke")["smoke"]
    assert smoke.outcome is Outcome.PASS, smoke.summary
    assert smoke.summary.startswith("12 timesteps in ")
    assert "timesteps/s, start-up included); 3 records logged; loss 1 -> 0.3333" in \
        smoke.summary
    assert " steps" not in smoke.summary
    assert (smoke.metrics["records_logged"], smoke.metrics["steps_per_s_basis"]) == (3, "wall")


# -- checkpoint = false -------------------------------------------------------------------

def test_checkpoint_false_config(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'train = "x"\ncheckpoint = false\n')
    assert not cfg.writes_checkpoint and cfg.to_json()["checkpoint"] is False
    assert load(tmp_path, 'train = "x"\n').writes_checkpoint
    assert error(tmp_path, 'train = "x"\ncheckpoint = true\n').endswith(
        "`tool.mlready.runner.checkpoint = true` says nothing; give the glob a run leaves, "
        "e.g. \"{run_dir}/checkpoint*.pt\", or false when training writes no checkpoint")
    assert error(tmp_path, 'train = "x"\ncheckpoint = false\nresume = { args = "--r '
                           '{checkpoint}" }\n').endswith(
        "`tool.mlready.runner.resume` needs a checkpoint to resume from, but "
        "`tool.mlready.runner.checkpoint = false`; remove one of them")
    # An eval that does not read the checkpoint is fine without one.
    assert load(tmp_path, 'train = "x"\ncheckpoint = false\neval = "e --out {metrics_file}"\n'
                ).eval is not None
    assert "`tool.mlready.runner.eval` uses {checkpoint}" in error(
        tmp_path, 'train = "x"\ncheckpoint = false\neval = "e --c {checkpoint}"\n')


@pytest.mark.slow
def test_a_training_without_checkpoints(tmp_path: Path) -> None:
    cfg = load(tmp_path, f'train = "{{python}} {TINY} --steps {{steps}} --out {{run_dir}} '
                         f'--mode no-ckpt"\nsteps = 4\ncheckpoint = false\n')
    results = run_checks(cfg, "smoke", "checkpoint", "resume")
    assert results["smoke"].outcome is Outcome.PASS
    for check in ("checkpoint", "resume"):
        result = results[check]
        assert (result.outcome, result.reason) == (Outcome.NOT_APPLICABLE, "no_checkpoint")
        assert result.summary == ("training writes no checkpoint: a crash loses the run "
                                  "(`tool.mlready.runner.checkpoint = false`)")
        assert result.details["readiness_gap"] == "no_checkpoint"


# Logs one record every 10 steps, its loss set by the seed; writes no checkpoint.
SPARSE = '''import argparse
import random

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int)
p.add_argument("--seed", type=int)
a = p.parse_args()
rng = random.Random(a.seed)
for step in range(1, a.steps + 1):
    loss = rng.random() / step
    if step % 10 == 0:
        print(f"step {step} loss {loss:.6f}", flush=True)
'''


@pytest.mark.slow
def test_reproducibility_says_how_many_records_it_compared_and_that_no_weights_were(
        tmp_path: Path) -> None:
    """20 steps that log 2 records agree on 2 records, not on "20 steps"."""
    (tmp_path / "sparse.py").write_text(SPARSE)
    cfg = load(tmp_path, 'train = "{python} sparse.py --steps {steps} --seed {seed}"\n'
                         'steps = 20\ncheckpoint = false\n'
                         r"metrics = '^step (?P<step>\d+) loss (?P<loss>\S+)$'" + "\n")
    repro = run_checks(cfg, "reproducibility")["reproducibility"]
    assert repro.outcome is Outcome.PASS, repro.summary
    assert repro.summary == (
        "seed 0 twice: metrics (2 logged records) bitwise identical over 20 steps; final "
        "weights not compared (checkpoint_missing); seed 1 differs from step 10")
