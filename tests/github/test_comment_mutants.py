"""The comment client's author rule and its one-line report, on the edges the other
tests leave open: a ``/user`` answer without a login, the rule's stated source, the
error naming the request, and `UpsertResult.describe` for every action. Against the
local fake GitHub server; written against the survivors of ``bench/mutation.py``."""

from __future__ import annotations

import pytest

from mlready.github.api import GitHubClient, GitHubError
from mlready.github.comment import ACTIONS_BOT, AuthorRule, UpsertResult, resolve_author

from .conftest import FAST
from .server import FakeGitHub, Fault


def test_a_user_answer_without_a_login_means_the_actions_bot(github: FakeGitHub) -> None:
    github.add_token("ghp_blank", login="")
    pat = GitHubClient("ghp_blank", github.base_url, retry=FAST)
    assert resolve_author(pat) == AuthorRule(frozenset({ACTIONS_BOT}), "Actions token")


def test_the_token_owner_is_named_as_the_source(github: FakeGitHub) -> None:
    github.add_token("ghp_alice", login="alice")
    pat = GitHubClient("ghp_alice", github.base_url, retry=FAST)
    assert resolve_author(pat) == AuthorRule(frozenset({"alice"}), "token owner")
    assert resolve_author(pat, "deploy[bot]") == AuthorRule(frozenset({"deploy[bot]"}),
                                                            "--author")


def test_a_failing_user_request_is_named_by_method_and_path(github: FakeGitHub) -> None:
    github.add_token("ghp_alice", login="alice")
    github.state.faults.append(Fault("GET", "^/user$", 500, times=99))
    pat = GitHubClient("ghp_alice", github.base_url, retry=FAST)
    with pytest.raises(GitHubError, match=r"^GET /user: HTTP 500"):
        resolve_author(pat)


URL = "https://github.com/octo/charlm/pull/5#issuecomment-7"


@pytest.mark.parametrize(("result", "text"), [
    (UpsertResult("created", 7, URL), f"mlready: created the comment on PR #5 ({URL})"),
    (UpsertResult("updated", 7, URL), f"mlready: updated the comment on PR #5 ({URL})"),
    (UpsertResult("unchanged", 7, URL),
     f"mlready: comment already up to date on PR #5 ({URL})"),
    (UpsertResult("would-create", None, None),
     "mlready: dry run: would create a comment on PR #5"),
    (UpsertResult("would-update", 7, URL),
     f"mlready: dry run: would update the comment on PR #5 ({URL})"),
    (UpsertResult("created", 7, URL, removed=1),
     f"mlready: created the comment on PR #5 ({URL}); removed 1 duplicate"),
    (UpsertResult("updated", 7, None, removed=2),
     "mlready: updated the comment on PR #5; removed 2 duplicates"),
    (UpsertResult("odd", None, None), "mlready: odd PR #5"),
])
def test_describe_says_what_happened(result: UpsertResult, text: str) -> None:
    assert result.describe(5) == text
