"""The upsert rules: our marker at the start AND our author, never anyone else's comment."""

from __future__ import annotations

import pytest

from mlready.github.api import GitHubClient, Repo
from mlready.github.comment import (
    ACTIONS_BOT,
    MAX_COMMENT_CHARS,
    AuthorRule,
    compose,
    marker,
    marker_id,
    resolve_author,
    upsert,
)

from .conftest import FAST
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
