"""A torch training entrypoint that never turns on deterministic algorithms.

## What it does
Flags the training of an entrypoint (``loss.backward()`` with an optimizer step,
directly or in a helper it calls, also when a trainer object does the backward pass
in one method and the step in another, or Lightning's ``trainer.fit``) when its flow,
followed across files, never asks for determinism. Where the loop is out of reach (a
library's trainer that dispatches through abstract methods, hook tables or callbacks),
a run that seeds torch, uses CUDA and builds a ``torch.optim`` optimizer (itself, or by
making an object of a project class that builds one, an optimizer factory or a
trainer) and calls something named like training (``agent.run_training(...)``,
``train_one_epoch()``) trains too; it is reported at that call when it follows the
optimizer, else where the optimizer is built. An optimizer alone, with nothing named
like training, does not count: inference and export scripts build one too.
Each of these asks for determinism: ``torch.use_deterministic_algorithms(...)``,
``torch.backends.cudnn.deterministic = ...`` (both also with a config value,
``use_deterministic_algorithms(cfg.deterministic)``, or inside
``if cfg.deterministic:``), ``Trainer(deterministic=...)``,
``TrainingArguments(full_determinism=True)``, ``transformers.enable_full_determinism``,
accelerate's ``set_seed(seed, deterministic=True)``, and turning cuDNN off
(``torch.backends.cudnn.enabled = False``, or set from an option).

## Why is this bad?
Seeding is not enough on a GPU: cuDNN and many CUDA kernels pick non-deterministic
algorithms by default, so two runs with the same seed still diverge and a resumed run
cannot be compared with an uninterrupted one.

## Example
```python
def main(cfg):
    torch.manual_seed(cfg.seed)
    for batch in loader:
        loss = model(batch).mean()
        loss.backward()
        optimizer.step()
```

## Use instead
```python
def main(cfg):
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(cfg.deterministic)
    for batch in loader:
        ...
```

## Options
None. Only runs that use CUDA (``.cuda()``, ``.to("cuda")``, ``torch.device("cuda")``,
``torch.cuda.*``, a Lightning ``Fabric`` not told ``accelerator="cpu"``) or
Lightning's ``Trainer`` are checked; CUDA calls behind a test of a device option
whose default is ``"cpu"`` (``if args.device.startswith("cuda"):``) do not count: on
the CPU torch's kernels are deterministic already. Stable-Baselines3 and Hugging Face
``Trainer`` runs are not checked here.

## References
- https://pytorch.org/docs/stable/notes/randomness.html
- https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
- Checklist 000: "Deterministic mode enabled for CUDA operations".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR006"
SEVERITY = "error"
NAME = "nondeterministic-training"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """MLR006: a torch training flow that never asks for deterministic algorithms."""
    summary = entry.summary
    train = summary.train
    if summary.det is not None:
        return
    if train is None:
        yield from _optimizer_run(entry)
        return
    lightning = train.api.endswith(".fit")
    if not lightning and summary.cuda is None:
        return  # on the CPU, torch's kernels are deterministic already
    where = flow.place(entry, train)
    if where is None:
        return
    hint = "pass `Trainer(deterministic=True)`" if lightning else \
        "call `torch.use_deterministic_algorithms(True)`"
    message = (f"{flow.describe(entry, train, where)} trains in entrypoint "
               f"`{flow.label(entry)}` without deterministic algorithms; {hint}")
    yield flow.diagnostic(where, CODE, message, FIX)


def _optimizer_run(entry: Entrypoint) -> Iterator[Diagnostic]:
    """A run whose training step we cannot follow (a library's trainer loop behind
    abstract methods and callbacks) still trains when it seeds torch, uses CUDA and
    builds a torch optimizer, itself or through a project class that builds one:
    an optimizer is seldom built to be left unused, nor torch seeded for a run that
    does not matter. The run must also call something named like training: a script that
    builds an optimizer (or a trainer object) only to print, export or evaluate a
    model, or to hand it to a learning-rate finder, does all the rest too. Reported at
    the first call named like training after the optimizer
    (``algorithm.run_training(...)``), else where the optimizer is built. Runs of the
    frameworks this rule leaves alone (Stable-Baselines3, Hugging Face) stay so:
    precision first."""
    summary = entry.summary
    optim = summary.optim
    if optim is None or summary.runs is not None or summary.cuda is None \
            or "torch" not in summary.seeds:
        return
    fit = summary.fit
    if fit is None:
        return  # nothing named like training: an inference or export script, maybe
    # The training call comes after the optimizer, or builds it itself (`train(args)`).
    after = fit.pos > optim.pos or optim.pos[:len(fit.pos)] == fit.pos
    hit = fit if after else optim
    where = flow.place(entry, hit)
    if where is None:
        return
    built = optim.api.rpartition(".")[2]
    if hit is fit:
        called = f"`{hit.api.rpartition('.')[2]}()`"
        built_at = flow.place(entry, optim)
        line = f" on line {built_at.frame.line}" if built_at and not entry.notebook \
            and built_at.frame.line != where.frame.line else ""
        why = f"it builds an optimizer, `{built}`{line},"
    else:
        via = f" (via `{where.via}`)" if where.via else ""
        called, why = f"`{built}`{via}", "it builds an optimizer,"
    message = (f"{called} trains in entrypoint `{flow.label(entry)}` without deterministic "
               f"algorithms ({why} seeds torch and uses CUDA); call "
               "`torch.use_deterministic_algorithms(True)`")
    yield flow.diagnostic(where, CODE, message, FIX)


FIX = ("call `torch.use_deterministic_algorithms(True)` (set "
       "`CUBLAS_WORKSPACE_CONFIG=:4096:8`) or `torch.backends.cudnn.deterministic = True`"
       " before training, behind a config flag if speed matters")
