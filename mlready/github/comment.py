"""One PR comment per marker, updated in place: the upsert logic, pure apart from the client.

Which comment is ours? Both of these must hold, and we never touch any other comment:

1. its body *starts with* our hidden marker ``<!-- mlready-comment:ID -->`` (ID is one
   per workflow or config, so a static and a GPU scorecard can live side by side);
2. its author is us: the login given with ``--author``; else the token's own login when
   ``GET /user`` answers (a personal or fine-grained token); else, for an Actions or
   App installation token (where ``/user`` is forbidden), ``github-actions[bot]``.
   Someone quoting our comment, or a user pasting the marker, is therefore never edited.

When several comments qualify (a create that was retried after a 5xx that GitHub had in
fact processed), the oldest one is updated. An unchanged body is not re-sent, which
saves an API call and a notification.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlready.github.api import GitHubClient, GitHubError, Repo

ACTIONS_BOT = "github-actions[bot]"
MARKER_PREFIX = "<!-- mlready-comment:"
MAX_COMMENT_CHARS = 65536  # GitHub rejects longer issue comment bodies
TRUNCATED_NOTE = "\n\n_… truncated: the full scorecard is in the job summary._\n"
_SLUG_UNSAFE = re.compile(r"[^a-z0-9._]+")  # runs of anything else, "-" included, become one "-"


def marker_id(name: str) -> str:
    """A marker ID from any name (a workflow name, a config path): safe inside ``<!-- -->``."""
    return _SLUG_UNSAFE.sub("-", name.lower()).strip("-.") or "mlready"


def marker(name: str) -> str:
    """The hidden first line that identifies our comment."""
    return f"{MARKER_PREFIX}{marker_id(name)} -->"


def compose(marker_line: str, content: str, limit: int = MAX_COMMENT_CHARS) -> str:
    """Marker + content, cut at a line boundary with a note when over GitHub's limit."""
    body = f"{marker_line}\n{content.rstrip()}\n"
    if len(body) <= limit:
        return body
    room = limit - len(TRUNCATED_NOTE)
    cut = body.rfind("\n", 0, room)
    return body[: cut if cut > len(marker_line) else room] + TRUNCATED_NOTE


@dataclass(frozen=True)
class AuthorRule:
    """The logins whose comments may be ours, and how that was decided (for the log)."""

    logins: frozenset[str]
    source: str

    def matches(self, user: Mapping[str, Any] | None) -> bool:
        return bool(user) and str((user or {}).get("login", "")) in self.logins


def resolve_author(client: GitHubClient, explicit: str | None = None) -> AuthorRule:
    """Who writes our comments: ``explicit``, else ``GET /user``, else the Actions bot."""
    if explicit:
        return AuthorRule(frozenset({explicit}), "--author")
    try:
        data = client.request("GET", "/user").data
    except GitHubError as exc:
        if exc.status in (401, 403, 404):  # installation tokens may not call /user
            return AuthorRule(frozenset({ACTIONS_BOT}), "Actions token")
        raise
    login = str(data.get("login", "")) if isinstance(data, dict) else ""
    if not login:
        return AuthorRule(frozenset({ACTIONS_BOT}), "Actions token")
    return AuthorRule(frozenset({login}), "token owner")


def is_ours(comment: Mapping[str, Any], marker_line: str, author: AuthorRule) -> bool:
    body = comment.get("body")
    return (isinstance(body, str) and body.startswith(marker_line)
            and author.matches(comment.get("user")))


def find_ours(client: GitHubClient, repo: Repo, pr: int, marker_line: str,
              author: AuthorRule) -> dict[str, Any] | None:
    """The oldest comment on the PR that is ours (all pages are read)."""
    for comment in client.paginate(f"{repo.path}/issues/{pr}/comments"):
        if isinstance(comment, dict) and is_ours(comment, marker_line, author):
            return comment
    return None


@dataclass(frozen=True)
class UpsertResult:
    """What happened: ``created``, ``updated``, ``unchanged`` or a ``would-*`` dry run."""

    action: str
    comment_id: int | None
    url: str | None

    def describe(self, pr: int) -> str:
        where = f" ({self.url})" if self.url else ""
        verbs = {"created": "created the comment on", "updated": "updated the comment on",
                 "unchanged": "comment already up to date on",
                 "would-create": "dry run: would create a comment on",
                 "would-update": "dry run: would update the comment on"}
        return f"mlready: {verbs.get(self.action, self.action)} PR #{pr}{where}"


def _result(action: str, comment: Mapping[str, Any] | None) -> UpsertResult:
    if comment is None:
        return UpsertResult(action, None, None)
    url = comment.get("html_url")
    return UpsertResult(action, int(comment["id"]), str(url) if url else None)


def upsert(
    client: GitHubClient,
    repo: Repo,
    pr: int,
    marker_line: str,
    content: str,
    author: AuthorRule,
    *,
    dry_run: bool = False,
) -> UpsertResult:
    """Create or update our comment on ``pr``; see the module docstring for the rules.

    Creating is not idempotent: after a 5xx or a dropped connection the comment may
    exist anyway, so before each new attempt we read the comments again and update
    the one that landed instead of posting a duplicate.
    """
    body = compose(marker_line, content)
    existing = find_ours(client, repo, pr, marker_line, author)
    if dry_run:
        return _result("would-update" if existing else "would-create", existing)
    for attempt in range(1, client.retry.max_attempts + 1):
        if existing is not None:
            if existing.get("body") == body:
                return _result("unchanged", existing)
            updated = client.request("PATCH", f"{repo.path}/issues/comments/{existing['id']}",
                                     body={"body": body}).data
            return _result("updated", updated if isinstance(updated, dict) else existing)
        try:
            created = client.request("POST", f"{repo.path}/issues/{pr}/comments",
                                     body={"body": body}, retry_server_errors=False).data
        except GitHubError as exc:
            if not (exc.status >= 500 or exc.status == 0) or attempt == client.retry.max_attempts:
                raise
            client.sleep(client.backoff(attempt))
            existing = find_ours(client, repo, pr, marker_line, author)
            continue
        return _result("created", created if isinstance(created, dict) else None)
    raise AssertionError("unreachable")  # pragma: no cover
