"""charlm: a tiny character-level language model, the example project bundled with mlready.

The package is split by concern so that each piece can be tested and reused on its own:
``config`` (validated YAML), ``data`` (generated corpus, resumable sampler), ``model``,
``seeding`` (every RNG in one place), ``checkpoint`` (exact-resume state), ``distributed``
(torchrun/DDP plumbing), ``metrics`` (logging), ``training`` (the loop) and
``evaluation`` (held-out metrics).
"""

from __future__ import annotations

__all__ = [
    "checkpoint",
    "config",
    "data",
    "distributed",
    "evaluation",
    "metrics",
    "model",
    "seeding",
    "training",
]
