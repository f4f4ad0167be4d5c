"""The Actions runner's file protocol: the environment, the event payload, outputs, summary.

Kept apart from the HTTP client because none of it touches the network, and apart from
the CLI so that the e2e test and the action's plumbing steps share one implementation.

What we read, and how far we trust it:

- ``pull_request`` / ``pull_request_target`` / ``issue_comment`` payloads come from
  GitHub: the PR number and head SHA in them are trusted.
- ``workflow_run``: ``workflow_run.head_sha`` and ``head_repository`` are GitHub's, and
  so is ``workflow_run.pull_requests`` (but GitHub leaves it empty for PRs from forks,
  and lists PRs by head branch, those of other repositories included). For a
  ``pull_request`` run the head SHA is the PR's head commit; for a
  ``pull_request_target`` run it is the *base* branch's commit, so such a run cannot be
  matched to its PR at all (`mlready.github.provenance`). Its ``name`` is not an
  identity (any workflow, a PR's own included, can take any name): provenance decides
  from the workflow file's path and event.
- A ``pr.json`` inside a downloaded artifact was written by a job that ran PR code: it
  is *untrusted*. `read_pr_file` validates its shape; the caller must confirm through the
  API that the PR's head is the run's ``head_sha``, pushed to the run's
  ``head_repository``, before acting on it (the SHA alone is not enough: anyone can push
  another PR's head commit to a fork of their own and open a PR from it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlready.github.api import DEFAULT_API_URL

SUMMARY_LIMIT = 1024 * 1024  # GitHub drops a step summary over 1 MiB
SUMMARY_TRUNCATED = "\n\n_mlready: the summary was truncated to fit GitHub's 1 MiB limit._\n"
PR_EVENTS = ("pull_request", "pull_request_target", "pull_request_review",
             "pull_request_review_comment")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_OUTPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class ActionsConfigError(Exception):
    """A missing or malformed piece of the runner's environment; the message names it."""


@dataclass(frozen=True)
class ActionsEnv:
    """What `mlready comment` needs from the environment. The token never reaches ``repr``."""

    token: str = field(repr=False)
    repository: str
    api_url: str
    event_name: str
    event_path: str | None
    workflow: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ActionsEnv:
        """Read ``GITHUB_*``; raise `ActionsConfigError` naming the first missing variable."""
        token = environ.get("GITHUB_TOKEN", "").strip()
        if not token:
            raise ActionsConfigError(
                "GITHUB_TOKEN is not set: pass `token` to the action, or "
                "`env: GITHUB_TOKEN: ${{ github.token }}` to the step")
        repository = environ.get("GITHUB_REPOSITORY", "").strip()
        if not repository:
            raise ActionsConfigError("GITHUB_REPOSITORY is not set: expected owner/name "
                                     "(the Actions runner sets it)")
        return cls(
            token=token,
            repository=repository,
            api_url=(environ.get("GITHUB_API_URL") or DEFAULT_API_URL).strip().rstrip("/"),
            event_name=environ.get("GITHUB_EVENT_NAME", "").strip(),
            event_path=environ.get("GITHUB_EVENT_PATH") or None,
            workflow=environ.get("GITHUB_WORKFLOW", "").strip(),
        )


def load_event(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """The event payload as a dict; an empty dict when there is no event file."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ActionsConfigError(f"GITHUB_EVENT_PATH points to a missing file: {path}") from None
    except (OSError, ValueError) as exc:
        raise ActionsConfigError(f"GITHUB_EVENT_PATH {path}: unreadable event: {exc}") from None
    except RecursionError:
        raise ActionsConfigError(f"GITHUB_EVENT_PATH {path}: unreadable event: "
                                 "nested too deeply") from None
    if not isinstance(data, dict):
        raise ActionsConfigError(f"GITHUB_EVENT_PATH {path}: the event is not a JSON object")
    return data


@dataclass(frozen=True)
class PullRequestRef:
    """A PR to comment on. ``verified`` is False when the number came from an artifact.

    ``base_ref`` is the branch the PR targets, when the event says (the GPU card is only
    posted for PRs into the default branch, whose workflow file is the one we trust).
    """

    number: int
    head_sha: str | None
    verified: bool = True
    base_ref: str | None = None


def _positive_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None


def _sha(value: object) -> str | None:
    return value if isinstance(value, str) and _SHA.match(value) else None


def pr_from_event(event_name: str, payload: Mapping[str, Any]) -> PullRequestRef | None:
    """The PR an event is about, when the event itself says so (trusted)."""
    if event_name in PR_EVENTS or (not event_name and "pull_request" in payload):
        pr = payload.get("pull_request")
        if isinstance(pr, dict) and (number := _positive_int(pr.get("number"))):
            head = pr.get("head")
            return PullRequestRef(number, _sha(head.get("sha")) if isinstance(head, dict) else None)
        return None
    if event_name == "issue_comment":
        issue = payload.get("issue")
        if isinstance(issue, dict) and "pull_request" in issue:
            number = _positive_int(issue.get("number"))
            return PullRequestRef(number, None) if number else None
        return None
    if event_name == "workflow_run":
        run = payload.get("workflow_run")
        if not isinstance(run, dict):
            return None
        head_sha = _sha(run.get("head_sha"))
        listed = run.get("pull_requests")
        candidates = [p for p in listed if isinstance(p, dict)] if isinstance(listed, list) else []
        # Prefer the PR whose head is this run's commit; the list can name several.
        candidates.sort(key=lambda p: _head_sha(p) != head_sha)
        for candidate in candidates:
            if number := _positive_int(candidate.get("number")):
                return PullRequestRef(number, head_sha, base_ref=_base_ref(candidate))
    return None


def _head_sha(pull: Mapping[str, Any]) -> str | None:
    head = pull.get("head")
    return _sha(head.get("sha")) if isinstance(head, dict) else None


def _base_ref(pull: Mapping[str, Any]) -> str | None:
    base = pull.get("base")
    ref = base.get("ref") if isinstance(base, dict) else None
    return ref if isinstance(ref, str) and ref else None


def workflow_run_head_sha(payload: Mapping[str, Any]) -> str | None:
    run = payload.get("workflow_run")
    return _sha(run.get("head_sha")) if isinstance(run, dict) else None


def workflow_run_head_repository(payload: Mapping[str, Any]) -> str | None:
    """``owner/name`` of the repository the tested commit was pushed to (a fork's, for a
    fork PR's ``pull_request`` run), or None when the event does not say."""
    run = payload.get("workflow_run")
    repo = run.get("head_repository") if isinstance(run, dict) else None
    name = repo.get("full_name") if isinstance(repo, dict) else None
    return name if isinstance(name, str) and name else None


def pr_record(event_name: str, payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a producing job stores next to its results so a later report can find the PR."""
    ref = pr_from_event(event_name, payload)
    if ref is None:
        return None
    return {"number": ref.number, "head_sha": ref.head_sha, "event": event_name}


PR_FILE_LIMIT = 10_000  # bytes; ours is under 200


def read_pr_file(path: str | os.PathLike[str]) -> PullRequestRef:
    """An *untrusted* ``pr.json`` from an artifact: a positive number and an optional SHA.

    Anything else is refused (a file over `PR_FILE_LIMIT`, or nested too deeply for the
    JSON parser, included); the number is returned unverified, for the caller to check.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read(PR_FILE_LIMIT + 1)
        if len(raw) > PR_FILE_LIMIT:
            raise ActionsConfigError(f"{path}: the PR record is over {PR_FILE_LIMIT} bytes")
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ActionsConfigError(f"{path}: cannot read the PR record: {exc}") from None
    except RecursionError:
        raise ActionsConfigError(f"{path}: cannot read the PR record: nested too deeply") from None
    number = _positive_int(data.get("number")) if isinstance(data, dict) else None
    if number is None:
        raise ActionsConfigError(f"{path}: `number` must be a positive integer")
    return PullRequestRef(number, _sha(data.get("head_sha")), verified=False)


def write_outputs(path: str | os.PathLike[str], values: Mapping[str, str]) -> None:
    """Append step outputs to ``$GITHUB_OUTPUT`` with the runner's heredoc syntax.

    The delimiter is random and checked against the value, as GitHub's docs ask, so a
    value can never end the heredoc early and inject another output.
    """
    lines: list[str] = []
    for name, value in values.items():
        if not _OUTPUT_NAME.match(name):
            raise ValueError(f"invalid output name {name!r}")
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:  # pragma: no cover - 128 random bits
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        lines += [f"{name}<<{delimiter}", value, delimiter]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def append_summary(path: str | os.PathLike[str], markdown: str,
                   limit: int = SUMMARY_LIMIT) -> bool:
    """Append to ``$GITHUB_STEP_SUMMARY`` within its size limit; True when it all fit.

    The limit counts bytes already in the file (earlier writes by this step); what does
    not fit is cut at a line boundary and replaced by a note.
    """
    target = Path(path)
    used = target.stat().st_size if target.exists() else 0
    data = markdown if markdown.endswith("\n") else markdown + "\n"
    encoded = data.encode("utf-8")
    fits = used + len(encoded) <= limit
    if not fits:
        room = max(0, limit - used - len(SUMMARY_TRUNCATED.encode()))
        cut = encoded[:room].decode("utf-8", "ignore")
        data = (cut[: cut.rfind("\n") + 1] if "\n" in cut else "") + SUMMARY_TRUNCATED
        if used + len(data.encode()) > limit:
            return False
    with target.open("a", encoding="utf-8") as handle:
        handle.write(data)
    return fits
