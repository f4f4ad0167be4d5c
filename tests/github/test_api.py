"""The REST client against a real local HTTP server: headers, pagination, retries, redaction."""

from __future__ import annotations

import pytest

from mlready.github.api import (
    MAX_PAGES,
    GitHubClient,
    GitHubError,
    RetryPolicy,
    UnexpectedResponse,
    next_link,
    redact,
)

from .conftest import FAST, TOKEN
from .server import FakeGitHub, Fault, serve


class Sleeps:
    """Records the waits the client asks for instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_every_request_carries_the_documented_headers(client: GitHubClient,
                                                       github: FakeGitHub) -> None:
    github.add_comment(7, "hello")
    assert [c["body"] for c in client.paginate("/repos/octo/charlm/issues/7/comments")] == ["hello"]
    (request,) = github.state.requests
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.query == {"per_page": ["100"]}


def test_pagination_follows_link_next_to_the_last_page(client: GitHubClient,
                                                       github: FakeGitHub) -> None:
    for i in range(250):
        github.add_comment(7, f"c{i}")
    bodies = [c["body"] for c in client.paginate("/repos/octo/charlm/issues/7/comments")]
    assert bodies == [f"c{i}" for i in range(250)]
    assert [r.query.get("page") for r in github.state.requests] == [None, ["2"], ["3"]]


def test_pagination_refuses_a_link_to_another_host(github: FakeGitHub) -> None:
    for i in range(3):
        github.add_comment(7, f"c{i}")
    github.base_url = github.base_url.replace("127.0.0.1", "localhost")  # Link URLs now differ
    client = GitHubClient(TOKEN, github.base_url.replace("localhost", "127.0.0.1"), retry=FAST)
    pages = client.paginate("/repos/octo/charlm/issues/7/comments", {"per_page": 2})
    with pytest.raises(GitHubError, match="leaves the API host"):
        list(pages)
    assert len(github.state.requests) == 1


def test_enterprise_api_prefix() -> None:
    with serve(prefix="/api/v3") as fake:
        fake.add_token(TOKEN)
        fake.add_comment(3, "on GHES")
        client = GitHubClient(TOKEN, fake.base_url, retry=FAST)
        assert [c["body"] for c in client.paginate("/repos/octo/charlm/issues/3/comments")] == [
            "on GHES"]
        assert fake.state.requests[0].path == "/api/v3/repos/octo/charlm/issues/3/comments"


def test_5xx_is_retried_with_growing_backoff(github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/comments$", 502, times=3, message="Bad Gateway"))
    sleeps = Sleeps()
    client = GitHubClient(TOKEN, github.base_url, retry=RetryPolicy(base_delay=1.0), sleep=sleeps)
    assert list(client.paginate("/repos/octo/charlm/issues/7/comments")) == []
    assert len(sleeps.calls) == 3
    for attempt, wait in enumerate(sleeps.calls, start=1):
        assert 2 ** (attempt - 1) / 2 <= wait <= 2 ** (attempt - 1)
    assert client.waited == pytest.approx(sum(sleeps.calls))


def test_5xx_gives_up_after_max_attempts(github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/user", 503, times=99, message="Unavailable"))
    client = GitHubClient(TOKEN, github.base_url, retry=RetryPolicy.scaled(0.001))
    with pytest.raises(GitHubError) as caught:
        client.request("GET", "/user")
    assert caught.value.status == 503
    assert str(caught.value) == "GET /user: HTTP 503: Unavailable"
    assert len(github.state.requests) == RetryPolicy.max_attempts


def test_429_honours_retry_after(github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/user", 429, headers={"Retry-After": "7"},
                                     message="Too Many Requests"))
    github.add_token("ghp_pat", login="alice")
    sleeps = Sleeps()
    client = GitHubClient("ghp_pat", github.base_url, sleep=sleeps)
    assert client.request("GET", "/user").data["login"] == "alice"
    assert sleeps.calls == [7.0]


def test_secondary_rate_limit_403_with_retry_after(github: FakeGitHub) -> None:
    github.state.faults.append(Fault(
        "GET", "/user", 403, headers={"Retry-After": "3"},
        message="You have exceeded a secondary rate limit. Please wait a few minutes."))
    github.add_token("ghp_pat", login="alice")
    sleeps = Sleeps()
    client = GitHubClient("ghp_pat", github.base_url, sleep=sleeps)
    assert client.request("GET", "/user").status == 200
    assert sleeps.calls == [3.0]


def test_secondary_rate_limit_without_headers_waits_the_documented_minute(
        github: FakeGitHub) -> None:
    github.state.faults.append(Fault(
        "GET", "/user", 403, message="You have exceeded a secondary rate limit."))
    github.add_token("ghp_pat", login="alice")
    sleeps = Sleeps()
    client = GitHubClient("ghp_pat", github.base_url, sleep=sleeps)
    client.request("GET", "/user")
    assert sleeps.calls == [60.0]


def test_primary_limit_waits_until_reset(github: FakeGitHub) -> None:
    github.state.faults.append(Fault(
        "GET", "/user", 403, message="API rate limit exceeded",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000042"}))
    github.add_token("ghp_pat", login="alice")
    sleeps = Sleeps()
    client = GitHubClient("ghp_pat", github.base_url, sleep=sleeps, clock=lambda: 1_000_000.0)
    client.request("GET", "/user")
    assert sleeps.calls == [42.0]


def test_a_wait_beyond_the_budget_fails_at_once(github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/user", 429, headers={"Retry-After": "3600"},
                                     message="Too Many Requests"))
    sleeps = Sleeps()
    client = GitHubClient(TOKEN, github.base_url, sleep=sleeps)
    with pytest.raises(GitHubError, match=r"gave up: waiting 3600s more would exceed 180s"):
        client.request("GET", "/user")
    assert sleeps.calls == []


def test_plain_403_and_404_are_not_retried(client: GitHubClient, github: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as caught:
        client.request("GET", "/repos/octo/charlm/pulls/999")
    assert caught.value.status == 404
    github.add_token("ro", read_only=True)
    read_only = GitHubClient("ro", github.base_url, retry=FAST)
    with pytest.raises(GitHubError) as denied:
        read_only.request("POST", "/repos/octo/charlm/issues/1/comments", body={"body": "x"})
    assert denied.value.read_only
    assert len(github.state.requests) == 2


def test_network_errors_are_retried_then_reported() -> None:
    with serve() as fake:
        dead = fake.base_url  # the port closes when the server stops
    sleeps = Sleeps()
    client = GitHubClient(TOKEN, dead, retry=RetryPolicy(max_attempts=2), sleep=sleeps)
    with pytest.raises(GitHubError, match="network error") as caught:
        client.request("GET", "/user")
    assert caught.value.status == 0
    assert len(sleeps.calls) == 1


def test_the_token_never_appears_in_errors_or_repr(github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/user", 400, message=f"echoing {TOKEN} back"))
    client = GitHubClient(TOKEN, github.base_url, retry=FAST)
    with pytest.raises(GitHubError) as caught:
        client.request("GET", "/user", params={"q": TOKEN})
    assert TOKEN not in str(caught.value)
    assert "***" in str(caught.value)
    assert TOKEN not in repr(client)


def test_helpers() -> None:
    assert next_link('<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"') == (
        "https://a/x?page=2")
    assert next_link('<https://a/x?page=1>; rel="prev"') is None
    assert next_link(None) is None
    assert redact("a secret b secret", "secret", "") == "a *** b ***"
    with pytest.raises(ValueError, match="token is required"):
        GitHubClient("")


@pytest.mark.parametrize("value", ["soon", "inf", "nan", "1e999", "", "Mon, 99 Foo 2026"])
def test_an_unusable_retry_after_falls_back_to_our_backoff(value: str,
                                                           github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/user", 429, headers={"Retry-After": value},
                                     message="Too Many Requests"))
    github.add_token("ghp_pat", login="alice")
    sleeps = Sleeps()
    client = GitHubClient("ghp_pat", github.base_url, sleep=sleeps)
    assert client.request("GET", "/user").data["login"] == "alice"
    (wait,) = sleeps.calls
    assert 0.5 <= wait <= 1.0  # the first jittered step of the default policy


def test_an_unusable_rate_limit_reset_falls_back_to_our_backoff(github: FakeGitHub) -> None:
    github.state.faults.append(Fault(
        "GET", "/user", 403, message="API rate limit exceeded",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "whenever"}))
    sleeps = Sleeps()
    client = GitHubClient(TOKEN, github.base_url, sleep=sleeps)
    with pytest.raises(GitHubError, match="HTTP 403"):  # then /user is forbidden for real
        client.request("GET", "/user")
    assert len(sleeps.calls) == 1 and 0.5 <= sleeps.calls[0] <= 1.0


def test_a_dropped_connection_is_retried(client: GitHubClient, github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/comments$", drop=True, times=2))
    assert list(client.paginate("/repos/octo/charlm/issues/7/comments")) == []
    assert len(github.state.requests) == 3


def test_a_body_nested_too_deeply_is_not_json(client: GitHubClient, github: FakeGitHub) -> None:
    github.state.faults.append(Fault("GET", "/comments$", body="[" * 100_000))
    with pytest.raises(UnexpectedResponse, match="response is not JSON"):
        list(client.paginate("/repos/octo/charlm/issues/7/comments"))
    github.state.faults.append(Fault("GET", "/user", 400, body="[" * 100_000))
    with pytest.raises(GitHubError, match="HTTP 400"):
        client.request("GET", "/user")


def test_pagination_stops_at_the_page_cap(client: GitHubClient, github: FakeGitHub) -> None:
    for i in range(5):
        github.add_comment(7, f"c{i}")
    pages = client.paginate("/repos/octo/charlm/issues/7/comments", {"per_page": 1},
                            max_pages=3)
    with pytest.raises(UnexpectedResponse, match="more than 3 pages; stopped reading"):
        list(pages)
    assert len(github.state.requests) == 3


def test_the_default_page_cap(client: GitHubClient, github: FakeGitHub) -> None:
    """One page more than MAX_PAGES is refused, not read: the list cannot run us forever."""
    for i in range(MAX_PAGES + 1):
        github.add_comment(7, f"c{i}")
    with pytest.raises(UnexpectedResponse, match=f"more than {MAX_PAGES} pages"):
        list(client.paginate("/repos/octo/charlm/issues/7/comments", {"per_page": 1}))
    assert len(github.state.requests) == MAX_PAGES


@pytest.mark.parametrize("back_to", ["2", "1"])
def test_a_next_link_back_to_a_page_already_read_is_an_error(
        back_to: str, client: GitHubClient, github: FakeGitHub) -> None:
    """Page 2 links to itself, or back to page 1 (whose URL then differs from the first
    request's only by ``&page=1``, so that page is read twice before the loop shows)."""
    for i in range(5):
        github.add_comment(7, f"c{i}")
    comments = f"{github.base_url}/repos/octo/charlm/issues/7/comments"
    github.state.faults.append(Fault("GET", "/comments$", query=r"(^|&)page=2(&|$)", times=9,
                                     headers={"Link": f'<{comments}?per_page=1&page={back_to}>; '
                                                      'rel="next"'}))
    pages = client.paginate("/repos/octo/charlm/issues/7/comments", {"per_page": 1})
    with pytest.raises(UnexpectedResponse) as caught:
        list(pages)
    assert str(caught.value) == (
        "GET /repos/octo/charlm/issues/7/comments?per_page=1&page=2: the `Link` header's next "
        "page was already read; refusing a list that may be partial")
    assert len(github.state.requests) == (2 if back_to == "2" else 3)
