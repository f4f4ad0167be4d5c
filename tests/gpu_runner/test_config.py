"""Config validation: every mistake is one line naming the key and the fix."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from mlready.config import ConfigError
from mlready.gpu_runner import config as rc


def load(tmp_path: Path, body: str) -> rc.RunnerConfig:
    (tmp_path / "pyproject.toml").write_text("[tool.mlready.runner]\n" + body)
    return rc.load(tmp_path)


def error(tmp_path: Path, body: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, body)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_defaults_and_templates(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'train = "CUDA_LAUNCH_BLOCKING=1 {python} t.py --out {run_dir}"\n')
    assert cfg.steps == 20 and cfg.seed == 0 and cfg.metrics == "jsonl" and cfg.nproc == 1
    assert cfg.train.env == (("CUDA_LAUNCH_BLOCKING", "1"),)
    argv = cfg.train.render({"python": sys.executable, "run_dir": "/tmp/a dir/x"})
    assert argv == [sys.executable, "t.py", "--out", "/tmp/a dir/x"]  # one token, no shell


@pytest.mark.parametrize(("body", "expected"), [
    ('', "no [tool.mlready.runner] table"),
    ('steps = 3\n', "`tool.mlready.runner.train` is required"),
    ('train = "x"\nstep = 3\n', "unknown key `tool.mlready.runner.step`"),
    ('train = "x {stepz}"\n', "`tool.mlready.runner.train`: unknown placeholder {stepz}"),
    ('train = "x {checkpoint}"\n', "unknown placeholder {checkpoint}"),
    ('train = "x \'oops"\n', "`tool.mlready.runner.train`: cannot split"),
    ('train = "x"\nsteps = 1\n', "`tool.mlready.runner.steps` must be at least 2"),
    ('train = "x"\nsteps = "5"\n', "`tool.mlready.runner.steps` must be an integer"),
    ('train = "x"\ndevice = "tpu"\n', "`tool.mlready.runner.device` must be one of"),
    ('train = "x"\nmetrics = "loss (\\\\S+)"\n', "regex has no named groups"),
    ('train = "x"\nmetrics = "(?P<loss"\n', "`tool.mlready.runner.metrics` is not a valid regex"),
    ('train = "x"\neval = "e"\n[tool.mlready.runner.thresholds]\nacc = "about 0.7"\n',
     "`tool.mlready.runner.thresholds.acc` must read like"),
    ('train = "x"\n[tool.mlready.runner.thresholds]\nacc = "> 0.7"\n',
     "`tool.mlready.runner.thresholds` needs `tool.mlready.runner.eval`"),
    ('train = "x"\nresume = { args = "a", env = { A = "b" } }\n', "needs exactly one of"),
    ('train = "x"\nresume = { flags = "a" }\n', "unknown key `tool.mlready.runner.resume.flags`"),
    ('train = "x"\nresume = "r {chekpoint}"\n', "`tool.mlready.runner.resume`: unknown "
                                                "placeholder {chekpoint}"),
    ("train = \"x\"\neval-metrics = 'acc (?P<acc>\\\\S+)'\n",
     "`tool.mlready.runner.eval-metrics` needs `tool.mlready.runner.eval`"),
    ('train = "x"\neval = "e"\neval-metrics = "acc (\\\\S+)"\n',
     "`tool.mlready.runner.eval-metrics` regex has no named groups"),
    ('train = "x"\neval = "e"\neval-metrics = "(?P<acc"\n',
     "`tool.mlready.runner.eval-metrics` is not a valid regex"),
    ('train = "x"\neval = "e"\neval-metrics = 3\n',
     "`tool.mlready.runner.eval-metrics` must be a string"),
])
def test_errors_name_the_key(tmp_path: Path, body: str, expected: str) -> None:
    assert expected in error(tmp_path, body)


def test_resume_forms(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'train = "t"\nresume = { env = { RESUME_FROM = "{checkpoint}" } }\n')
    assert cfg.resume is not None and cfg.resume.extra_env == (("RESUME_FROM", "{checkpoint}"),)
    cfg = load(tmp_path, 'train = "t"\nresume = { args = "--resume {checkpoint}" }\n')
    assert cfg.resume is not None and cfg.resume.extra_args == ("--resume", "{checkpoint}")


def test_thresholds_and_overrides(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'train = "t"\neval = "e"\n[tool.mlready.runner.thresholds]\n'
                         'val_loss = "< 0.5"\naccuracy = ">=0.7"\n')
    assert [str(t) for t in cfg.thresholds] == ["val_loss < 0.5", "accuracy >= 0.7"]
    assert cfg.thresholds[0].holds(0.4) and not cfg.thresholds[1].holds(0.69)
    assert cfg.with_overrides(steps=4, device="cpu").steps == 4
    with pytest.raises(ConfigError, match="--steps must be at least 2"):
        cfg.with_overrides(steps=1)


def test_eval_metrics_regex(tmp_path: Path) -> None:
    cfg = load(tmp_path, "train = 't'\neval = 'e'\neval-metrics = 'acc (?P<acc>\\S+)'\n")
    assert cfg.eval_metrics_regex is not None
    assert cfg.eval_metrics_regex.search("acc 0.9") is not None
    assert cfg.to_json()["eval-metrics"] == "acc (?P<acc>\\S+)"
    assert load(tmp_path, 'train = "t"\n').eval_metrics_regex is None


def test_config_json_never_holds_env_values(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'train = "t"\n[tool.mlready.runner.env]\nWANDB_API_KEY = "s3cret"\n')
    assert "s3cret" not in repr(cfg.to_json())
    assert cfg.to_json()["env"] == ["WANDB_API_KEY"]


def test_thresholds_never_hold_for_nan_or_infinity() -> None:
    from mlready.gpu_runner.config import Threshold

    for op in ("<", "<=", ">", ">=", "==", "!="):
        threshold = Threshold("accuracy", op, 0.5)
        assert not threshold.holds(math.nan) and not threshold.holds(math.inf)
        assert not threshold.holds(-math.inf)
    assert Threshold("accuracy", "!=", 0.5).holds(0.9)


def test_boundaries_and_the_checkpoint_glob(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'train = "x"\nsteps = 2\ntolerance = 0\ndirection = "maximize"\n')
    assert (cfg.steps, cfg.tolerance, cfg.direction) == (2, 0.0, "maximize")
    assert "`tool.mlready.runner.timeout` must be positive, got 0" in error(
        tmp_path, 'train = "x"\ntimeout = 0\n')
    assert "`tool.mlready.runner.timeout` must be positive, got nan" in error(
        tmp_path, 'train = "x"\ntimeout = nan\n')
    assert "`tool.mlready.runner.claimed-improvement` must be a finite number, got inf" in error(
        tmp_path, 'train = "x"\nclaimed-improvement = inf\n')
    assert "`tool.mlready.runner.tolerance` must be >= 0, got nan" in error(
        tmp_path, 'train = "x"\ntolerance = nan\n')
    # run.json is strict JSON (no Infinity): a timeout is a number of seconds
    assert "`tool.mlready.runner.timeout` must be a number of seconds, not inf" in error(
        tmp_path, 'train = "x"\ntimeout = inf\n')
    assert "`tool.mlready.runner.checkpoint`: unknown placeholder {bogus}" in error(
        tmp_path, 'train = "x"\ncheckpoint = "{run_dir}/{bogus}.pt"\n')
