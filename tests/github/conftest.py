"""Fixtures: a live fake GitHub on 127.0.0.1, and an Actions-like environment for the CLI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mlready.github.api import GitHubClient, RetryPolicy

from .server import FakeGitHub, serve

# Looks like an installation token on purpose, so a leak would be easy to spot in output.
TOKEN = "ghs_mlreadyTESTtoken0123456789abcdefABCD"
FAST = RetryPolicy.scaled(0.001)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with serve() as fake:
        fake.add_token(TOKEN)  # an Actions token: comments by github-actions[bot]
        yield fake


@pytest.fixture
def client(github: FakeGitHub) -> GitHubClient:
    return GitHubClient(TOKEN, github.base_url, retry=FAST)
