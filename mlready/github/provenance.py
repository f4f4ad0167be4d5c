"""Whose results a `workflow_run` report may post, and under which card: decided from the
workflow *file* and the *event*, never from the workflow's name.

Why: the report job runs with a token that may write to pull requests, after any
workflow named in its ``workflows:`` filter, and that filter matches names. A pull
request can add a workflow file of its own called "mlready static" or "mlready GPU", or
edit ours and give it a ``pull_request`` trigger: on ``pull_request`` GitHub runs the
PR's version of a workflow file. Either run uploads whatever results it likes. So a card
is accepted only when

- the run's ``workflow_run.path`` (and the event's ``workflow.path``, when present) is
  the workflow file of a known card (`Source`; the template file names by default);
- ``workflow_run.event`` is the event that card's template runs on: ``pull_request`` for
  the static card, whose head SHA is the PR's head commit and is checked against the PR
  through the API before posting;
- the run belongs to this repository.

The GPU card never comes from a ``workflow_run``. Its workflow runs on
``pull_request_target``, and for such a run ``workflow_run.head_sha`` is the base
branch's commit (the run uses the base branch's workflow file), ``head_branch`` is the
base branch and ``pull_requests`` is empty for a fork's PR: nothing GitHub puts in the
event ties the run to its PR. The PR number would have to come from an artifact, and
the GPU job runs the PR's code with the run's artifact credentials at hand, so it can
replace any artifact of its run, a "trusted record" uploaded by an earlier job
included. The GPU workflow therefore posts its own card from a job that never runs PR
code and reads the PR from its own ``pull_request_target`` event (docs/action.md, "GPU
card"); a ``workflow_run`` of the GPU file is refused here with a line that says so.

The static card comes from ``pull_request``, whose workflow file a PR can edit: it is as
trustworthy as the PR's own workflow, which is what docs/action.md's "Security model"
says. ``workflow_run.head_branch`` and ``head_repository`` are a fork's to choose (a fork
can call its branch ``main``), so they decide nothing here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlready.hooks.output import printable

GPU_WORKFLOW = ".github/workflows/mlready-gpu.yml"
STATIC_WORKFLOW = ".github/workflows/mlready-static.yml"


def shown(text: str, limit: int = 200) -> str:
    """An untrusted string (a workflow's name or path) fit for one log line: escaped as
    every output of mlready escapes (`printable`), so a newline cannot start a workflow
    command and a bidi override cannot reorder the line, and cut short."""
    escaped = printable(text)
    return escaped if len(escaped) <= limit else escaped[:limit] + "…"


@dataclass(frozen=True)
class Source:
    """A workflow whose results become a card: its file and comment marker, the
    ``workflow_run.event`` its results are taken from (None: never from a
    ``workflow_run``), and whether its runtime results (``run.json``) may reach the card."""

    marker: str
    path: str
    event: str | None
    runtime: bool


def sources(gpu_workflow: str = GPU_WORKFLOW,
            static_workflow: str = STATIC_WORKFLOW) -> tuple[Source, ...]:
    """The cards the report template knows. The markers keep the names the templates had,
    so comments posted before this check existed are still the ones updated. The GPU
    workflow is known only to be refused with its own reason (module docstring)."""
    return (Source("mlready GPU", gpu_workflow.strip(), None, True),
            Source("mlready static", static_workflow.strip(), "pull_request", False))


@dataclass(frozen=True)
class Verdict:
    """Accepted (``source`` set) or not (``reason`` says why, in words for the log)."""

    source: Source | None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.source is not None


def _text(mapping: object, key: str) -> str | None:
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    return value if isinstance(value, str) and value else None


def _workflow_file(path: str, default_branch: str | None) -> str | None:
    """``path`` without an ``@ref`` suffix, or None when the suffix names another branch."""
    file, at, ref = path.partition("@")
    if not at:
        return file
    if default_branch and ref in (default_branch, f"refs/heads/{default_branch}"):
        return file
    return None


def judge(payload: Mapping[str, Any], repository: str,
          known: Sequence[Source] | None = None) -> Verdict:
    """Whether a ``workflow_run`` event's results may be posted, and as which card."""
    known = sources() if known is None else known
    run = payload.get("workflow_run")
    if not isinstance(run, Mapping):
        return Verdict(None, "the event has no `workflow_run` object")
    name = shown(_text(run, "name") or "(no name)")
    path = _text(run, "path")
    if path is None:
        return Verdict(None, f"the run of workflow '{name}' names no workflow file")
    ran_in = _text(run.get("repository"), "full_name")
    if ran_in is None or ran_in.lower() != repository.lower():
        return Verdict(None, f"the run of {shown(path)} belongs to "
                             f"{shown(ran_in or 'no repository')}, not {repository}")
    default_branch = _text(payload.get("repository"), "default_branch")
    file = _workflow_file(path, default_branch)
    if file is None:
        return Verdict(None, f"{shown(path)} is not the default branch's workflow file")
    also = _text(payload.get("workflow"), "path")
    if also is not None and _workflow_file(also, default_branch) != file:
        return Verdict(None, f"the event names two workflow files ({shown(path)}, "
                             f"{shown(also)})")
    source = next((s for s in known if s.path == file), None)
    if source is None:
        names = ", ".join(s.path for s in known)
        return Verdict(None, f"{shown(file)} (named '{name}') is not one of mlready's "
                             f"workflows ({names}): its results are not a card")
    event = _text(run, "event") or "(no event)"
    if source.event is None:
        why = ("such a run names the base branch's commit as its head_sha, not the PR's, "
               "so its results cannot be tied to a PR" if event == "pull_request_target" else
               "on that event the file that ran may be the PR's own copy")
        return Verdict(None, f"{file} ran on `{shown(event)}`; the {source.marker!r} card is "
                             "posted by that workflow's own `card` job, never from a "
                             f"`workflow_run`: {why}")
    if event != source.event:
        return Verdict(None, f"{file} ran on `{shown(event)}`; the {source.marker!r} card is only "
                             f"taken from `{source.event}` runs")
    return Verdict(source)
