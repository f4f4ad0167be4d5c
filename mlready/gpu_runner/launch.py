"""How a planned run becomes a process: its placeholders, argv, environment and folder.

Pure functions of the config, the device and the run's `RunSpec`, kept apart from
`session`, which decides *when* runs start and what they left. Values are substituted
into already-split tokens (`templates`), so no shell ever sees them; a run with
``nproc > 1`` is wrapped in ``torch.distributed.run`` here, the one place that knows
the launcher's flags.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from mlready._metrics_log import METRICS_ENV
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.plan import RunSpec
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.templates import Template


def placeholder_values(config: RunnerConfig, device: str, run_dir: Path, steps: int, seed: int,
                       metrics_file: Path, checkpoint: Path | None = None) -> dict[str, str]:
    """What each placeholder of a run's command stands for (no ``{resume_step}``: its caller
    adds it, as only a template that uses it pays for loading the checkpoint)."""
    values = {"python": config.python, "steps": str(steps), "seed": str(seed),
              "run_dir": str(run_dir), "device": device,
              "metrics_file": str(metrics_file), "nproc": str(config.nproc),
              "project_dir": str(config.project_dir)}
    if checkpoint is not None:
        values["checkpoint"] = str(checkpoint)
        values["checkpoint_dir"] = str(checkpoint.parent)
    return values


def folder(config: RunnerConfig, values: Mapping[str, str]) -> Path:
    """The folder a command runs in: `cwd` rendered, relative to the project folder."""
    if config.cwd is None:
        return config.project_dir
    return config.project_dir / Path(config.cwd.format_map(values))


def environment(config: RunnerConfig, device: str, values: dict[str, str],
                metrics_file: Path) -> dict[str, str]:
    """The run's environment: mlready's own, the config's `env`, then the `MLREADY_*` set."""
    env = dict(os.environ)
    env.update(dict(config.env))
    env.update({METRICS_ENV: str(metrics_file), "MLREADY_RUN_DIR": values["run_dir"],
                "MLREADY_SEED": values["seed"], "MLREADY_STEPS": values["steps"],
                "MLREADY_DEVICE": device, "PYTHONUNBUFFERED": "1"})
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    if config.nproc > 1:
        env["MLREADY_DIST_BACKEND"] = "nccl" if device == "cuda" else "gloo"
    return env


def under_torchrun(config: RunnerConfig, argv: list[str]) -> list[str] | Problem:
    """Wrap a ``{python} script ...`` command in torchrun with ``nproc`` ranks."""
    if config.nproc == 1:
        return argv
    name = Path(argv[0]).name
    if name == "torchrun" or argv[1:3] == ["-m", "torch.distributed.run"]:
        return argv
    if argv[0] != config.python or len(argv) < 2 or argv[1] == "-c":
        return Problem(Outcome.ERROR, "cannot_launch_distributed",
                       "nproc > 1 needs `tool.mlready.runner.train` to start with "
                       "{python} script.py (or -m module) so mlready can run it under "
                       "torchrun")
    launcher = [config.python, "-m", "torch.distributed.run", "--standalone",
                f"--nproc-per-node={config.nproc}"]
    if config.metrics_regex is not None:
        launcher += ["--tee=3", "--local-ranks-filter=0"]  # rank 0's lines only
    return [*launcher, *argv[1:]]


def template_of(config: RunnerConfig, spec: RunSpec) -> Template:
    """The template ``spec``'s command renders from (for resume args: train's plus them)."""
    if spec.is_eval:
        assert config.eval is not None
        return config.eval
    resume = config.resume
    if spec.resume_from is None or resume is None:
        return config.train
    if resume.template is not None:
        return resume.template
    return Template("resume", (*config.train.tokens, *resume.extra_args),
                    (*config.train.env, *resume.extra_env))


def command(config: RunnerConfig, spec: RunSpec,
            values: dict[str, str]) -> tuple[list[str], dict[str, str], str]:
    """(argv, extra environment, the config key it came from) of ``spec``'s command."""
    if spec.is_eval:
        assert config.eval is not None
        return config.eval.render(values), config.eval.render_env(values), "eval"
    if spec.resume_from is not None:
        assert config.resume is not None
        resume = config.resume
        if resume.template is not None:
            return resume.template.render(values), resume.template.render_env(values), \
                "resume"
        argv = config.train.render(values) + [a.format_map(values) for a in resume.extra_args]
        env = config.train.render_env(values)
        env.update({k: v.format_map(values) for k, v in resume.extra_env})
        return argv, env, "resume"
    return config.train.render(values), config.train.render_env(values), "train"


def label(spec: RunSpec, steps: int, seed: int) -> str:
    """How the progress line names the run."""
    if spec.is_eval:
        return f"{spec.id} on the smoke checkpoint"
    if spec.resume_from:
        return f"resume to step {steps}"
    return f"train {spec.id} (seed {seed}, {steps} steps)"


def short(argv: tuple[str, ...]) -> str:
    """The command's first words, for messages: the program's file name, then its arguments."""
    shown = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(argv[:4]))
    return shown + (" ..." if len(argv) > 4 else "")
