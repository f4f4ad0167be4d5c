"""Per-step metric logging: a JSONL record for mlready and a human-readable stdout line.

``mlready.log_metrics`` writes to ``$MLREADY_METRICS_FILE`` when the mlready runner sets
it and does nothing otherwise. mlready is optional for this project: without it
installed, only the stdout line is written (its format also suits regex parsing:
``step (?P<step>\\d+) loss (?P<loss>\\S+)``).
"""

from __future__ import annotations

from collections.abc import Callable

_log_metrics: Callable[..., None] | None
try:
    from mlready import log_metrics as _log_metrics
except ImportError:  # mlready not installed: stdout only
    _log_metrics = None


def log_step(step: int, loss: float, lr: float) -> None:
    """Report one optimisation step."""
    print(f"step {step} loss {loss:.6f} lr {lr:.6g}", flush=True)
    if _log_metrics is not None:
        _log_metrics(step=step, loss=loss, lr=lr)


def log_info(message: str) -> None:
    """Report a one-off fact about the run (config, parameter count, paths)."""
    print(message, flush=True)
