"""BROKEN ON PURPOSE: the checkpoint lacks the optimizer state, so resume is not exact.

Training itself is the good example's. Saving drops `optimizer` (AdamW's moment
estimates and step counts) and resuming starts AdamW from scratch: the resumed run takes
different steps from the uninterrupted one, so N + resume to 2N != 2N.
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

from typing import Any  # noqa: E402

import torch  # noqa: E402
from charlm import checkpoint  # noqa: E402
from torch import nn  # noqa: E402

_capture = checkpoint.capture


def capture_without_optimizer(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """BROKEN: the optimizer state is left out of the checkpoint."""
    state = _capture(*args, **kwargs)
    del state["optimizer"]
    return state


def restore_without_optimizer(
    state: dict[str, Any],
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> None:
    """BROKEN: the model and scheduler are restored; AdamW starts with empty state."""
    model.load_state_dict(state["model"])
    scheduler.load_state_dict(state["scheduler"])


checkpoint.capture = capture_without_optimizer
checkpoint.restore = restore_without_optimizer
checkpoint.REQUIRED_KEYS = tuple(k for k in checkpoint.REQUIRED_KEYS if k != "optimizer")

if __name__ == "__main__":
    raise SystemExit(load_good_script("train").main())
