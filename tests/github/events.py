"""Event payloads for the tests: the recorded-shape ``workflow_run`` file in data/, edited.

The file is what GitHub sends the report workflow after a maintainer-labelled GPU run on
a fork PR (``pull_request_target``, empty ``pull_requests``, the fork as head repository);
each forgery in the tests is that file with one or two fields changed, as an attacker
could get GitHub to send them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

GPU_FORK_RUN = Path(__file__).parent / "data" / "workflow_run_gpu_fork.json"
HEAD = "e2e0" * 10


def gpu_fork_run(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The GPU run's payload with ``changes`` applied: ``{"workflow_run.event": "push"}``
    style dotted keys; the value ``None`` deletes the field."""
    payload: dict[str, Any] = copy.deepcopy(json.loads(GPU_FORK_RUN.read_text()))
    for dotted, value in (changes or {}).items():
        *parents, leaf = dotted.split(".")
        target = payload
        for key in parents:
            target = target[key]
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return payload
