"""The model: a Bengio-style MLP over a fixed window of previous characters.

``context`` ids -> embeddings (context x embedding_dim, concatenated) -> hidden layer
(GELU, dropout) -> logits over the vocabulary. Small enough to train in milliseconds
per step on a CPU, which is the point: the example exercises the machinery, not the GPU.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from charlm.config import ModelConfig


class CharMLP(nn.Module):
    """Predict the next character id from the ``context`` previous ones."""

    def __init__(self, vocab_size: int, context: int, cfg: ModelConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, cfg.embedding_dim)
        self.hidden = nn.Linear(context * cfg.embedding_dim, cfg.hidden_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.hidden_dim, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, context)`` ids to ``(batch, vocab)`` logits."""
        x = self.embedding(ids).flatten(start_dim=1)
        x = self.dropout(F.gelu(self.hidden(x)))
        logits: torch.Tensor = self.head(x)
        return logits


def loss_fn(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean next-character cross-entropy (in nats), computed stably from logits."""
    return F.cross_entropy(logits, targets)


def parameter_count(model: nn.Module) -> int:
    """Number of trainable parameters, logged at start-up."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
