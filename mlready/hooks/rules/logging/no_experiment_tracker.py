"""MLR802 `no-experiment-tracker`: a training entrypoint whose metrics go nowhere.

## What it does
Reports a training entrypoint (a file run as a script, a notebook, that trains itself
or calls a project function that does) when neither its code nor any project module
it imports uses or imports an experiment tracker: TensorBoard (``SummaryWriter``,
tensorboardX, ``tf.summary``), W&B, MLflow, Aim, Comet, ClearML, Neptune, DVCLive,
Lightning loggers or ``Trainer`` (which logs by default), Hugging Face ``Trainer`` and
TRL trainers (``report_to``), ``accelerator.log``, Stable-Baselines3's logger,
``mlready.log_metrics``, or a metrics logger of the project's own (a class named
``*Logger``/``*Writer``, ``logger.logkv(...)``, ``writer.add_scalar(...)``). Plain
``logging`` is not a tracker. The finding sits where the file trains (the first
training loop or ``fit``/``learn`` call, or the call to the project function that
trains).

## Why is this bad?
Without metrics recorded per step in a form a tool can read, runs cannot be compared,
plotted or found again: which learning rate gave the better curve last month is a
question nobody can answer, and a diverging run is noticed only at the end.

## Example
```python
for step in range(cfg.steps):
    loss = step_fn(batch)
    logger.info("step %d loss %.3f", step, loss)
```

## Use instead
```python
run = wandb.init(project="my-project", config=vars(cfg))
for step in range(cfg.steps):
    loss = step_fn(batch)
    run.log({"train/loss": loss}, step=step)
```

## Options
None.

## References
- Research Code Production-Readiness Checklist: "Experiment Tracking" (experiment
  tracking configured: TensorBoard, W&B, MLflow, Aim)
- Web4 RL Implementation Checklist: "Monitoring setup" (W&B project or TensorBoard)
- [PyTorch: Visualizing models, data and training with TensorBoard](https://pytorch.org/tutorials/intermediate/tensorboard_tutorial.html)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.logging import facts
from mlready.hooks.rules.logging.runs import Run, training_runs

CODE = "MLR802"
SEVERITY = "warning"
NAME = "no-experiment-tracker"
KINDS = ("python",)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The shared reporting facts (one analysis for MLR801-MLR804)."""
    return facts.collect(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    for run in training_runs(project):
        yield from decide(project, run)


def decide(project: ProjectContext, run: Run) -> Iterator[Diagnostic]:
    if run.tracked:
        return
    line, col = run.trains
    yield project.diagnostic(
        run.path, line, col, CODE,
        "the training run records its metrics in no experiment tracker (TensorBoard, W&B, "
        "MLflow, ...)",
        fix="write metrics per step to a tracker: `SummaryWriter(log_dir).add_scalar(...)`, "
            "`wandb.log(...)`, `mlflow.log_metric(...)` or `mlready.log_metrics(...)`")
