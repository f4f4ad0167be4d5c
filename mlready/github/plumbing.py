"""`python -m mlready.github ...`: the action's glue between mlready's commands and the runner.

Why not bash: writing ``$GITHUB_OUTPUT`` safely needs a random heredoc delimiter, the
step summary has a size limit, and the event payload is JSON; doing that once, in
tested Python, keeps action.yml's ``run:`` blocks to plain command lines.

- ``record-pr OUT``: store the PR number and head SHA from the event payload next to the
  results, for a later ``workflow_run`` report (which treats it as untrusted).
- ``publish SCORECARD_JSON [--summary MD]``: set the ``score`` and ``level`` outputs and
  append the summary markdown to ``$GITHUB_STEP_SUMMARY``.
- ``origin``: on ``workflow_run``, decide whether the downloaded results may become a
  card at all (`mlready.github.provenance`), before anything renders them; set the
  ``accepted`` output and, when not, say why in the log and the job summary.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from mlready.github.actions import (
    ActionsConfigError,
    append_summary,
    load_event,
    pr_record,
    write_outputs,
)
from mlready.github.provenance import GPU_WORKFLOW, STATIC_WORKFLOW, judge, sources

_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]<>()#+-.!|~"})


@click.group()
def plumbing() -> None:
    """Internal helpers for action.yml (not a stable interface)."""


@plumbing.command("record-pr")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def record_pr(out: Path) -> None:
    """Write pr.json for the event's PR; write nothing for events without one."""
    try:
        payload = load_event(os.environ.get("GITHUB_EVENT_PATH"))
    except ActionsConfigError as exc:
        raise click.ClickException(str(exc)) from None
    record = pr_record(os.environ.get("GITHUB_EVENT_NAME", ""), payload)
    if record is None:
        click.echo("mlready: no pull request in this event; pr.json not written")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record) + "\n", encoding="utf-8")


def _score_text(value: object) -> str:
    """The ``score`` output: one decimal, truncated like the scorecard shows it, or empty."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        from mlready.scorecard.levels import display_score

        return display_score(float(value))
    return ""


@plumbing.command("publish")
@click.argument("scorecard_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--summary", "summary_md", type=click.Path(dir_okay=False, path_type=Path),
              help="Markdown to append to the job summary.")
def publish(scorecard_json: Path, summary_md: Path | None) -> None:
    """Set the score/level step outputs and write the job summary."""
    try:
        data = json.loads(scorecard_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{scorecard_json}: not a scorecard: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != "scorecard":
        raise click.ClickException(f"{scorecard_json}: not a scorecard JSON file")
    values = {"score": _score_text(data.get("score")), "level": str(data.get("level", ""))}
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        write_outputs(output, values)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    fits = True
    if summary and summary_md is not None and summary_md.exists():
        fits = append_summary(summary, summary_md.read_text(encoding="utf-8"))
    if not fits:
        click.echo("mlready: the job summary was truncated to GitHub's 1 MiB limit", err=True)
    shown = values["score"] or "not measured"
    click.echo(f"mlready: score {shown}, level {values['level']}")


@plumbing.command("origin")
@click.option("--gpu-workflow", default=GPU_WORKFLOW, envvar="MLREADY_GPU_WORKFLOW",
              show_default=True, help="The workflow file of the GPU card.")
@click.option("--static-workflow", default=STATIC_WORKFLOW, envvar="MLREADY_STATIC_WORKFLOW",
              show_default=True, help="The workflow file of the static card.")
def origin(gpu_workflow: str, static_workflow: str) -> None:
    """Set ``accepted`` (true/false), ``marker`` and ``runtime`` for a report's results.

    ``runtime`` is false for the static card: its workflow runs in the PR's own version on
    ``pull_request``, so a ``run.json`` among its artifacts is whatever the PR uploaded,
    and only the GPU workflow's runtime results may reach a card: its own ``card`` job
    runs ``report`` on the ``pull_request_target`` event, where there is nothing to judge
    (the results come from the same run, the PR from the event)."""
    event_name = os.environ.get("GITHUB_EVENT_NAME", "")
    try:
        payload = load_event(os.environ.get("GITHUB_EVENT_PATH"))
    except ActionsConfigError as exc:
        raise click.ClickException(str(exc)) from None
    values = {"accepted": "true", "marker": "", "runtime": "true"}
    if event_name == "workflow_run":
        verdict = judge(payload, os.environ.get("GITHUB_REPOSITORY", ""),
                        sources(gpu_workflow, static_workflow))
        if verdict.source is None:
            line = f"mlready: not posting: {verdict.reason}"
            values["accepted"] = "false"
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            if summary:
                append_summary(summary, line.translate(_MARKDOWN_SPECIAL) + "\n")
        else:
            values["marker"] = verdict.source.marker
            values["runtime"] = "true" if verdict.source.runtime else "false"
            line = (f"mlready: results of {verdict.source.path} "
                    f"({verdict.source.event}): the {verdict.source.marker!r} card")
        click.echo(line)
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        write_outputs(output, values)
