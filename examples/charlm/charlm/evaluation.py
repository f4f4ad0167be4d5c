"""Held-out evaluation of a checkpoint: validation loss, perplexity and next-character accuracy."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from charlm import checkpoint, data
from charlm.config import config_from_dict
from charlm.model import CharMLP, loss_fn


@torch.no_grad()
def evaluate_checkpoint(path: str | Path, device: torch.device) -> dict[str, float]:
    """Rebuild the model from the checkpoint's own config and score the validation split.

    The model runs in eval mode (dropout off) without gradients; the validation windows
    come from the tail of the corpus, which training never sees.
    """
    state = checkpoint.load(path, required=checkpoint.EVAL_KEYS)
    cfg = config_from_dict(state["config"])
    _, val_set, vocab = data.build_datasets(cfg.data)
    model = CharMLP(len(vocab), cfg.data.context, cfg.model).to(device)
    model.load_state_dict(state["model"])
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    for inputs, targets in DataLoader(val_set, batch_size=cfg.data.batch_size, shuffle=False):
        inputs, targets = inputs.to(device), targets.to(device)
        logits = model(inputs)
        total_loss += float(loss_fn(logits, targets)) * len(targets)
        correct += int((logits.argmax(dim=-1) == targets).sum())
        count += len(targets)
    val_loss = total_loss / count
    return {
        "val_loss": val_loss,
        "perplexity": math.exp(val_loss),
        "accuracy": correct / count,
        "step": float(state["step"]),
    }


def write_metrics(metrics: dict[str, float], output: Path) -> None:
    """Write ``metrics`` as one JSON object (the file the mlready runner checks)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
