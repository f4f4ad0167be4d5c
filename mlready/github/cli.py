"""`mlready comment`: post the scorecard as one PR comment, updated in place.

Exit codes: 0 when the comment was created, updated or already current, and also when
the token is read-only (a fork PR: one line says so, the job summary still has the
scorecard), when results turn out stale (the PR moved on, or is not the one the
artifact names, or does not exist), or when a ``workflow_run``'s results
do not come from one of mlready's workflows (`mlready.github.provenance`; one line says
why, nothing is posted); 1 when the API call failed; 2 for configuration errors (a
missing variable is named) and for API answers we cannot act on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mlready import REPOSITORY_URL
from mlready.github.actions import (
    ActionsConfigError,
    ActionsEnv,
    PullRequestRef,
    load_event,
    pr_from_event,
    read_pr_file,
    workflow_run_head_repository,
    workflow_run_head_sha,
)
from mlready.github.api import (
    GitHubClient,
    GitHubError,
    Repo,
    RetryPolicy,
    UnexpectedResponse,
    redact,
)
from mlready.github.comment import marker, resolve_author, upsert
from mlready.github.provenance import GPU_WORKFLOW, STATIC_WORKFLOW, Verdict, judge, shown
from mlready.github.provenance import sources as known_sources

DOCS_FORKS = f"{REPOSITORY_URL}/blob/main/docs/action.md#fork-pull-requests"


def _say(line: str, token: str, *, err: bool = False) -> None:
    click.echo(redact(line, token), err=err)


def _pick_pr(pr: int | None, pr_file: Path | None, env: ActionsEnv,
             payload: dict[str, object]) -> PullRequestRef | None:
    if pr is not None:
        return PullRequestRef(pr, None)
    from_event = pr_from_event(env.event_name, payload)
    if from_event is not None:
        return from_event
    if pr_file is not None and pr_file.exists():
        return read_pr_file(pr_file)
    if pr_file is not None and env.event_name != "workflow_run":
        raise ActionsConfigError(f"--pr-file {pr_file} does not exist")
    return None


def _verify(client: GitHubClient, repo: Repo, ref: PullRequestRef, head_sha: str | None,
            head_repo: str | None) -> str | None:
    """None when PR ``ref.number`` really is at ``head_sha`` (pushed to ``head_repo``, when
    the event names it); else why we will not comment. Reads the PR from the API, not from
    the event or the artifact.

    Why the repository too: a fork PR's ``pr.json`` is the PR's to write, and anyone can
    push another PR's head commit to a fork of their own, open a PR from it and run their
    own copy of the static workflow on it; that run's head SHA is then the other PR's head.
    """
    if head_sha is None:
        return ("the PR number comes from a results file and there is no trusted head SHA "
                "to check it against (run on `workflow_run`, or pass --head-sha)")
    try:
        data = client.request("GET", f"{repo.path}/pulls/{ref.number}").data
    except GitHubError as exc:
        if exc.status != 404:
            raise
        return (f"there is no PR #{ref.number} in {repo}: not this repository's results, "
                "not commenting")
    head = data.get("head") if isinstance(data, dict) else None
    head = head if isinstance(head, dict) else {}
    actual = head.get("sha")
    if actual != head_sha:
        return (f"PR #{ref.number} is at {shown(str(actual))[:12]}, these results are for "
                f"{head_sha[:12]}: stale or not this PR's results, not commenting")
    pushed = head.get("repo")
    pushed_to = pushed.get("full_name") if isinstance(pushed, dict) else None
    if head_repo is not None and (not isinstance(pushed_to, str)
                                  or pushed_to.lower() != head_repo.lower()):
        where = shown(pushed_to) if isinstance(pushed_to, str) else "a deleted repository"
        return (f"PR #{ref.number}'s head is in {where}, these results were tested in "
                f"{shown(head_repo)}: not this PR's results, not commenting")
    return None


@click.command()
@click.option("--body-file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Markdown to post (the scorecard); `-` reads standard input.")
@click.option("--pr", type=click.IntRange(min=1), help="PR number (default: from the event).")
@click.option("--pr-file", type=click.Path(dir_okay=False, path_type=Path),
              help="pr.json from a results artifact (untrusted: checked against the head SHA).")
@click.option("--head-sha", help="Trusted head SHA for --pr-file (default: workflow_run's).")
@click.option("--marker", "marker_name",
              help="Comment ID, one per workflow/config (default: the workflow's name; on "
                   "`workflow_run`, the card's).")
@click.option("--author", help="Login that writes our comments (default: the token's identity).")
@click.option("--dry-run", is_flag=True, help="Read, decide and print; write nothing.")
@click.option("--optional-pr", is_flag=True,
              help="Exit 0 with a notice when the event names no PR (e.g. a push build).")
@click.option("--gpu-workflow", default=GPU_WORKFLOW, show_default=True,
              envvar="MLREADY_GPU_WORKFLOW",
              help="On `workflow_run`: the GPU workflow's file, whose runs are refused "
                   "with a reason (its own `card` job posts the GPU card).")
@click.option("--static-workflow", default=STATIC_WORKFLOW, show_default=True,
              envvar="MLREADY_STATIC_WORKFLOW",
              help="On `workflow_run`: the workflow file whose `pull_request` runs give the "
                   "static card.")
@click.option("--retry-base-delay", type=click.FloatRange(min=0.001), default=1.0, hidden=True,
              envvar="MLREADY_RETRY_BASE_DELAY", help="First backoff step in seconds (tests).")
def comment(body_file: Path, pr: int | None, pr_file: Path | None, head_sha: str | None,
            marker_name: str | None, author: str | None, dry_run: bool, optional_pr: bool,
            gpu_workflow: str, static_workflow: str, retry_base_delay: float) -> int:
    """Create or update this workflow's scorecard comment on a pull request."""
    token = os.environ.get("GITHUB_TOKEN", "")
    verdict: Verdict | None = None
    try:
        env = ActionsEnv.from_environ(os.environ)
        payload = load_event(env.event_path)
        if env.event_name == "workflow_run":
            verdict = judge(payload, env.repository, known_sources(gpu_workflow, static_workflow))
            if verdict.source is None:
                _say(f"mlready: not posting: {verdict.reason}", token)
                return 0
        ref = _pick_pr(pr, pr_file, env, payload)
        if ref is None:
            if optional_pr:
                _say(f"mlready: no pull request in this `{env.event_name or 'unknown'}` "
                     "event; no comment posted", token)
                return 0
            raise ActionsConfigError(
                f"no pull request to comment on: the `{env.event_name or 'unknown'}` event "
                "names none; pass --pr N (or --pr-file from a results artifact)")
        repo = Repo.parse(env.repository)
        content = (sys.stdin.read() if str(body_file) == "-"
                   else body_file.read_text(encoding="utf-8"))
    except (ActionsConfigError, ValueError, OSError) as exc:
        _say(f"mlready comment: error: {exc}", token, err=True)
        return 2
    source = verdict.source if verdict is not None else None
    name = marker_name or (source.marker if source else env.workflow) or "mlready"
    client = GitHubClient(env.token, env.api_url, retry=RetryPolicy.scaled(retry_base_delay))
    try:
        # A workflow_run's PR is always read back from the API: its head must be the
        # tested commit (`pull_requests` can name PRs of other repositories). So is the
        # PR of a `pull_request_target` event (the GPU card): the labelled commit's run
        # goes on after a new push removed the label, and its card would then describe a
        # commit the PR no longer is.
        if not ref.verified or verdict is not None:
            why_not = _verify(client, repo, ref, head_sha or workflow_run_head_sha(payload),
                              workflow_run_head_repository(payload))
        elif env.event_name == "pull_request_target" and ref.head_sha is not None:
            why_not = _verify(client, repo, ref, ref.head_sha, None)
        else:
            why_not = None
        if why_not is not None:
            _say(f"mlready: {why_not}", token)
            return 0
        rule = resolve_author(client, author)
        result = upsert(client, repo, ref.number, marker(name), content, rule, dry_run=dry_run)
    except UnexpectedResponse as exc:
        _say(f"mlready comment: error: {exc}", token, err=True)
        return 2
    except GitHubError as exc:
        if exc.read_only:
            _say(f"mlready: the token cannot comment on PR #{ref.number} (read-only: a PR from "
                 f"a fork?); the scorecard is in the job summary. See {DOCS_FORKS}", token)
            return 0
        _say(f"mlready comment: error: {exc}", token, err=True)
        return 1
    _say(result.describe(ref.number), token)
    if dry_run:
        _say(content.rstrip("\n"), token)
    return 0
