"""Event payloads for the tests: the recorded-shape files in data/, edited.

Shapes follow GitHub's webhook documentation and what actions/checkout's own fork-PR
guard reads (``src/unsafe-pr-checkout-helper.ts``: "for `pull_request_target`-triggered
workflow_run, `head_sha` is the base default branch SHA (not the PR head)"):

- ``workflow_run_gpu_fork.json``: what the report workflow would get after a
  maintainer-labelled GPU run on a fork PR. The run ran on ``pull_request_target``, in
  the base branch's context, so ``head_sha`` and ``head_commit`` are the base branch's
  latest commit (`BASE`), ``head_branch`` is ``main``, and ``pull_requests`` is empty
  (GitHub lists no fork PRs there): nothing in it names PR #6 or its head `HEAD`.
- ``workflow_run_static_fork.json``: the static workflow's ``pull_request`` run of the
  same fork PR: ``head_sha`` is the PR's head commit, ``head_branch`` the fork's branch,
  ``pull_requests`` empty again.
- ``pull_request_target_labeled_fork.json``: the event the GPU workflow's own jobs get
  when the maintainer adds the ``mlready-gpu`` label: it names PR #6, its head and base.

Each forgery in the tests is one of these files with one or two fields changed, as an
attacker could get GitHub to send them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
GPU_FORK_RUN = DATA / "workflow_run_gpu_fork.json"
STATIC_FORK_RUN = DATA / "workflow_run_static_fork.json"
GPU_LABELED = DATA / "pull_request_target_labeled_fork.json"
HEAD = "e2e0" * 10  # the fork PR's head commit
BASE = "ba5e" * 10  # the default branch's latest commit
FORK_PR = 6


def _edited(path: Path, changes: dict[str, Any] | None) -> dict[str, Any]:
    """``path``'s payload with ``changes`` applied: ``{"workflow_run.event": "push"}``
    style dotted keys; the value ``None`` deletes the field."""
    payload: dict[str, Any] = copy.deepcopy(json.loads(path.read_text()))
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


def gpu_fork_run(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    return _edited(GPU_FORK_RUN, changes)


def static_fork_run(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    return _edited(STATIC_FORK_RUN, changes)


def gpu_labeled(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    return _edited(GPU_LABELED, changes)
