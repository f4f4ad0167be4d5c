"""torch's random number generator used in an entrypoint that never seeds it first.

## What it does
Flags the first use of torch's default generator in an entrypoint when nothing seeds
torch before it: explicit draws (``torch.rand``, ``randn``, ``randint``,
``randperm``, ``multinomial``, ``Tensor.normal_``...), and implicit ones: building
modules with random initial weights (``nn.Linear``, ``nn.Conv2d``, ``nn.LSTM``, ...,
a project model whose ``__init__`` builds them), ``nn.init`` initializers,
dropout, ``DataLoader(shuffle=True)``, random samplers and ``random_split`` without
a ``generator``, torchvision random transforms and models built without weights, and
Stable-Baselines3 algorithms built without ``seed=``. Seeding through
``torch.manual_seed``, ``lightning.seed_everything``, transformers/accelerate
``set_seed``, SB3's ``set_random_seed`` or a project helper (followed across files)
counts; ``torch.cuda.manual_seed(_all)`` alone does not, since it leaves the CPU
generator unseeded.

## Why is this bad?
Initial weights, dropout masks and data order all come from this generator; without
a seed two runs of the same commit train different models.

## Example
```python
@hydra.main(config_path="conf", config_name="train", version_base=None)
def main(cfg: DictConfig) -> None:
    model = torch.nn.Linear(cfg.d_in, cfg.d_out)
```

## Use instead
```python
@hydra.main(config_path="conf", config_name="train", version_base=None)
def main(cfg: DictConfig) -> None:
    torch.manual_seed(cfg.seed)
    model = torch.nn.Linear(cfg.d_in, cfg.d_out)
```

## Options
None. Entrypoints are as in MLR001; a seeding call inside an ``if`` counts. Building
modules does not need a seed when the run then loads weights over them
(``load_state_dict``, ``load_from_checkpoint``, ``from_pretrained``; a load in only one
arm of an ``if``, such as ``LLM.load(init="random")`` skipping it, does not count), and
dropout layers do not when such a run only evaluates. A shuffled ``DataLoader`` or a
random sampler draws when it is iterated, not when it is built: it is reported only
when torch is never seeded. Draws given an explicit ``generator=`` never count.

## References
- https://pytorch.org/docs/stable/notes/randomness.html
- https://pytorch.org/docs/stable/generated/torch.manual_seed.html
- Checklist 000, "Random Seed Management".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units, unseeded
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR003"
SEVERITY = "error"
NAME = "unseeded-torch-random"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """torch's generator (initial weights and dropout included, see `flow.torch_use`)."""
    return unseeded.decide(entry, "torch")
