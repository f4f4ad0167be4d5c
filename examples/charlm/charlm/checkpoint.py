"""Checkpoints that resume a run exactly and load with ``torch.load(weights_only=True)``.

A checkpoint holds everything the next step depends on: model, optimizer and scheduler
state, the global step, the data position (epoch, batches consumed in it) and every
RNG state, plus the resolved config so that evaluation can rebuild
the model without the YAML file. Only tensors, dicts, lists, numbers, strings and
``None`` are stored, so loading never has to unpickle arbitrary objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

CHECKPOINT_NAME = "checkpoint.pt"
REQUIRED_KEYS = ("model", "optimizer", "scheduler", "step", "data", "rng", "config")
EVAL_KEYS = ("model", "step", "config")


def capture(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    step: int,
    data: dict[str, Any],
    rng_by_rank: list[dict[str, Any]],
    config: dict[str, Any],
) -> dict[str, Any]:
    """Assemble the checkpoint dict.

    ``rng`` is rank 0's RNG state (the single-process case); under DDP ``rng_by_rank``
    keeps every rank's state, since each rank draws its own dropout masks.
    """
    return {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "step": step,
        "data": data,
        "rng": rng_by_rank[0],
        "rng_by_rank": rng_by_rank,
        "config": config,
    }


def save(state: dict[str, Any], out_dir: Path) -> Path:
    """Write ``state`` to ``out_dir/checkpoint.pt`` atomically and return the path.

    Writing to a temporary name and renaming means a crash mid-save leaves the previous
    checkpoint intact instead of a truncated file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / CHECKPOINT_NAME
    tmp = out_dir / f".{CHECKPOINT_NAME}.tmp"
    torch.save(state, tmp)
    tmp.replace(path)
    return path


def load(path: str | Path, required: Sequence[str] | None = None) -> dict[str, Any]:
    """Read a checkpoint onto the CPU with the safe (weights-only) unpickler.

    ``required`` names the keys the caller needs (default: everything a resume needs);
    evaluation asks only for the model and config, so it also scores model-only files.
    """
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    needed = REQUIRED_KEYS if required is None else required
    missing = [key for key in needed if key not in state]
    if missing:
        raise KeyError(f"{path}: checkpoint lacks {', '.join(missing)}")
    return state


def restore(
    state: dict[str, Any],
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> None:
    """Load model, optimizer and scheduler state in place.

    RNG streams and the data position are restored by the caller, which knows its rank.
    """
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])


def rng_for_rank(state: dict[str, Any], rank: int, world_size: int) -> dict[str, Any]:
    """This rank's saved RNG state; rank 0's when the world size changed since saving."""
    by_rank: list[dict[str, Any]] = state.get("rng_by_rank") or [state["rng"]]
    if len(by_rank) == world_size:
        return by_rank[rank]
    rng: dict[str, Any] = state["rng"]
    return rng
