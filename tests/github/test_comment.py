"""The upsert rules: our marker at the start AND our author, never anyone else's comment."""

from __future__ import annotations

import threading

import pytest

from mlready.github.api import GitHubClient, GitHubError, Repo, UnexpectedResponse
from mlready.github.comment import (
    ACTIONS_BOT,
    MAX_COMMENT_CHARS,
    TRUNCATED_NOTE,
    AuthorRule,
    compose,
    marker,
    marker_id,
    resolve_author,
    upsert,
)

from .conftest import FAST, TOKEN
from .server import BOT, FakeGitHub, Fault

REPO = Repo.parse("octo/charlm")
BOT_RULE = AuthorRule(frozenset({ACTIONS_BOT}), "test")
STATIC = marker("mlready static")
GPU = marker("mlready GPU")


def test_marker_ids_are_safe_inside_an_html_comment() -> None:
    assert marker("mlready static") == "<!-- mlready-comment:mlready-static -->"
    assert marker_id("evil --> <img src=x>") == "evil-img-src-x"
    assert marker_id("///") == "mlready"


def test_creates_when_absent(client: GitHubClient, github: FakeGitHub) -> None:
    result = upsert(client, REPO, 5, STATIC, "## Score 80", BOT_RULE)
    (comment,) = github.comments_on(5)
    assert result.action == "created"
    assert result.comment_id == comment["id"]
    assert comment["body"] == f"{STATIC}\n## Score 80\n"
    assert comment["user"]["login"] == ACTIONS_BOT


def test_updates_in_place_and_skips_an_unchanged_body(client: GitHubClient,
                                                      github: FakeGitHub) -> None:
    first = upsert(client, REPO, 5, STATIC, "score 70", BOT_RULE)
    second = upsert(client, REPO, 5, STATIC, "score 85", BOT_RULE)
    third = upsert(client, REPO, 5, STATIC, "score 85", BOT_RULE)
    assert (second.action, second.comment_id) == ("updated", first.comment_id)
    assert third.action == "unchanged"
    assert [c["body"] for c in github.comments_on(5)] == [f"{STATIC}\nscore 85\n"]
    assert [w.method for w in github.writes()] == ["POST", "PATCH"]


def test_one_comment_per_marker(client: GitHubClient, github: FakeGitHub) -> None:
    upsert(client, REPO, 5, STATIC, "static", BOT_RULE)
    upsert(client, REPO, 5, GPU, "gpu", BOT_RULE)
    upsert(client, REPO, 5, STATIC, "static v2", BOT_RULE)
    assert [c["body"] for c in github.comments_on(5)] == [
        f"{STATIC}\nstatic v2\n", f"{GPU}\ngpu\n"]


def test_never_edits_comments_it_did_not_write(client: GitHubClient, github: FakeGitHub) -> None:
    human = {"login": "mallory", "type": "User"}
    spoofed = github.add_comment(5, f"{STATIC}\nfake scorecard", human)
    quoted = github.add_comment(5, f"> {STATIC}\n> quoted by the bot", BOT)
    other_bot = github.add_comment(5, f"{STATIC}\nother app", {"login": "ci[bot]", "type": "Bot"})
    result = upsert(client, REPO, 5, STATIC, "real", BOT_RULE)
    assert result.action == "created"
    assert result.comment_id not in (spoofed, quoted, other_bot)
    assert all(w.method == "POST" for w in github.writes())


def test_finds_our_comment_beyond_the_first_page(client: GitHubClient, github: FakeGitHub) -> None:
    for i in range(230):
        github.add_comment(5, f"chatter {i}", {"login": "bob", "type": "User"})
    ours = github.add_comment(5, f"{STATIC}\nold", BOT)
    result = upsert(client, REPO, 5, STATIC, "new", BOT_RULE)
    assert (result.action, result.comment_id) == ("updated", ours)
    assert len(github.comments_on(5)) == 231


def test_a_create_that_failed_after_landing_is_not_duplicated(client: GitHubClient,
                                                               github: FakeGitHub) -> None:
    github.state.faults.append(Fault("POST", "/comments$", 502, after=True))
    result = upsert(client, REPO, 5, STATIC, "once", BOT_RULE)
    assert len(github.comments_on(5)) == 1
    assert result.action == "unchanged"  # the retry found the comment that had landed


def test_a_create_that_failed_before_landing_is_retried(client: GitHubClient,
                                                         github: FakeGitHub) -> None:
    github.state.faults.append(Fault("POST", "/comments$", 502, times=2))
    assert upsert(client, REPO, 5, STATIC, "once", BOT_RULE).action == "created"
    assert len(github.comments_on(5)) == 1


def test_dry_run_writes_nothing(client: GitHubClient, github: FakeGitHub) -> None:
    assert upsert(client, REPO, 5, STATIC, "x", BOT_RULE, dry_run=True).action == "would-create"
    github.add_comment(5, f"{STATIC}\nold", BOT)
    assert upsert(client, REPO, 5, STATIC, "x", BOT_RULE, dry_run=True).action == "would-update"
    assert github.writes() == []


def test_author_rule_from_the_token(github: FakeGitHub) -> None:
    github.add_token("ghp_alice", login="alice")
    pat = GitHubClient("ghp_alice", github.base_url, retry=FAST)
    assert resolve_author(pat).logins == {"alice"}
    assert resolve_author(pat, "deploy[bot]").logins == {"deploy[bot]"}


def test_author_rule_for_an_actions_token(client: GitHubClient) -> None:
    rule = resolve_author(client)  # GET /user is forbidden for installation tokens
    assert rule.logins == {ACTIONS_BOT}
    assert rule.source == "Actions token"


def test_a_personal_token_updates_only_its_own_comments(github: FakeGitHub) -> None:
    github.add_token("ghp_alice", login="alice")
    pat = GitHubClient("ghp_alice", github.base_url, retry=FAST)
    bots = github.add_comment(5, f"{STATIC}\nby the bot", BOT)
    result = upsert(pat, REPO, 5, STATIC, "by alice", resolve_author(pat))
    assert result.action == "created"
    assert github.state.comments[bots]["body"] == f"{STATIC}\nby the bot"


@pytest.mark.parametrize("size", [10, MAX_COMMENT_CHARS])
def test_compose_fits_githubs_limit(size: int) -> None:
    content = "\n".join("x" * 99 for _ in range(size // 100 + 1))
    body = compose(STATIC, content)
    assert body.startswith(f"{STATIC}\n")
    assert len(body) <= MAX_COMMENT_CHARS
    assert ("truncated" in body) == (size == MAX_COMMENT_CHARS)


def test_the_truncation_boundary_is_exactly_githubs_limit() -> None:
    """65,536 characters is posted whole; one more is cut to fit, with the note."""
    room = MAX_COMMENT_CHARS - len(STATIC) - 2  # the marker line's newline, the final one
    exact = compose(STATIC, "x" * room)
    assert len(exact) == MAX_COMMENT_CHARS
    assert exact == f"{STATIC}\n{'x' * room}\n"
    over = compose(STATIC, "x" * (room + 1))
    assert len(over) <= MAX_COMMENT_CHARS
    assert over.endswith(TRUNCATED_NOTE)


def test_a_4xx_on_create_is_raised_at_once(client: GitHubClient, github: FakeGitHub) -> None:
    github.state.faults.append(Fault("POST", "/comments$", 422, message="Validation Failed"))
    with pytest.raises(GitHubError) as caught:
        upsert(client, REPO, 5, STATIC, "x", BOT_RULE)
    assert caught.value.status == 422
    assert [r.method for r in github.state.requests] == ["GET", "POST"]  # no retry, no re-list
    assert github.comments_on(5) == []


@pytest.mark.parametrize("fault", [
    pytest.param(Fault("POST", "/comments$", 500), id="500"),
    pytest.param(Fault("POST", "/comments$", drop=True), id="dropped-connection"),
])
def test_a_500_or_a_dropped_connection_on_create_is_retried(
        fault: Fault, client: GitHubClient, github: FakeGitHub) -> None:
    github.state.faults.append(fault)
    assert upsert(client, REPO, 5, STATIC, "once", BOT_RULE).action == "created"
    assert [r.method for r in github.state.requests] == ["GET", "POST", "GET", "POST", "GET"]
    assert len(github.comments_on(5)) == 1


def test_a_dropped_connection_after_landing_is_not_duplicated(client: GitHubClient,
                                                              github: FakeGitHub) -> None:
    github.state.faults.append(Fault("POST", "/comments$", drop=True, after=True))
    assert upsert(client, REPO, 5, STATIC, "once", BOT_RULE).action == "unchanged"
    assert len(github.comments_on(5)) == 1


@pytest.mark.parametrize("status", [401, 404])
def test_user_401_or_404_means_the_actions_bot(status: int, github: FakeGitHub) -> None:
    github.add_token("ghp_alice", login="alice")
    github.state.faults.append(Fault("GET", "^/user$", status, message="nope"))
    pat = GitHubClient("ghp_alice", github.base_url, retry=FAST)
    assert resolve_author(pat) == AuthorRule(frozenset({ACTIONS_BOT}), "Actions token")
    assert len(github.state.requests) == 1  # not retried


def test_user_500_is_retried_then_raised(github: FakeGitHub) -> None:
    github.add_token("ghp_alice", login="alice")
    github.state.faults.append(Fault("GET", "^/user$", 500, times=99))
    pat = GitHubClient("ghp_alice", github.base_url, retry=FAST)
    with pytest.raises(GitHubError, match="HTTP 500"):
        resolve_author(pat)
    assert len(github.state.requests) == FAST.max_attempts


def test_every_run_keeps_the_oldest_and_deletes_its_newer_duplicates(
        client: GitHubClient, github: FakeGitHub) -> None:
    oldest = github.add_comment(5, f"{STATIC}\nold", BOT)
    human = github.add_comment(5, f"{STATIC}\nquoting the card", {"login": "bob"})
    newer = [github.add_comment(5, f"{STATIC}\nold", BOT) for _ in range(2)]
    result = upsert(client, REPO, 5, STATIC, "new", BOT_RULE)
    assert (result.action, result.comment_id, result.removed) == ("updated", oldest, 2)
    assert result.describe(5).endswith("; removed 2 duplicates")
    assert [c["id"] for c in github.comments_on(5)] == [oldest, human]
    assert github.state.comments[oldest]["body"] == f"{STATIC}\nnew\n"
    assert sorted(r.path.rsplit("/", 1)[1] for r in github.writes()
                  if r.method == "DELETE") == sorted(str(n) for n in newer)


def test_two_concurrent_runs_leave_one_comment(github: FakeGitHub) -> None:
    """Both list before either creates (the server holds the two first lists until both
    arrived, the interleaving a slow list gives on github.com): each creates, and the
    later creator, re-listing, deletes its own. On a loaded machine a round can still
    miss the interleaving (one client lists after the other created, so it updates):
    every round must end with one comment, and at least one must have had two."""
    posts: list[int] = []
    for pr in range(20, 25):
        github.state.faults.append(Fault("GET", f"/issues/{pr}/comments$", times=2,
                                         rendezvous=threading.Barrier(2)))
        errors: list[BaseException] = []

        def run(body: str, pr: int = pr, errors: list[BaseException] = errors) -> None:
            client = GitHubClient(TOKEN, github.base_url, retry=FAST)
            try:
                upsert(client, REPO, pr, STATIC, body, BOT_RULE)
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(f"run {i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert errors == []
        (survivor,) = github.comments_on(pr)
        assert survivor["body"] in (f"{STATIC}\nrun 0\n", f"{STATIC}\nrun 1\n")
        posts.append(sum(r.method == "POST" and r.path.endswith(f"/{pr}/comments")
                         for r in github.state.requests))
    assert set(posts) <= {1, 2} and 2 in posts, posts  # the race really happened


def test_a_create_that_timed_out_and_landed_later_does_not_survive(github: FakeGitHub) -> None:
    """The first POST outlasts the client's timeout, so it posts again; the slow one lands
    afterwards. The next run keeps the oldest and deletes the other."""
    github.state.faults.append(Fault("POST", "/comments$", delay=0.6))
    client = GitHubClient(TOKEN, github.base_url, retry=FAST, timeout=0.2)
    assert upsert(client, REPO, 5, STATIC, "first", BOT_RULE).action == "created"
    first, late = github.wait_for(5, 2)
    later = upsert(GitHubClient(TOKEN, github.base_url, retry=FAST), REPO, 5, STATIC,
                   "second", BOT_RULE)
    assert (later.action, later.comment_id, later.removed) == ("updated", first["id"], 1)
    assert [c["body"] for c in github.comments_on(5)] == [f"{STATIC}\nsecond\n"]
    assert late["id"] > first["id"]


@pytest.mark.parametrize("bad", [
    pytest.param({"id": "1001"}, id="string-id"),
    pytest.param({"id": 10.5}, id="float-id"),
    pytest.param({"id": True}, id="bool-id"),
    pytest.param({"id": None}, id="missing-id"),
    pytest.param({"user": "github-actions[bot]"}, id="user-is-a-string"),
    pytest.param({"user": None}, id="no-user"),
])
def test_a_listed_comment_with_bad_fields_is_not_ours(
        bad: dict[str, object], client: GitHubClient, github: FakeGitHub) -> None:
    odd = github.add_comment(5, f"{STATIC}\nodd", BOT)
    github.state.comments[odd].update(bad)
    result = upsert(client, REPO, 5, STATIC, "real", BOT_RULE)
    assert result.action == "created"
    assert result.comment_id != odd
    assert [w.method for w in github.writes()] == ["POST"]


@pytest.mark.parametrize("answer", ["{}", '{"id": "x"}', "[]", "null"])
def test_a_create_answered_without_an_id_is_settled_by_the_list(
        answer: str, client: GitHubClient, github: FakeGitHub) -> None:
    github.state.faults.append(Fault("POST", "/comments$", body=answer))
    result = upsert(client, REPO, 5, STATIC, "once", BOT_RULE)
    (comment,) = github.comments_on(5)
    assert (result.action, result.comment_id) == ("created", comment["id"])


def test_a_create_answered_with_nothing_usable_and_not_listed_is_named(
        client: GitHubClient, github: FakeGitHub) -> None:
    github.state.faults.append(Fault("POST", "/comments$", 201, body="{}"))  # not processed
    with pytest.raises(UnexpectedResponse, match=(
            "the comment was created but is not in the list and the answer had no comment id")):
        upsert(client, REPO, 5, STATIC, "once", BOT_RULE)


def test_an_update_answered_with_an_empty_object(client: GitHubClient,
                                                 github: FakeGitHub) -> None:
    ours = github.add_comment(5, f"{STATIC}\nold", BOT)
    github.state.faults.append(Fault("PATCH", "/comments/", body="{}"))
    result = upsert(client, REPO, 5, STATIC, "new", BOT_RULE)
    assert (result.action, result.comment_id) == ("updated", ours)
    assert result.url == github.state.comments[ours]["html_url"]


def test_a_duplicate_already_deleted_by_another_run_is_fine(client: GitHubClient,
                                                            github: FakeGitHub) -> None:
    github.add_comment(5, f"{STATIC}\nx\n", BOT)
    twin = github.add_comment(5, f"{STATIC}\nx\n", BOT)
    github.state.faults.append(Fault("DELETE", f"/comments/{twin}$", 404, message="Not Found"))
    result = upsert(client, REPO, 5, STATIC, "x", BOT_RULE)
    assert (result.action, result.removed) == ("unchanged", 0)


def test_a_list_that_does_not_show_the_new_comment_yet_uses_the_answer(
        client: GitHubClient, github: FakeGitHub) -> None:
    """The re-list after a create is answered from a replica that lags: the create's own
    answer names the comment, so the run succeeds instead of calling it missing."""
    github.state.faults.append(Fault("GET", "/comments$", times=2, body="[]"))
    result = upsert(client, REPO, 5, STATIC, "once", BOT_RULE)
    (comment,) = github.comments_on(5)
    assert (result.action, result.comment_id, result.url) == (
        "created", comment["id"], comment["html_url"])
