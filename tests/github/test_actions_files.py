"""The runner's file protocol: outputs, the step summary, event payloads, artifact records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlready.github.actions import (
    SUMMARY_TRUNCATED,
    ActionsConfigError,
    PullRequestRef,
    append_summary,
    pr_from_event,
    pr_record,
    read_pr_file,
    write_outputs,
)

from .events import gpu_fork_run, gpu_labeled, static_fork_run
from .runner import condition, parse_output_file, substitute

SHA = "c" * 40


def test_outputs_use_a_heredoc_that_values_cannot_close(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("earlier=1\n")
    hostile = "line 1\nEOF\nlevel<<EOF\ninjected\nEOF"
    write_outputs(out, {"score": "82", "summary": hostile})
    assert parse_output_file(out.read_text()) == {"earlier": "1", "score": "82",
                                                  "summary": hostile}
    with pytest.raises(ValueError, match="invalid output name"):
        write_outputs(out, {"bad name": "x"})


def test_summary_appends_within_the_limit(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    assert append_summary(summary, "# one", limit=100)
    assert append_summary(summary, "two\n", limit=100)
    assert summary.read_text() == "# one\ntwo\n"
    long = "".join(f"row {i}\n" for i in range(100))
    assert not append_summary(summary, long, limit=200)
    text = summary.read_text()
    assert len(text.encode()) <= 200
    assert text.startswith("# one\ntwo\nrow 0\n")
    assert text.endswith(SUMMARY_TRUNCATED)


@pytest.mark.parametrize(("event", "payload", "expected"), [
    ("pull_request", {"pull_request": {"number": 4, "head": {"sha": SHA}}},
     PullRequestRef(4, SHA)),
    ("pull_request_target", {"pull_request": {"number": 4, "head": {"sha": "short"}}},
     PullRequestRef(4, None)),
    ("issue_comment", {"issue": {"number": 6, "pull_request": {}}}, PullRequestRef(6, None)),
    ("issue_comment", {"issue": {"number": 6}}, None),  # a comment on an issue, not a PR
    ("workflow_run", {"workflow_run": {"head_sha": SHA, "pull_requests": [
        {"number": 1, "head": {"sha": "d" * 40}}, {"number": 2, "head": {"sha": SHA}}]}},
     PullRequestRef(2, SHA)),
    ("workflow_run", {"workflow_run": {"head_sha": SHA, "pull_requests": []}}, None),
    ("push", {"ref": "refs/heads/main"}, None),
    ("pull_request", {"pull_request": {"number": True}}, None),
])
def test_pr_from_event(event: str, payload: dict[str, object],
                       expected: PullRequestRef | None) -> None:
    assert pr_from_event(event, payload) == expected


def test_pr_record_round_trip_is_unverified(tmp_path: Path) -> None:
    record = pr_record("pull_request", {"pull_request": {"number": 4, "head": {"sha": SHA}}})
    assert record == {"number": 4, "head_sha": SHA, "event": "pull_request"}
    path = tmp_path / "pr.json"
    path.write_text(json.dumps(record))
    assert read_pr_file(path) == PullRequestRef(4, SHA, verified=False)
    path.write_text("[1]")
    with pytest.raises(ActionsConfigError, match="positive integer"):
        read_pr_file(path)


def test_the_runner_emulation_evaluates_like_actions() -> None:
    context = {"inputs": {"mode": "all", "comment": "true"}, "job_status": "success",
               "github": {"action_path": "/a"}}
    assert substitute("${{ github.action_path }}/x", context) == "/a/x"
    assert condition("inputs.mode == 'ALL' || inputs.mode == 'static'", context)
    assert not condition("${{ inputs.comment != 'true' }}", context)
    assert condition("contains(fromJSON('[\"all\", \"static\"]'), inputs.mode)", context)
    assert not condition("inputs.mode == 'all'", {**context, "job_status": "failure"})
    assert condition("always() && inputs.mode == 'all'", {**context, "job_status": "failure"})


def test_plumbing_record_pr_and_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mlready.github.plumbing import plumbing

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 4, "head": {"sha": SHA}}}))
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    runner = CliRunner()
    assert runner.invoke(plumbing, ["record-pr", str(tmp_path / "r" / "pr.json")]).exit_code == 0
    assert read_pr_file(tmp_path / "r" / "pr.json") == PullRequestRef(4, SHA, verified=False)
    card = tmp_path / "scorecard.json"
    card.write_text(json.dumps({"kind": "scorecard", "score": 89.96, "level": "nearly-ready"}))
    (tmp_path / "summary-in.md").write_text("## card\n")
    result = runner.invoke(plumbing, ["publish", str(card), "--summary",
                                      str(tmp_path / "summary-in.md")])
    assert result.output == "mlready: score 89.9, level nearly-ready\n"
    assert parse_output_file(output.read_text()) == {"score": "89.9", "level": "nearly-ready"}
    assert summary.read_text() == "## card\n"
    card.write_text(json.dumps({"kind": "scorecard", "score": None, "level": "not-measured"}))
    assert runner.invoke(plumbing, ["publish", str(card)]).exit_code == 0
    assert parse_output_file(output.read_text())["score"] == ""
    card.write_text("{}")
    assert "not a scorecard" in runner.invoke(plumbing, ["publish", str(card)]).output
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    event.write_text("{}")
    result = runner.invoke(plumbing, ["record-pr", str(tmp_path / "push" / "pr.json")])
    assert result.output == "mlready: no pull request in this event; pr.json not written\n"
    assert not (tmp_path / "push").exists()


def _origin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, event_name: str,
            payload: dict[str, object]) -> tuple[str, dict[str, str], str]:
    """Run `plumbing origin`: (its output, its step outputs, the job summary)."""
    from click.testing import CliRunner

    from mlready.github.plumbing import plumbing

    event, output, summary = tmp_path / "event.json", tmp_path / "output", tmp_path / "sum.md"
    event.write_text(json.dumps(payload))
    for name, value in {"GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event),
                        "GITHUB_REPOSITORY": "octo/charlm", "GITHUB_OUTPUT": str(output),
                        "GITHUB_STEP_SUMMARY": str(summary)}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(plumbing, ["origin"])
    assert result.exit_code == 0, result.output
    return (result.output, parse_output_file(output.read_text()),
            summary.read_text() if summary.exists() else "")


def test_origin_refuses_a_workflow_run_of_the_gpu_workflow(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The genuine GPU run names the base branch's commit, not the PR: no card from it."""
    out, values, summary = _origin(tmp_path, monkeypatch, "workflow_run", gpu_fork_run())
    assert values == {"accepted": "false", "marker": "", "runtime": "true"}
    assert out.startswith("mlready: not posting: .github/workflows/mlready-gpu.yml ran on "
                          "`pull_request_target`; the 'mlready GPU' card is posted by that "
                          "workflow's own `card` job")
    assert summary.count("\n") == 1


def test_origin_accepts_the_gpu_card_job_with_runtime_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `card` job runs `report` on the GPU workflow's own `pull_request_target` event."""
    out, values, summary = _origin(tmp_path, monkeypatch, "pull_request_target", gpu_labeled())
    assert (out, values, summary) == ("", {"accepted": "true", "marker": "", "runtime": "true"},
                                      "")


def test_origin_refuses_a_forged_card_in_the_log_and_the_summary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forged = gpu_fork_run({"workflow_run.path": ".github/workflows/evil.yml",
                           "workflow.path": ".github/workflows/evil.yml",
                           "workflow_run.event": "pull_request",
                           "workflow_run.name": "mlready GPU <img src=x>"})
    out, values, summary = _origin(tmp_path, monkeypatch, "workflow_run", forged)
    assert values == {"accepted": "false", "marker": "", "runtime": "true"}
    assert out == ("mlready: not posting: .github/workflows/evil.yml (named 'mlready GPU "
                   "<img src=x>') is not one of mlready's workflows (.github/workflows/"
                   "mlready-gpu.yml, .github/workflows/mlready-static.yml): its results are "
                   "not a card\n")
    assert summary.count("\n") == 1
    assert r"GPU \<img src=x\>" in summary
    assert re.search(r"(?<!\\)[<>\[\]]", summary) is None  # markdown cannot render it as HTML


def test_origin_has_nothing_to_judge_outside_workflow_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, values, summary = _origin(tmp_path, monkeypatch, "pull_request",
                                   {"pull_request": {"number": 4}})
    assert (out, values, summary) == ("", {"accepted": "true", "marker": "", "runtime": "true"},
                                      "")


def test_the_static_card_takes_no_runtime_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The static workflow runs the PR's own copy on `pull_request`: a `run.json` in its
    artifacts is whatever the PR uploaded, so its card is rendered without it."""
    _, values, _ = _origin(tmp_path, monkeypatch, "workflow_run", static_fork_run())
    assert values == {"accepted": "true", "marker": "mlready static", "runtime": "false"}
    action = (Path(__file__).parents[2] / "action.yml").read_text(encoding="utf-8")
    assert action.count('[ "$RUNTIME" != false ]') == 2  # the card and the minimum score
