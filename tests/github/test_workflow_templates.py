"""The GPU and report templates' expressions, evaluated on payloads shaped like GitHub's.

Which job runs, and which runs share a concurrency group (and so cancel each other), is
decided by GitHub from these expressions alone; here they are evaluated with the same
expression subset the composite-action runner uses (`runner.evaluate`), on the payload
fixtures of `events`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from .events import FORK_PR, HEAD, gpu_fork_run, gpu_labeled, static_fork_run
from .runner import evaluate, substitute

WORKFLOWS = Path(__file__).parents[2] / "examples" / "workflows"
GPU = yaml.safe_load((WORKFLOWS / "mlready-gpu.yml").read_text())
REPORT = yaml.safe_load((WORKFLOWS / "mlready-report.yml").read_text())


def _report_group(payload: dict[str, Any]) -> str:
    return substitute(REPORT["concurrency"]["group"],
                      {"github": {"event": payload, "event_name": "workflow_run"}})


def test_report_groups_are_one_per_pr_and_never_shared_by_other_runs() -> None:
    first = static_fork_run()
    again = static_fork_run({"workflow_run.id": 9081726002, "workflow_run.head_sha": "1" * 40})
    other_fork = static_fork_run({"workflow_run.id": 9081726003,
                                  "workflow_run.head_repository.full_name": "eve/charlm"})
    assert _report_group(first) == _report_group(again)  # a newer run supersedes the older
    assert _report_group(first) != _report_group(other_fork)
    # `pull_request_target` runs name the base branch as head_branch: two PRs of one fork
    # would share a group keyed on it, and one PR's run would cancel the other's report.
    gpu_a = gpu_fork_run()
    gpu_b = gpu_fork_run({"workflow_run.id": 9081726999})
    assert gpu_a["workflow_run"]["head_branch"] == gpu_b["workflow_run"]["head_branch"] == "main"
    assert _report_group(gpu_a) != _report_group(gpu_b)
    assert "mallory/charlm:faster-eval" in _report_group(first)


def test_the_report_takes_only_the_static_workflow_on_pull_request() -> None:
    assert REPORT[True]["workflow_run"]["workflows"] == ["mlready static"]
    condition = REPORT["jobs"]["comment"]["if"]
    context = {"github": {"event": static_fork_run()}}
    assert evaluate(condition, context) is True
    assert evaluate(condition, {"github": {"event": gpu_fork_run()}}) is False


def _card_runs(payload: dict[str, Any], gpu_result: str, status: str = "success") -> bool:
    context = {"github": {"event": payload, "event_name": "pull_request_target"},
               "needs": {"gpu": {"result": gpu_result}}, "job_status": status}
    return bool(evaluate(GPU["jobs"]["card"]["if"], context))


@pytest.mark.parametrize(("changes", "gpu_result", "status", "runs"), [
    ({}, "success", "success", True),
    ({}, "failure", "failure", True),  # a failing check or score is a card too
    ({}, "skipped", "success", False),  # an unlabelled fork PR: nothing ran
    ({}, "cancelled", "cancelled", False),  # superseded by a newer commit
    ({"pull_request.base.ref": "release-0.1"}, "success", "success", False),
])
def test_the_gpu_card_job_runs_after_a_gpu_run_of_a_pr_into_the_default_branch(
        changes: dict[str, Any], gpu_result: str, status: str, runs: bool) -> None:
    assert _card_runs(gpu_labeled(changes), gpu_result, status) is runs


def test_the_gpu_card_job_runs_no_pr_code_and_reads_the_pr_from_its_event() -> None:
    card = GPU["jobs"]["card"]
    assert card["needs"] == "gpu" and card["runs-on"] == "ubuntu-latest"
    assert card["permissions"] == {"pull-requests": "write"}
    uses = [step.get("uses", "").split("@")[0] for step in card["steps"]]
    assert uses == ["actions/download-artifact", "org/mlready-action"]
    assert not any("run" in step for step in card["steps"])
    download, action = card["steps"]
    assert download["with"]["name"] == "mlready-results"
    assert "run-id" not in download["with"]  # this run's artifact, not another run's
    assert action["with"]["mode"] == "report" and action["with"]["marker"] == "mlready GPU"
    group = substitute(card["concurrency"]["group"], {"github": {"event": gpu_labeled()}})
    assert group == f"mlready-gpu-card-{FORK_PR}"
    # the GPU job tests exactly the commit the event names, the one the card is posted for
    checkout = GPU["jobs"]["gpu"]["steps"][0]
    ref = substitute(checkout["with"]["ref"], {"github": {"event": gpu_labeled()}})
    assert ref == HEAD
    assert "pull_request_target" in GPU[True]  # YAML 1.1 reads the key `on` as true
