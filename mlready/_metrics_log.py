"""`mlready.log_metrics`: the dependency-free way for a training script to report metrics.

The runner passes a file path in ``MLREADY_METRICS_FILE``; each call appends one JSON
line to it. Outside mlready the variable is unset and the call does nothing, so users
can leave it in their scripts. Only the standard library is used: this runs inside
the user's training process, where we must not add imports or start-up cost.
"""

from __future__ import annotations

import json
import math
import os
from numbers import Real

METRICS_ENV = "MLREADY_METRICS_FILE"


def _plain(value: object) -> object:
    """Turn tensors, numpy scalars and other number-likes into JSON numbers."""
    item = getattr(value, "item", None)
    if callable(item):
        value = item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Real):
        number = float(value)
        # JSON has no NaN/inf; strings keep them visible to the runner's finiteness check.
        return number if math.isfinite(number) else str(number)
    return value


def log_metrics(step: int | None = None, **metrics: object) -> None:
    """Append ``{"step": step, **metrics}`` as one JSON line to ``$MLREADY_METRICS_FILE``.

    Does nothing when the variable is unset. Under torchrun each record also carries
    ``rank`` (from ``RANK``), so scripts where every rank logs still give one series.
    Non-finite floats are written as the strings ``"nan"``, ``"inf"`` or ``"-inf"`` so
    that the file stays valid JSON.
    """
    path = os.environ.get(METRICS_ENV)
    if not path:
        return
    record: dict[str, object] = {}
    if step is not None:
        record["step"] = int(step)
    rank = os.environ.get("RANK")  # set by torchrun: the runner keeps rank 0's records
    if rank is not None and rank.isdigit():
        record["rank"] = int(rank)
    for key, value in metrics.items():
        record[key] = _plain(value)
    line = json.dumps(record, allow_nan=False) + "\n"
    # One write call per line with O_APPEND keeps lines whole when ranks share a file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
