"""`mlready comment` end to end over HTTP: environment, event payloads, exit codes, output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlready.cli import main

from .conftest import TOKEN
from .events import gpu_fork_run
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
                  pull_requests: list[dict[str, object]],
                  changes: dict[str, object] | None = None) -> None:
    """The report job's environment: the recorded GPU-run payload, edited by ``changes``."""
    event = actions_env / "run.json"
    payload = gpu_fork_run({"workflow_run.head_sha": HEAD,
                            "workflow_run.pull_requests": pull_requests, **(changes or {})})
    event.write_text(json.dumps(payload))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_run")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_WORKFLOW", "mlready report")


SAME_REPO_PR = {"number": 9, "head": {"sha": HEAD, "ref": "faster-eval"},
                "base": {"ref": "main", "sha": "f" * 40}}


def test_workflow_run_same_repo_pr(actions_env: Path, github: FakeGitHub,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [SAME_REPO_PR], {
        "workflow_run.head_repository.full_name": "octo/charlm"})
    github.add_pull(9, HEAD)
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 0
    # the marker is the GPU card's, decided by the workflow file, not the report workflow
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


FORGED = [
    # A fork PR adds its own workflow, named like ours, on `pull_request`.
    pytest.param({"workflow_run.path": ".github/workflows/evil.yml",
                  "workflow.path": ".github/workflows/evil.yml",
                  "workflow_run.event": "pull_request"},
                 ".github/workflows/evil.yml (named 'mlready GPU') is not one of mlready's "
                 "workflows", id="forged-name"),
    # Another file of the default branch that happens to share the name.
    pytest.param({"workflow_run.path": ".github/workflows/nightly.yml",
                  "workflow.path": ".github/workflows/nightly.yml"},
                 ".github/workflows/nightly.yml (named 'mlready GPU') is not one of",
                 id="wrong-path"),
    # The fork edits mlready-gpu.yml itself and adds a `pull_request` trigger: GitHub runs
    # the PR's copy of the file.
    pytest.param({"workflow_run.event": "pull_request"},
                 ".github/workflows/mlready-gpu.yml ran on `pull_request`; the 'mlready GPU' "
                 "card is only taken from `pull_request_target` runs", id="wrong-event-fork-copy"),
    # The run happened in the fork (its repository, not ours).
    pytest.param({"workflow_run.repository.full_name": "mallory/charlm"},
                 "the run of .github/workflows/mlready-gpu.yml belongs to mallory/charlm, "
                 "not octo/charlm", id="fork-head-repo-run"),
    pytest.param({"workflow_run.path": ".github/workflows/mlready-gpu.yml@refs/heads/old"},
                 "mlready-gpu.yml@refs/heads/old is not the default branch's", id="other-ref"),
    pytest.param({"workflow.path": ".github/workflows/evil.yml"},
                 "the event names two workflow files", id="two-paths"),
    pytest.param({"workflow_run.path": None}, "names no workflow file", id="no-path"),
    # A name that would start a workflow command on a new line of the log.
    pytest.param({"workflow_run.name": "mlready GPU\n::error::forged",
                  "workflow_run.path": ".github/workflows/evil.yml", "workflow.path": None},
                 "(named 'mlready GPU\\x0a::error::forged') is not one of",
                 id="control-characters"),
]


@pytest.mark.parametrize(("changes", "why"), FORGED)
def test_a_gpu_card_only_from_our_gpu_workflow_on_its_event(
        changes: dict[str, object], why: str, actions_env: Path, github: FakeGitHub,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Each forgery of an all-pass GPU card posts nothing and says why in one line."""
    _workflow_run(actions_env, monkeypatch, [], changes)
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": HEAD}))
    github.add_pull(9, HEAD)
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    out, err = _out(capsys)
    assert out.startswith("mlready: not posting: ") and out.count("\n") == 1, out
    assert why in out
    assert err == ""
    assert github.state.requests == []  # decided from the event alone: no API call at all
    assert github.comments_on(9) == []


def test_the_gpu_card_needs_a_pr_into_the_default_branch(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`pull_request_target` on another branch runs that branch's copy of the file."""
    _workflow_run(actions_env, monkeypatch, [])
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": HEAD}))
    github.add_pull(9, HEAD, base="release-0.1")
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    assert _out(capsys)[0] == (
        "mlready: not posting: PR #9 targets 'release-0.1', not the default branch 'main': its "
        ".github/workflows/mlready-gpu.yml is not the one the 'mlready GPU' card trusts\n")
    assert github.writes() == []


def test_the_static_card_comes_from_the_static_workflow_on_pull_request(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [], {
        "workflow_run.name": "mlready static", "workflow_run.event": "pull_request",
        "workflow_run.path": ".github/workflows/mlready-static.yml",
        "workflow.path": ".github/workflows/mlready-static.yml"})
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": HEAD}))
    github.add_pull(9, HEAD, base="release-0.1")  # any base: the PR controls this card anyway
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    (card,) = github.comments_on(9)
    assert card["body"].startswith("<!-- mlready-comment:mlready-static -->\n")
    _out(capsys)
    # Renamed template files are named to the action (inputs gpu-workflow/static-workflow).
    monkeypatch.setenv("MLREADY_STATIC_WORKFLOW", ".github/workflows/lint.yml")
    assert main(args) == 0
    assert "is not one of mlready's workflows (.github/workflows/mlready-gpu.yml, " \
        ".github/workflows/lint.yml)" in _out(capsys)[0]


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


def _one_line(text: str) -> str:
    assert text.count("\n") == 1 and "Traceback" not in text, text
    return text


def test_retry_after_soon_is_a_handled_retry(actions_env: Path, github: FakeGitHub,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    github.state.faults.append(Fault("POST", "/comments$", 429, headers={"Retry-After": "soon"},
                                     message="Too Many Requests"))
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 0
    assert _one_line(_out(capsys)[0]).startswith("mlready: created the comment on PR #12")
    assert len(github.comments_on(12)) == 1


def test_a_create_answered_with_an_empty_object_is_exit_2(
        actions_env: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    github.state.faults.append(Fault("POST", "/comments$", 201, body="{}"))
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 2
    assert _one_line(_out(capsys)[1]) == (
        "mlready comment: error: POST /repos/octo/charlm/issues/12/comments: the comment was "
        "created but is not in the list and the answer had no comment id\n")


@pytest.mark.parametrize("bad", [{"id": "12a"}, {"id": None}, {"user": "github-actions[bot]"}])
def test_listed_comments_with_odd_fields_are_left_alone(
        bad: dict[str, object], actions_env: Path, github: FakeGitHub,
        capsys: pytest.CaptureFixture[str]) -> None:
    odd = github.add_comment(12, "<!-- mlready-comment:mlready-static -->\nodd", BOT)
    github.state.comments[odd].update(bad)
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 0
    assert _one_line(_out(capsys)[0]).startswith("mlready: created the comment on PR #12")
    assert [w.method for w in github.writes()] == ["POST"]


@pytest.mark.parametrize(("text", "why"), [
    ("[" * 100_000, "the PR record is over 10000 bytes"),
    ("[" * 9_000, "cannot read the PR record: nested too deeply"),
    ('{"a":' * 1_500, "cannot read the PR record: nested too deeply"),
])
def test_a_hostile_pr_file_is_one_line_and_exit_2(
        text: str, why: str, actions_env: Path, github: FakeGitHub,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [])
    pr_file = actions_env / "pr.json"
    pr_file.write_text(text)
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 2
    assert _one_line(_out(capsys)[1]) == f"mlready comment: error: {pr_file}: {why}\n"
    assert github.state.requests == []


def test_an_event_payload_nested_too_deeply_is_one_line_and_exit_2(
        actions_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (actions_env / "event.json").write_text("[" * 9_000)
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 2
    assert _one_line(_out(capsys)[1]).endswith("unreadable event: nested too deeply\n")


@pytest.mark.parametrize("pulls", [True, "x", [["x"]], [{"number": 7, "head": "x"}],
                                   [{"number": 7, "head": []}], [{"number": 7, "base": True}]])
def test_a_workflow_run_whose_pull_requests_are_malformed_names_no_pr(pulls: object) -> None:
    """Found by bench/fuzz.py: the event's `pull_requests` is data, whatever its shape."""
    from mlready.github.actions import pr_from_event

    payload = {"workflow_run": {"head_sha": "b" * 40, "pull_requests": pulls}}
    ref = pr_from_event("workflow_run", payload)
    assert ref is None or ref.number == 7
