"""Seed every random number generator the project touches, and capture/restore their states.

Reproducibility needs two things: the same seed gives the same run, and a resumed run
continues the exact random streams of the interrupted one. Both live here so that no
other module calls ``random.seed`` or ``torch.manual_seed`` on its own. NumPy is not a
dependency of this project, so it is neither seeded nor captured.
"""

from __future__ import annotations

import os
import random
from typing import Any

import torch

# cuBLAS needs a fixed workspace size for deterministic results; it is read when the
# first cuBLAS handle is made (the first GPU matmul), so seeding must precede the model.
_CUBLAS_WORKSPACE = ":4096:8"


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed python ``random`` and torch (CPU and every CUDA device) with ``seed``.

    With ``deterministic`` the run refuses non-deterministic kernels instead of silently
    drifting: ``torch.use_deterministic_algorithms(True)`` raises on an op that has no
    deterministic implementation, and cuDNN autotuning (which picks kernels by timing)
    is switched off.
    """
    random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", _CUBLAS_WORKSPACE)
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def make_generator(seed: int) -> torch.Generator:
    """Return a CPU generator of its own for the data pipeline.

    A ``DataLoader`` without a generator draws its worker base seed from the *global*
    torch stream on every ``iter()``, which would shift dropout masks whenever the
    number of epochs started differs (as it does after a resume).
    """
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def capture_rng_state() -> dict[str, Any]:
    """Return the python, torch CPU and CUDA RNG states as checkpoint-safe values.

    ``random.getstate()`` is a tuple holding a tuple; it is stored as lists so that
    ``torch.load(..., weights_only=True)`` accepts the checkpoint.
    """
    version, internal, gauss_next = random.getstate()
    state: dict[str, Any] = {
        "python": [version, list(internal), gauss_next],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    """Restore states captured by `capture_rng_state` (CUDA only when both sides have it)."""
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
