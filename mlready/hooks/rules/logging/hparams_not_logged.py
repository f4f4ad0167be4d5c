"""MLR803 `hparams-not-logged`: a tracker records the metrics but not the settings.

## What it does
Reports the first use of an experiment tracker (``SummaryWriter(...)``,
``wandb.init(...)``, ``mlflow.start_run(...)``, Aim, Comet, ClearML, Neptune, DVCLive)
in a training entrypoint's run (the entrypoint and the project modules it imports)
when nothing in that run hands the hyper-parameters to a tracker:
``wandb.init(config=...)``, ``wandb.config.update(...)``, ``writer.add_hparams(...)``,
``writer.add_text("hyperparameters", ...)``, ``mlflow.log_params(...)``,
``self.save_hyperparameters()``, ``logger.log_hyperparams(...)``, Comet's
``log_parameters``, ClearML's ``task.connect(...)``, ``accelerator.init_trackers``, or
a project logger's ``save_config(...)``. Lightning and Hugging Face trainers log their
settings themselves, so a run that uses one is never reported.

## Why is this bad?
A loss curve without the settings that produced it cannot be compared with another
one: which run had the larger batch, the warm-up, the other seed? The answer is in a
shell history or nowhere, and the best run cannot be reproduced.

## Example
```python
writer = SummaryWriter(cfg.log_dir)
for step in range(cfg.steps):
    writer.add_scalar("train/loss", step_fn(), step)
```

## Use instead
```python
writer = SummaryWriter(cfg.log_dir)
writer.add_hparams(vars(cfg), {})
for step in range(cfg.steps):
    writer.add_scalar("train/loss", step_fn(), step)
```

## Options
None.

## References
- Research Code Production-Readiness Checklist: "Experiment Tracking" (all
  hyperparameters logged; seeds logged in experiment config)
- [W&B: Configure experiments](https://docs.wandb.ai/guides/track/config/)
- [PyTorch: SummaryWriter.add_hparams](https://pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_hparams)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.logging import facts
from mlready.hooks.rules.logging.runs import Run, once_per_place, training_runs

CODE = "MLR803"
SEVERITY = "warning"
NAME = "hparams-not-logged"
KINDS = ("python",)
TRACKERS = frozenset({"tensorboard", "wandb", "mlflow", "aim", "comet", "clearml", "neptune",
                      "dvclive"})


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The shared reporting facts (one analysis for MLR801-MLR804)."""
    return facts.collect(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    return once_per_place(d for run in training_runs(project) for d in decide(project, run))


def decide(project: ProjectContext, run: Run) -> Iterator[Diagnostic]:
    used = {name: at for name, at in run.trackers.items() if name in TRACKERS}
    if not used or run.hparams or facts.SELF_LOGGING.intersection(run.trackers):
        return
    name, (path, (line, col)) = min(used.items(), key=lambda kv: (kv[1][0] != run.path, kv[1]))
    if path not in project.targets:
        return
    yield project.diagnostic(
        path, line, col, CODE,
        f"`{name}`: the tracker records metrics but the run's hyper-parameters are never "
        "given to it",
        fix="log the config once at start: `wandb.init(config=vars(cfg))`, "
            "`writer.add_hparams(...)` or `mlflow.log_params(vars(cfg))`")
