"""BROKEN ON PURPOSE: the checkpoint lacks RNG states and the data position.

Model, optimizer, scheduler and step are saved and restored, but not `rng`,
`rng_by_rank` or `data` (epoch and batch). A resumed run restarts the data stream at epoch 0, batch 0,
and its dropout masks come from a freshly seeded generator instead of the interrupted
run's stream, so N + resume to 2N != 2N (the losses differ from the first resumed step).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

# Reuse the good example (examples/charlm) unchanged; only the fault below differs.
GOOD = Path(__file__).resolve().parents[2] / "charlm"
sys.path.insert(0, str(GOOD))


def load_good_script(name: str) -> ModuleType:
    """Import examples/charlm/<name>.py as a module, so that its `main` can be reused."""
    spec = importlib.util.spec_from_file_location(f"good_{name}", GOOD / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

from pathlib import Path as _Path  # noqa: E402
from typing import Any  # noqa: E402

import torch  # noqa: E402
from charlm import checkpoint, training  # noqa: E402
from charlm.distributed import DistContext  # noqa: E402
from torch import nn  # noqa: E402

_capture = checkpoint.capture
DROPPED = ("rng", "rng_by_rank", "data")


def capture_without_rng(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """BROKEN: RNG states and the data position are left out of the checkpoint."""
    state = _capture(*args, **kwargs)
    for key in DROPPED:
        del state[key]
    return state


def resume_without_rng(
    path: str | _Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    ctx: DistContext,
) -> training.Position:
    """BROKEN: continues at the saved step, but from the start of the data, fresh RNG."""
    state = checkpoint.load(path)
    checkpoint.restore(state, model, optimizer, scheduler)
    return training.Position(step=state["step"])


checkpoint.capture = capture_without_rng
checkpoint.REQUIRED_KEYS = tuple(k for k in checkpoint.REQUIRED_KEYS if k not in DROPPED)
training.resume = resume_without_rng

if __name__ == "__main__":
    raise SystemExit(load_good_script("train").main())
