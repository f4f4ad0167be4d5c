"""A real `torchrun --nproc-per-node 2` (gloo on CPU) through the runner."""

from __future__ import annotations

import pytest

from mlready.gpu_runner.results import Outcome

from .helpers import MakeProject, run

pytestmark = pytest.mark.slow


def test_two_ranks_under_torchrun_with_gloo(make_project: MakeProject) -> None:
    cfg = make_project(extra="nproc = 2", timeout=120).with_overrides(device="cpu")
    results = run(cfg, "smoke", "checkpoint", "distributed")
    assert results["smoke"].outcome is Outcome.PASS, results["smoke"].summary
    assert results["checkpoint"].outcome is Outcome.PASS, results["checkpoint"].summary
    dist = results["distributed"]
    assert dist.outcome is Outcome.PASS, dist.summary
    assert dist.summary == ("2 ranks under torchrun (gloo) finished; rank 0 reported 6 metric "
                            "records")
    assert dist.metrics["backend"] == "gloo"


def test_regex_metrics_under_torchrun_read_rank_0_only(make_project: MakeProject) -> None:
    cfg = make_project("print-only", timeout=120,
                       extra="nproc = 2\nmetrics = 'step (?P<step>\\d+) loss (?P<loss>\\S+)'")
    smoke = run(cfg, "smoke")["smoke"]
    assert smoke.outcome is Outcome.PASS, smoke.summary
    assert smoke.metrics["steps_logged"] == 6
