"""The runner's file protocol: outputs, the step summary, event payloads, artifact records."""

from __future__ import annotations

import json
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
