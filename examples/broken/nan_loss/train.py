"""BROKEN ON PURPOSE: the loss becomes non-finite after a few steps.

Two classic mistakes together: a learning rate 100x too high (configs/smoke.yaml: lr 1.0)
and a hand-rolled cross-entropy, log(softmax(logits)), which underflows to log(0) = -inf
once the logits grow. With this seed the loss is inf at step 4 and nan from step 5 on.
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

import torch  # noqa: E402
from charlm import training  # noqa: E402


def naive_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """BROKEN: softmax then log loses precision; F.cross_entropy uses log-sum-exp."""
    probs = torch.softmax(logits, dim=-1)
    return -torch.log(probs.gather(1, targets[:, None])).mean()


training.loss_fn = naive_loss

if __name__ == "__main__":
    raise SystemExit(load_good_script("train").main())
