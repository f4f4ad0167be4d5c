"""MLR705 `eval-in-train-mode`: evaluation that runs a model still in training mode.

## What it does
Reports the first model call of an evaluation function (named ``evaluate``,
``validate``, ``test``, ``val``, ``eval_policy``... or ``run_eval``) that never calls
``.eval()`` on anything nor ``.train(False)``, does not train itself (no optimizer
step, no ``.backward()``), and is called in its file only from functions that have
not called ``.eval()`` before the call. A model call is a call of a parameter or a
``self`` attribute named like a model (``model``, ``net``, ``policy``, ``actor``,
``critic``, ``encoder``, ``agent``), or of its ``forward``. Reported only in projects
where some file names a layer that behaves differently in the two modes (dropout,
batch norm, drop-path) or loads a pretrained model (``from_pretrained``, torchvision,
timm): without one, the mode changes nothing. Lightning's ``validation_step`` and
``test_step`` (the Trainer switches modes) and test files are left alone.

Off by default: on the 15 repositories of the benchmark corpus it reports nothing (0
findings; the evaluation functions there switch modes correctly), so its precision on
real code is not measured yet. Select it with ``select = ["MLR705"]``.

## Why is this bad?
In training mode dropout zeroes a random share of activations and batch norm
normalises with the statistics of the current batch (and updates its running
averages with them). Evaluated that way, the scores are noisy from run to run, depend
on the batch size, and the evaluation itself changes the model's batch-norm
statistics: the reported validation metric is not the metric of the model that is
saved.

## Example
```python
def evaluate(model, loader):
    with torch.no_grad():
        return sum(accuracy(model(x), y) for x, y in loader) / len(loader)
```

## Use instead
```python
def evaluate(model, loader):
    model.eval()
    with torch.no_grad():
        score = sum(accuracy(model(x), y) for x, y in loader) / len(loader)
    model.train()
    return score
```

## Options
None.

## References
- Checklist 000 "Testing & validation", Validation Protocol: "Proper evaluation mode
  (model.eval(), no dropout)"
- [torch.nn.Module.eval](https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.eval)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.training import module_mode

CODE = "MLR705"
SEVERITY = "error"
NAME = "eval-in-train-mode"
KINDS = ("python",)
DEFAULT = False  # no corpus findings to judge yet (see the docstring)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The shared per-file facts (one analysis for MLR705 and MLR706)."""
    return module_mode.collect(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if not module_mode.has_layers(project):
        return
    for path, facts in sorted(project.facts.items()):
        for line, col, function, model in facts["eval"] if isinstance(facts, dict) else ():
            yield project.diagnostic(
                path, line, col + 1, CODE,
                f"`{function}` runs `{model}(...)` without `.eval()`: dropout and batch norm "
                "stay in training mode, so the scores are noisy and evaluation changes the "
                "batch-norm statistics",
                fix="call `model.eval()` before evaluating and `model.train()` after")
