"""MLR804 `code-version-not-logged`: a tracked run that does not say which code ran.

## What it does
Reports the first use of an experiment tracker in a training entrypoint's run (the
entrypoint and the project modules it imports) when no tracker of that run records the
git commit by itself (W&B, MLflow, Comet, ClearML, Neptune and Aim do, in a git work
tree; Hugging Face trainers report to them) and the code never asks git for it
(``git rev-parse HEAD`` or ``git describe`` through ``subprocess``, GitPython's
``Repo``). In practice: TensorBoard, Lightning loggers, DVCLive or a project's own
metrics logger without a commit hash beside the metrics.

Off by default: a run launched by a scheduler that records the commit, or a commit
written into the output folder's name by a launcher script, is invisible here, so the
finding is a reminder, not a certainty (precision on real code was not measured at
the 95% bar).

## Why is this bad?
Metrics from last month's run are worth little when nobody knows which version of the
code produced them: a bug fixed since, a changed default, a new augmentation. The
commit hash beside the metrics makes any curve reproducible.

## Example
```python
writer = SummaryWriter(cfg.log_dir)
writer.add_hparams(vars(cfg), {})
```

## Use instead
```python
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True,
                        text=True, check=False).stdout.strip()
writer = SummaryWriter(cfg.log_dir)
writer.add_hparams({**vars(cfg), "git_commit": commit}, {})
```

## Options
None.

## References
- Research Code Production-Readiness Checklist: "Experiment Tracking" (code version,
  git hash, logged with experiment)
- [Git: git-rev-parse](https://git-scm.com/docs/git-rev-parse)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.logging import facts
from mlready.hooks.rules.logging.runs import Run, first_tracker, once_per_place, training_runs

CODE = "MLR804"
SEVERITY = "note"
NAME = "code-version-not-logged"
KINDS = ("python",)
DEFAULT = False


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The shared reporting facts (one analysis for MLR801-MLR804)."""
    return facts.collect(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    return once_per_place(d for run in training_runs(project) for d in decide(project, run))


def decide(project: ProjectContext, run: Run) -> Iterator[Diagnostic]:
    if not run.trackers or run.git or facts.RECORDS_COMMIT.intersection(run.trackers) \
            or "hf-trainer" in run.trackers or facts.RECORDS_COMMIT & run.tracker_imports:
        return
    name, path, (line, col) = first_tracker(run)
    if path not in project.targets:
        return
    yield project.diagnostic(
        path, line, col, CODE,
        f"`{name}`: the run's metrics are recorded without the git commit of the code "
        "that produced them",
        fix="log `git rev-parse HEAD` with the run's config (or use a tracker that records "
            "it, such as wandb or mlflow)")
