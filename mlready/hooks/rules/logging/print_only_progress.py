"""MLR801 `print-only-progress`: a training entrypoint that reports only with ``print``.

## What it does
Reports a training entrypoint (a file run as a script, a notebook, that trains itself
or calls a project function or a project instance's method that does: ``dqn.learn(mem)``)
which prints (``print``, ``sys.stdout.write``, ``tqdm.write``) and whose code, together
with every project module it imports, uses neither ``logging`` (or loguru, absl, any
``logger.info(...)``, a log file opened for appending, Stable-Baselines3's ``learn()``,
whose logger reports progress) nor an experiment tracker (TensorBoard
``SummaryWriter``, W&B, MLflow, Aim, Comet, ClearML, Neptune, Lightning and Hugging
Face trainers, ``mlready.log_metrics``, or a ``*Logger`` class of the project's own).
The finding sits on the first ``print`` inside a training loop, else the file's first
``print``.

## Why is this bad?
Printed progress lives in one terminal: it has no timestamps or levels, cannot be
filtered or silenced per module, is lost when the job's output is not captured, and
interleaves across distributed ranks. Nothing of it can be compared between runs or
plotted; the loss curve of last week's run is gone.

## Example
```python
for epoch in range(cfg.epochs):
    loss = train_one_epoch(model, loader, optimizer)
    print(f"epoch {epoch} loss {loss:.3f}")
```

## Use instead
```python
log = logging.getLogger(__name__)
writer = SummaryWriter(cfg.log_dir)
for epoch in range(cfg.epochs):
    loss = train_one_epoch(model, loader, optimizer)
    log.info("epoch %d loss %.3f", epoch, loss)
    writer.add_scalar("train/loss", loss, epoch)
```

## Options
None.

## References
- Research Code Production-Readiness Checklist: "Logging & Monitoring" (loss curves,
  training and validation metrics logged) and "Experiment Tracking"
- [Python: Logging HOWTO](https://docs.python.org/3/howto/logging.html)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.logging import facts
from mlready.hooks.rules.logging.runs import Run, training_runs

CODE = "MLR801"
SEVERITY = "warning"
NAME = "print-only-progress"
KINDS = ("python",)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The shared reporting facts (one analysis for MLR801-MLR804)."""
    return facts.collect(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    for run in training_runs(project):
        yield from decide(project, run)


def decide(project: ProjectContext, run: Run) -> Iterator[Diagnostic]:
    if not run.prints or run.logging or run.tracked:
        return
    line, col = run.loop_print or run.prints[0]
    yield project.diagnostic(
        run.path, line, col, CODE,
        "`print`: the training run reports its progress only with print (no logging, no "
        "experiment tracker)",
        fix="log with `logging.getLogger(__name__)` and send metrics to a tracker "
            "(SummaryWriter, wandb, mlflow, or mlready.log_metrics)")
