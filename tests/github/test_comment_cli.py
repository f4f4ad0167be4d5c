"""`mlready comment` end to end over HTTP: environment, event payloads, exit codes, output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlready.cli import main

from .conftest import TOKEN
from .events import FORK_PR, gpu_fork_run, gpu_labeled, static_fork_run
from .events import HEAD as EVENT_HEAD
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


def test_a_comment_list_that_loops_is_exit_2_and_posts_nothing(
        actions_env: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    """Our card is on page 2, and page 1's `next` link points at page 1 itself: a silent
    stop there would not see the card and would post a second one."""
    for i in range(100):
        github.add_comment(12, f"chatter {i}", {"login": "someone", "type": "User"})
    github.add_comment(12, "<!-- mlready-comment:mlready-static -->\nold card", BOT)
    comments = f"{github.base_url}/repos/octo/charlm/issues/12/comments"
    github.state.faults.append(Fault("GET", "/comments$", query=r"^per_page=100$",
                                     headers={"Link": f'<{comments}?per_page=100>; rel="next"'}))
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 2
    assert _out(capsys)[1] == (
        "mlready comment: error: GET /repos/octo/charlm/issues/12/comments?per_page=100: the "
        "`Link` header's next page was already read; refusing a list that may be partial\n")
    assert github.writes() == []


def _workflow_run(actions_env: Path, monkeypatch: pytest.MonkeyPatch,
                  pull_requests: list[dict[str, object]],
                  changes: dict[str, object] | None = None, *,
                  payload: dict[str, object] | None = None) -> None:
    """The report job's environment: the static run's payload (a fork PR's `pull_request`
    run), edited by ``changes``, or ``payload`` as given."""
    event = actions_env / "run.json"
    if payload is None:
        payload = static_fork_run({"workflow_run.head_sha": HEAD,
                                   "workflow_run.pull_requests": pull_requests,
                                   **(changes or {})})
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
    # the marker is the card's, decided by the workflow file, not the report workflow's name
    assert github.comments_on(9)[0]["body"].startswith("<!-- mlready-comment:mlready-static -->")
    _out(capsys)


def test_workflow_run_pull_requests_naming_another_repositorys_pr_is_not_trusted(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`pull_requests` lists PRs by head branch, those of other repositories too: the
    number is only used once this repository's PR of that number is at the run's head."""
    _workflow_run(actions_env, monkeypatch, [SAME_REPO_PR])
    github.add_pull(9, "c" * 40)  # our PR #9 is something else entirely
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 0
    assert _out(capsys)[0] == ("mlready: PR #9 is at cccccccccccc, these results are for "
                               "aaaaaaaaaaaa: stale or not this PR's results, not commenting\n")
    assert github.writes() == []


def test_workflow_run_fork_pr_is_verified_against_the_head_sha(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [])  # GitHub leaves it empty for forks
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": HEAD}))
    github.add_pull(9, HEAD, head_repo="mallory/charlm")
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    assert len(github.comments_on(9)) == 1
    _out(capsys)
    # a new push, or an artifact lying about its PR
    github.add_pull(9, "b" * 40, head_repo="mallory/charlm")
    github.add_comment(4, "bystander", BOT)
    assert main(args) == 0
    assert _out(capsys)[0] == ("mlready: PR #9 is at bbbbbbbbbbbb, these results are for "
                               "aaaaaaaaaaaa: stale or not this PR's results, not commenting\n")
    assert [w.method for w in github.writes()] == ["POST"]


def test_another_prs_head_commit_pushed_to_a_fork_is_not_that_pr(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Mallory pushes eve's PR head commit to her own fork, opens a PR from it, and her
    copy of the static workflow uploads forged results with a pr.json naming eve's PR:
    the head SHA matches, the repository it was pushed to does not."""
    _workflow_run(actions_env, monkeypatch, [])  # head_repository: mallory/charlm
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": HEAD}))
    github.add_pull(9, HEAD, head_repo="eve/charlm")
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    assert _out(capsys)[0] == ("mlready: PR #9's head is in eve/charlm, these results were "
                               "tested in mallory/charlm: not this PR's results, not "
                               "commenting\n")
    assert github.writes() == []
    github.state.pulls[9]["head"]["repo"] = None  # the fork was deleted
    assert main(args) == 0
    assert "PR #9's head is in a deleted repository" in _out(capsys)[0]
    assert github.writes() == []


def test_the_api_head_is_shown_escaped(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever the API answers as a head SHA reaches the log as one line."""
    _workflow_run(actions_env, monkeypatch, [SAME_REPO_PR])
    github.add_pull(9, "\n::error::x")
    assert main(["comment", "--body-file", str(actions_env / "card.md")]) == 0
    assert _out(capsys)[0].startswith("mlready: PR #9 is at \\n::error:")


FORGED = [
    # A fork PR adds its own workflow, named like ours, on `pull_request`.
    pytest.param({"workflow_run.path": ".github/workflows/evil.yml",
                  "workflow.path": ".github/workflows/evil.yml"},
                 ".github/workflows/evil.yml (named 'mlready static') is not one of mlready's "
                 "workflows", id="forged-name"),
    # Another file of the default branch that happens to share the name.
    pytest.param({"workflow_run.path": ".github/workflows/nightly.yml",
                  "workflow.path": ".github/workflows/nightly.yml"},
                 ".github/workflows/nightly.yml (named 'mlready static') is not one of",
                 id="wrong-path"),
    pytest.param({"workflow_run.event": "push"},
                 ".github/workflows/mlready-static.yml ran on `push`; the 'mlready static' card "
                 "is only taken from `pull_request` runs", id="wrong-event"),
    # The run happened in the fork (its repository, not ours).
    pytest.param({"workflow_run.repository.full_name": "mallory/charlm"},
                 "the run of .github/workflows/mlready-static.yml belongs to mallory/charlm, "
                 "not octo/charlm", id="fork-head-repo-run"),
    pytest.param({"workflow_run.path": ".github/workflows/mlready-static.yml@refs/heads/old"},
                 "mlready-static.yml@refs/heads/old is not the default branch's", id="other-ref"),
    pytest.param({"workflow.path": ".github/workflows/evil.yml"},
                 "the event names two workflow files", id="two-paths"),
    pytest.param({"workflow_run.path": None}, "names no workflow file", id="no-path"),
    # A name that would start a workflow command on a new line of the log.
    pytest.param({"workflow_run.name": "mlready GPU\n::error::forged",
                  "workflow_run.path": ".github/workflows/evil.yml", "workflow.path": None},
                 "(named 'mlready GPU\\n::error::forged') is not one of",
                 id="control-characters"),
    # A bidi override that would show the rest of the line reversed.
    pytest.param({"workflow_run.name": "mlready \u202ecitats",
                  "workflow_run.path": ".github/workflows/evil.yml", "workflow.path": None},
                 "(named 'mlready \\u202ecitats') is not one of", id="bidi-override"),
    # The GPU workflow, edited by a fork to run on `pull_request` (GitHub runs the PR's copy).
    pytest.param({"workflow_run.path": ".github/workflows/mlready-gpu.yml",
                  "workflow.path": ".github/workflows/mlready-gpu.yml"},
                 ".github/workflows/mlready-gpu.yml ran on `pull_request`; the 'mlready GPU' card "
                 "is posted by that workflow's own `card` job, never from a `workflow_run`: on "
                 "that event the file that ran may be the PR's own copy", id="gpu-fork-copy"),
]


@pytest.mark.parametrize(("changes", "why"), FORGED)
def test_a_card_only_from_our_workflow_on_its_event(
        changes: dict[str, object], why: str, actions_env: Path, github: FakeGitHub,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Each forgery of a card posts nothing and says why in one line."""
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


def test_a_workflow_run_of_the_gpu_workflow_is_never_a_card(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The genuine GPU run, as GitHub reports it: `head_sha` is the base branch's commit
    and `pull_requests` is empty, so only an artifact could name the PR, and the GPU job
    (PR code) can replace any artifact of its run. Even a `pr.json` naming the right PR
    and head is refused, before any API call."""
    _workflow_run(actions_env, monkeypatch, [], payload=gpu_fork_run())
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": FORK_PR, "head_sha": EVENT_HEAD}))
    github.add_pull(FORK_PR, EVENT_HEAD)
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    assert _out(capsys)[0] == (
        "mlready: not posting: .github/workflows/mlready-gpu.yml ran on `pull_request_target`; "
        "the 'mlready GPU' card is posted by that workflow's own `card` job, never from a "
        "`workflow_run`: such a run names the base branch's commit as its head_sha, not the "
        "PR's, so its results cannot be tied to a PR\n")
    assert github.state.requests == []


def test_the_gpu_card_job_takes_the_pr_from_its_own_event(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """mlready-gpu.yml's `card` job: `pull_request_target` (the labelled fork PR), results
    downloaded from the GPU job, whose `pr.json` lies about the PR: the event decides."""
    event = actions_env / "labeled.json"
    event.write_text(json.dumps(gpu_labeled()))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_WORKFLOW", "mlready GPU")
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": "9" * 40}))
    github.add_pull(9, "9" * 40)
    github.add_pull(FORK_PR, EVENT_HEAD, head_repo="mallory/charlm")
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file),
            "--marker", "mlready GPU"]
    assert main(args) == 0
    (card,) = github.comments_on(FORK_PR)
    assert card["body"].startswith("<!-- mlready-comment:mlready-gpu -->\n")
    assert github.comments_on(9) == []
    assert _out(capsys)[0].startswith(f"mlready: created the comment on PR #{FORK_PR} ")
    # A push after the label: the labelled commit's run goes on, its card is stale.
    (actions_env / "card.md").write_text("## mlready: 12 / 100\n")
    github.add_pull(FORK_PR, "b" * 40, head_repo="mallory/charlm")
    assert main(args) == 0
    assert _out(capsys)[0] == (f"mlready: PR #{FORK_PR} is at bbbbbbbbbbbb, these results are "
                               f"for {EVENT_HEAD[:12]}: stale or not this PR's results, not "
                               "commenting\n")
    assert [w.method for w in github.writes()] == ["POST"]


def test_a_pr_file_naming_no_pr_of_this_repository_posts_nothing(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The artifact's number is the PR's to write: one that does not exist is one line and
    exit 0, not a failed report job."""
    _workflow_run(actions_env, monkeypatch, [])
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 404, "head_sha": HEAD}))
    args = ["comment", "--body-file", str(actions_env / "card.md"), "--pr-file", str(pr_file)]
    assert main(args) == 0
    assert _out(capsys)[0] == ("mlready: there is no PR #404 in octo/charlm: not this "
                               "repository's results, not commenting\n")
    assert github.writes() == []


def test_the_static_card_comes_from_the_static_workflow_on_pull_request(
        actions_env: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _workflow_run(actions_env, monkeypatch, [])
    pr_file = actions_env / "pr.json"
    pr_file.write_text(json.dumps({"number": 9, "head_sha": HEAD}))
    # any base: the PR controls this card anyway
    github.add_pull(9, HEAD, base="release-0.1", head_repo="mallory/charlm")
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
