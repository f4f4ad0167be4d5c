"""`mlready comment` end to end over HTTP: environment, event payloads, exit codes, output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlready.cli import main

from .conftest import TOKEN
from .server import BOT, FakeGitHub, Fault

HEAD = "a" * 40


@pytest.fixture
def actions_env(tmp_path: Path, github: FakeGitHub,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    """The variables the runner sets, a pull_request event for PR #12, and a body file."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12, "head": {"sha": HEAD}}}))
    for name, value in {
        "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "octo/charlm",
        "GITHUB_API_URL": github.base_url, "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event), "GITHUB_WORKFLOW": "mlready static",
        "MLREADY_RETRY_BASE_DELAY": "0.001",
    }.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "card.md").write_text("## mlready: 82 / 100\n")
    return tmp_path


def _out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
    return captured.out, captured.err


def test_posts_then_updates(actions_env: Path, github: FakeGitHub,
                            capsys: pytest.CaptureFixture[str]) -> None:
    card = str(actions_env / "card.md")
    assert main(["comment", "--body-file", card]) == 0
    (comment,) = github.comments_on(12)
    assert _out(capsys)[0] == (f"mlready: created the comment on PR #12 ({comment['html_url']})\n")
    assert comment["body"] == "<!-- mlready-comment:mlready-static -->\n## mlready: 82 / 100\n"
    (actions_env / "card.md").write_text("## mlready: 90 / 100\n")
    assert main(["comment", "--body-file", card]) == 0
    assert _out(capsys)[0].startswith("mlready: updated the comment on PR #12")
    assert len(github.comments_on(12)) == 1
    assert all(TOKEN not in line for line in github.state.log)


def test_marker_and_pr_options(actions_env: Path, github: FakeGitHub,
                               capsys: pytest.CaptureFixture[str]) -> None:
    card = str(actions_env / "card.md")
    assert main(["comment", "--body-file", card, "--pr", "3", "--marker", "GPU"]) == 0
    assert github.comments_on(3)[0]["body"].startswith("<!-- mlready-comment:gpu -->\n")
    _out(capsys)


@pytest.mark.parametrize(("variable", "expected"), [
    ("GITHUB_TOKEN", "GITHUB_TOKEN is not set"),
    ("GITHUB_REPOSITORY", "GITHUB_REPOSITORY is not set"),
])
def test_missing_environment_is_a_config_error(actions_env: Path, variable: str, expected: str,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(variable)
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 2
    assert expected in _out(capsys)[1]


def test_an_event_without_a_pr_needs_an_option(actions_env: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (actions_env / "push.json").write_text(json.dumps({"ref": "refs/heads/main"}))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(actions_env / "push.json"))
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 2
    assert _out(capsys)[1] == ("mlready comment: error: no pull request to comment on: the `push` "
                               "event names none; pass --pr N (or --pr-file from a results "
                               "artifact)\n")


def test_read_only_token_is_one_clear_line(actions_env: Path, github: FakeGitHub,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    github.add_token(TOKEN, read_only=True)
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 0
    out, err = _out(capsys)
    assert out.count("\n") == 1
    assert out.startswith("mlready: the token cannot comment on PR #12 (read-only: a PR from a "
                          "fork?); the scorecard is in the job summary.")
    assert err == ""


def test_api_failures_exit_1_without_the_token(actions_env: Path, github: FakeGitHub,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    github.state.faults.append(Fault("GET", "/comments$", 500, times=99,
                                     message=f"boom {TOKEN}"))
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 1
    assert _out(capsys)[1] == ("mlready comment: error: GET /repos/octo/charlm/issues/12/comments"
                               "?per_page=100: HTTP 500: boom ***\n")


def _workflow_run(actions_env: Path, monkeypatch: pytest.MonkeyPatch,
                  pull_requests: list[dict[str, object]]) -> None:
    event = actions_env / "run.json"
    event.write_text(json.dumps({"workflow_run": {
        "name": "mlready GPU", "head_sha": HEAD, "pull_requests": pull_requests}}))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_run")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_WORKFLOW", "mlready report")


def test_workflow_run_same_repo_pr(actions_env: Path, github: FakeGitHub,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [{"number": 9, "head": {"sha": HEAD}}])
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 0
    # the marker follows the workflow that produced the results, not the report workflow
    assert github.comments_on(9)[0]["body"].startswith("<!-- mlready-comment:mlready-gpu -->")
    _out(capsys)


def test_workflow_run_fork_pr_is_verified_against_the_head_sha(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [])  # GitHub leaves it empty for forks
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": HEAD}))
    github.add_pull(9, HEAD)
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    assert len(github.comments_on(9)) == 1
    _out(capsys)
    github.add_pull(9, "b" * 40)  # a new push, or an artifact lying about its PR
    github.add_comment(4, "bystander", BOT)
    assert main(args) == 0
    assert _out(capsys)[0] == ("mlready: PR #9 is at bbbbbbbbbbbb, these results are for "
                               "aaaaaaaaaaaa: stale or not this PR's results, not commenting\n")
    assert [w.method for w in github.writes()] == ["POST"]


def test_artifact_pr_file_is_validated(actions_env: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [])
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": "9; rm -rf /"}))
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 2
    assert "`number` must be a positive integer" in _out(capsys)[1]


def test_dry_run_prints_and_writes_nothing(actions_env: Path, github: FakeGitHub,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["comment", "--body-file", str(actions_env / "card.md"), "--dry-run"]) == 0
    assert _out(capsys)[0] == ("mlready: dry run: would create a comment on PR #12\n"
                               "## mlready: 82 / 100\n")
    assert github.writes() == []
