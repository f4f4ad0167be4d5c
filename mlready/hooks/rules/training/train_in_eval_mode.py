"""MLR706 `train-in-eval-mode`: a training loop that leaves its model in evaluation mode.

## What it does
Reports, inside a loop that takes optimizer steps itself (``optimizer.step()``,
``scaler.step(optimizer)``), a ``<model>.eval()`` or a call of a function of the same
file that calls ``<model>.eval()`` and never ``.train()`` (an ``evaluate(model)`` that
does not switch back), of a model the loop itself calls (``model(x)``, ``self.net(x)``:
an EMA copy or a target network put in eval mode is not the one trained), when nothing
in the loop calls ``.train()`` again: no ``.train()`` on anything, no function of the
file that calls it, and no function of another file named like training
(``train_one_epoch``), which may. The first such
call of each loop is reported. Like MLR705, only in projects where some file names
dropout, batch norm or a pretrained model; test files are left alone.

Off by default: on the 15 repositories of the benchmark corpus it reports nothing (0
findings; the evaluation functions there switch modes correctly), so its precision on
real code is not measured yet. Select it with ``select = ["MLR706"]``.

## Why is this bad?
After the first evaluation every later step trains with dropout off and batch norm
frozen on its running statistics: the regularisation the model was designed with is
gone, the loss curve bends at the first evaluation, and the run is not the one its
configuration describes.

## Example
```python
model.train()
for step, (x, y) in enumerate(loader):
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if step % cfg.eval_every == 0:
        evaluate(model, val_loader)  # calls model.eval()
```

## Use instead
```python
for step, (x, y) in enumerate(loader):
    model.train()
    ...
    if step % cfg.eval_every == 0:
        evaluate(model, val_loader)
```

## Options
None.

## References
- Checklist 000 "Testing & validation", Validation Protocol: "Proper evaluation mode
  (model.eval(), no dropout)"; "Model & training quality", Training Loop
- [torch.nn.Module.train](https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.train)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.training import module_mode

CODE = "MLR706"
SEVERITY = "error"
NAME = "train-in-eval-mode"
KINDS = ("python",)
DEFAULT = False  # no corpus findings to judge yet (see the docstring)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The shared per-file facts (one analysis for MLR705 and MLR706)."""
    return module_mode.collect(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if not module_mode.has_layers(project):
        return
    for path, facts in sorted(project.facts.items()):
        for line, col, call in facts["train"] if isinstance(facts, dict) else ():
            yield project.diagnostic(
                path, line, col + 1, CODE,
                f"`{call}` leaves the model in eval mode inside the training loop and "
                "nothing in the loop calls `.train()` again: later steps train with "
                "dropout off and batch norm frozen",
                fix="call `model.train()` at the top of each training iteration, or at the "
                    "end of the evaluation")
