"""One PR comment per marker, updated in place: the upsert logic, pure apart from the client.

Which comment is ours? Both of these must hold, and we never touch any other comment:

1. its body *starts with* our hidden marker ``<!-- mlready-comment:ID -->`` (ID is one
   per workflow or config, so a static and a GPU scorecard can live side by side);
2. its author is us: the login given with ``--author``; else the token's own login when
   ``GET /user`` answers (a personal or fine-grained token); else, for an Actions or
   App installation token (where ``/user`` is forbidden), ``github-actions[bot]``.
   Someone quoting our comment, or a user pasting the marker, is therefore never edited.

When several comments qualify, only the oldest survives. Several can exist: two runs
that listed before either created (the templates' per-PR ``concurrency:`` groups make
that rare, not impossible), or a create that timed out and was processed after we had
posted again. So every run deletes the newer of our own comments and updates the
oldest, and a run that creates re-reads the list afterwards to do the same at once. An
unchanged body is not re-sent, which saves an API call and a notification.

Everything read from the API is checked before use: a comment whose ``id`` is not a
positive integer or whose ``user`` is not an object is not ours, and a create answered
without a usable ``id`` is settled by the re-read list, else reported as an
`UnexpectedResponse`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlready.github.api import GitHubClient, GitHubError, Repo, UnexpectedResponse

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


def comment_id(comment: Mapping[str, Any]) -> int | None:
    """The comment's ``id`` when it is a positive integer (the only thing put in a URL)."""
    value = comment.get("id")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


@dataclass(frozen=True)
class AuthorRule:
    """The logins whose comments may be ours, and how that was decided (for the log)."""

    logins: frozenset[str]
    source: str

    def matches(self, user: object) -> bool:
        login = user.get("login") if isinstance(user, Mapping) else None
        return isinstance(login, str) and login in self.logins


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
    login = data.get("login") if isinstance(data, dict) else None
    if not isinstance(login, str) or not login:
        return AuthorRule(frozenset({ACTIONS_BOT}), "Actions token")
    return AuthorRule(frozenset({login}), "token owner")


def is_ours(comment: Mapping[str, Any], marker_line: str, author: AuthorRule) -> bool:
    body = comment.get("body")
    return (isinstance(body, str) and body.startswith(marker_line)
            and author.matches(comment.get("user")) and comment_id(comment) is not None)


def list_ours(client: GitHubClient, repo: Repo, pr: int, marker_line: str,
              author: AuthorRule) -> list[dict[str, Any]]:
    """Our comments on the PR, oldest first (all pages are read)."""
    ours = [comment for comment in client.paginate(f"{repo.path}/issues/{pr}/comments")
            if isinstance(comment, dict) and is_ours(comment, marker_line, author)]
    return sorted(ours, key=lambda comment: comment_id(comment) or 0)


@dataclass(frozen=True)
class UpsertResult:
    """What happened: ``created``, ``updated``, ``unchanged`` or a ``would-*`` dry run.

    ``removed`` counts our own duplicate comments deleted on the way.
    """

    action: str
    comment_id: int | None
    url: str | None
    removed: int = 0

    def describe(self, pr: int) -> str:
        where = f" ({self.url})" if self.url else ""
        verbs = {"created": "created the comment on", "updated": "updated the comment on",
                 "unchanged": "comment already up to date on",
                 "would-create": "dry run: would create a comment on",
                 "would-update": "dry run: would update the comment on"}
        extra = ""
        if self.removed:
            extra = f"; removed {self.removed} duplicate{'s' if self.removed > 1 else ''}"
        return f"mlready: {verbs.get(self.action, self.action)} PR #{pr}{where}{extra}"


def _result(action: str, comment: Mapping[str, Any] | None, removed: int = 0) -> UpsertResult:
    if comment is None:
        return UpsertResult(action, None, None, removed)
    url = comment.get("html_url")
    return UpsertResult(action, comment_id(comment), url if isinstance(url, str) and url else None,
                        removed)


@dataclass(frozen=True)
class _Created:
    """What a create left: whether our POST was answered, the comment it answered with
    (when that has a usable ``id``), and our comments listed afterwards."""

    answered: bool
    comment: dict[str, Any] | None
    ours: list[dict[str, Any]]


def _create(client: GitHubClient, repo: Repo, pr: int, body: str, marker_line: str,
            author: AuthorRule) -> _Created:
    """POST the comment, then list ours again.

    Creating is not idempotent: after a 5xx or a dropped connection the comment may
    exist anyway, so before each new attempt we read the comments again and stop when
    one landed. A 4xx is final and raised at once. After a create that was answered,
    another run may have created one at the same time: we look again, after a pause
    that lets its comment show up in the list.
    """
    for attempt in range(1, client.retry.max_attempts + 1):
        try:
            created = client.request("POST", f"{repo.path}/issues/{pr}/comments",
                                     body={"body": body}, retry_server_errors=False).data
        except GitHubError as exc:
            if not (exc.status >= 500 or exc.status == 0) or attempt == client.retry.max_attempts:
                raise
            client.sleep(client.backoff(attempt))
            ours = list_ours(client, repo, pr, marker_line, author)
            if ours:
                return _Created(False, None, ours)
            continue
        client.sleep(client.retry.settle)
        ours = list_ours(client, repo, pr, marker_line, author)
        usable = created if isinstance(created, dict) and comment_id(created) else None
        return _Created(True, usable, ours)
    raise AssertionError("unreachable")  # pragma: no cover


def _delete(client: GitHubClient, repo: Repo, comment: Mapping[str, Any]) -> bool:
    """Delete one of our duplicates; False when it was gone already (a concurrent run)."""
    try:
        client.request("DELETE", f"{repo.path}/issues/comments/{comment_id(comment)}")
    except GitHubError as exc:
        if exc.status == 404:
            return False
        raise
    return True


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
    """Create or update our comment on ``pr``; see the module docstring for the rules."""
    body = compose(marker_line, content)
    ours = list_ours(client, repo, pr, marker_line, author)
    if dry_run:
        return _result("would-update" if ours else "would-create", ours[0] if ours else None)
    created: _Created | None = None
    if not ours:
        created = _create(client, repo, pr, body, marker_line, author)
        # A list that does not show our new comment yet falls back on the create's answer.
        ours = created.ours or ([created.comment] if created.comment else [])
        if not ours:
            raise UnexpectedResponse(
                "POST", f"{repo.path}/issues/{pr}/comments", 0,
                "the comment was created but is not in the list and the answer had no "
                "comment id")
    keep, newer = ours[0], ours[1:]
    removed = sum(_delete(client, repo, duplicate) for duplicate in newer)
    if keep.get("body") == body:
        ours_survives = created is not None and created.answered and (
            created.comment is None or comment_id(created.comment) == comment_id(keep))
        return _result("created" if ours_survives else "unchanged", keep, removed)
    updated = client.request("PATCH", f"{repo.path}/issues/comments/{comment_id(keep)}",
                             body={"body": body}).data
    url = updated.get("html_url") if isinstance(updated, dict) else None
    return _result("updated", {**keep, "html_url": url or keep.get("html_url")}, removed)
