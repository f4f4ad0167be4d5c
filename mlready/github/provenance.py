"""Whose results a `workflow_run` report may post, and under which card: decided from the
workflow *file* and the *event*, never from the workflow's name.

Why: the report job runs with a token that may write to pull requests, after any
workflow named in its ``workflows:`` filter, and that filter matches names. A pull
request can add a workflow file of its own called "mlready GPU", or edit ours and give
it a ``pull_request`` trigger: on ``pull_request`` GitHub runs the PR's version of a
workflow file. Either run uploads whatever results it likes. What a PR cannot change is
which file runs on ``pull_request_target``: GitHub always takes it from the base branch.
So a card is accepted only when

- the run's ``workflow_run.path`` (and the event's ``workflow.path``, when present) is
  the workflow file of a known card (`Source`; the template file names by default);
- ``workflow_run.event`` is the event that card's template runs on: the GPU card from
  ``pull_request_target`` alone, since only then was the file the base branch's;
- the run belongs to this repository, and (for the GPU card) the PR targets the default
  branch, checked by the caller once it knows the PR: ``pull_request_target`` on another
  branch runs that branch's, possibly older, copy of the file.

The static card comes from ``pull_request``, whose workflow file a PR can edit: it is as
trustworthy as the PR's own workflow, which is what docs/action.md's "Security model"
says. ``workflow_run.head_branch`` and ``head_repository`` are a fork's to choose (a fork
can call its branch ``main``), so they decide nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GPU_WORKFLOW = ".github/workflows/mlready-gpu.yml"
STATIC_WORKFLOW = ".github/workflows/mlready-static.yml"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str, limit: int = 200) -> str:
    """An untrusted string (a workflow's name or path) fit for one log line: control
    characters escaped, so a newline cannot start a workflow command, and cut short."""
    escaped = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return escaped if len(escaped) <= limit else escaped[:limit] + "…"


@dataclass(frozen=True)
class Source:
    """A workflow whose results become a card: its file, its event, its comment marker."""

    marker: str
    path: str
    event: str
    default_branch_only: bool


def sources(gpu_workflow: str = GPU_WORKFLOW,
            static_workflow: str = STATIC_WORKFLOW) -> tuple[Source, ...]:
    """The cards the report template posts. The markers keep the names the templates had,
    so comments posted before this check existed are still the ones updated."""
    return (Source("mlready GPU", gpu_workflow.strip(), "pull_request_target", True),
            Source("mlready static", static_workflow.strip(), "pull_request", False))


@dataclass(frozen=True)
class Verdict:
    """Accepted (``source`` set, ``default_branch`` to check the PR's base against) or not
    (``reason`` says why, in words for the log)."""

    source: Source | None
    reason: str = ""
    default_branch: str | None = None

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
    if event != source.event:
        return Verdict(None, f"{file} ran on `{shown(event)}`; the {source.marker!r} card is only "
                             f"taken from `{source.event}` runs, whose workflow file a pull "
                             "request cannot change")
    if source.default_branch_only and default_branch is None:
        return Verdict(None, "the event does not name the repository's default branch")
    return Verdict(source, default_branch=default_branch)


def base_problem(verdict: Verdict, pr: int, base_ref: str | None) -> str | None:
    """Why PR ``pr`` (targeting ``base_ref``) may not get this card, or None when it may."""
    source = verdict.source
    if source is None or not source.default_branch_only:
        return None
    if base_ref is None:
        return f"cannot tell which branch PR #{pr} targets; the {source.marker!r} card needs it"
    if base_ref != verdict.default_branch:
        return (f"PR #{pr} targets '{shown(base_ref)}', not the default branch "
                f"{verdict.default_branch!r}: its {source.path} is not the one the "
                f"{source.marker!r} card trusts")
    return None
