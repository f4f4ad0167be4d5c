"""`mlready scorecard`: merge the two halves' JSON into one scorecard and render it.

Exit codes: 0 rendered (and at or above ``--min-score`` when given), 1 below
``--min-score`` (or nothing measured while a minimum is asked for), 2 a missing or
malformed input file or configuration, reported as one line naming the file.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from mlready.config import (
    ConfigError,
    Field,
    Table,
    find_pyproject,
    section,
    validate,
)
from mlready.gpu_runner.results import RunReport
from mlready.hooks.model import Diagnostic
from mlready.scorecard import baseline as base_mod
from mlready.scorecard import pr_noqa, pr_settings, scoring
from mlready.scorecard.categories import CATEGORIES
from mlready.scorecard.inputs import InputError, StaticReport, load_run, load_static
from mlready.scorecard.levels import score_text
from mlready.scorecard.model import Baseline, Scorecard
from mlready.scorecard.pr_settings import BaseSettings, ConfigAtBase, tool_table_of

MAX_WEIGHT = 1e6  # relative numbers; the bound keeps every weighted sum finite
FORMATS = ("markdown", "summary", "json", "badge", "annotations", "sarif")

SCHEMA = Table(
    help="[tool.mlready.scorecard]",
    fields={
        "min-score": Field((float,), "fail (exit 1) below this overall score, 0-100"),
        "weights": Table(
            help="override category weights (relative numbers)",
            fields={c.key: Field((float,), f"weight of {c.name} (default {c.weight:g})")
                    for c in CATEGORIES},
        ),
    },
)


def read_config(start: Path, base: BaseSettings | None = None
                ) -> tuple[dict[str, Any], Path | None]:
    """``[tool.mlready.scorecard]`` of the nearest pyproject.toml, validated; with
    ``base`` (the merge base's settings), the table of the base's nearest one: a PR's own
    weights and minimum, and a pyproject.toml it adds nearer, take effect once merged."""
    if base is not None:
        card: ConfigAtBase | None = base.card
        if card is None:
            return {}, None
        where = card.path.resolve()
        sha = base.sha if where.is_relative_to(base.top) else None
        path = Path(f"{card.path} at {base.sha[:12]}") if sha else card.path
        table = tool_table_of(card.path, card.base, sha).get("scorecard", {})
        if not isinstance(table, dict):
            raise ConfigError(path, "`tool.mlready.scorecard` must be a table")
    else:
        found = find_pyproject(start)
        if found is None:
            return {}, None
        path, table = found, section(found, "scorecard")
    validate(table, SCHEMA, path, "tool.mlready.scorecard")
    min_score = table.get("min-score")
    if min_score is not None and not 0 <= float(min_score) <= 100:
        raise ConfigError(path, "`tool.mlready.scorecard.min-score` must be between 0 and 100")
    weights = {c.key: c.weight for c in CATEGORIES} | table.get("weights", {})
    # TOML has nan and inf: either would turn the score into NaN, which no JSON can hold.
    if not all(0 <= float(w) <= MAX_WEIGHT for w in weights.values()) \
            or sum(weights.values()) <= 0:
        raise ConfigError(path, "`tool.mlready.scorecard.weights` must be numbers from 0 "
                                f"to {MAX_WEIGHT:g} with a positive total")
    return table, path


def _render(fmt: str, card: Scorecard, *, marker: str, repo_url: str | None,
            head_sha: str | None, changed: Mapping[str, set[int]] | None,
            prefix: str) -> str:
    if fmt == "markdown":
        from mlready.scorecard.render.markdown import render_comment

        return render_comment(card, marker, repo_url=repo_url, head_sha=head_sha,
                              path_prefix=prefix)
    if fmt == "summary":
        from mlready.scorecard.render.markdown import render_summary

        return render_summary(card, repo_url=repo_url, head_sha=head_sha, path_prefix=prefix)
    if fmt == "json":
        from mlready.scorecard.render.json import render as as_json

        text: str = as_json(card)
        return text
    if fmt == "badge":
        from mlready.scorecard.render.badge import render as badge

        return badge(card)
    if fmt == "annotations":
        from mlready.scorecard.render.annotations import render as annotate

        return annotate(card, changed, prefix=prefix)
    from mlready.scorecard.render.sarif import render as sarif

    return sarif(card, changed, prefix=prefix)


@click.command("scorecard")
@click.option("--check", "check_path", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON from `mlready check --output-format json`.")
@click.option("--run", "run_path", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON written by `mlready run`.")
@click.option("--base", "base_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The base branch's scorecard JSON, to show the change.")
@click.option("--base-ref", help="Compute the base by checking the merge base with this ref "
                                 "(e.g. origin/main) in a temporary git worktree.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=Path(),
              show_default=True, help="Project root (for --base-ref and the configuration).")
@click.option("--runner-config", type=click.Path(path_type=Path, dir_okay=False),
              help="With --base-ref: the file `mlready run --config` read, to name the "
                   "runner settings the PR changes there.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="markdown",
              show_default=True, help="markdown: the PR comment; summary: the job summary.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of standard output.")
@click.option("--head-sha", help="Commit the findings link to (the PR head).")
@click.option("--repo-url", help="https://github.com/OWNER/REPO, for links to findings.")
@click.option("--marker", default="", help="A hidden marker line to put first in the comment.")
@click.option("--path-prefix", help="The project's directory inside the repository, for links "
                                    "and annotations (default: found from the project root).")
@click.option("--min-score", type=click.FloatRange(0, 100),
              help="Exit 1 below this score (overrides tool.mlready.scorecard.min-score).")
@click.option("--runtime-missing", metavar="WHY",
              help="The runtime checks were asked for but could not run (WHY): the card "
                   "says they measured nothing and its level is capped (`mlready ci`).")
@click.option("--static-only", is_flag=True,
              help="The runtime checks were not asked for: the card says static checks only.")
def scorecard(check_path: Path | None, run_path: Path | None, base_path: Path | None,
              base_ref: str | None, root: Path, runner_config: Path | None, fmt: str,
              output: Path | None, head_sha: str | None, repo_url: str | None, marker: str,
              path_prefix: str | None, min_score: float | None,
              runtime_missing: str | None = None, static_only: bool = False) -> int:
    """Merge static findings and runtime results into a scored, levelled scorecard."""
    if base_path is not None and base_ref is not None:
        raise click.UsageError("give either --base or --base-ref, not both")
    base = _base_settings(root, base_ref) if base_ref is not None else None
    try:
        config, _ = read_config(root, base)
        static: StaticReport | None = load_static(check_path) if check_path else None
        run: RunReport | None = load_run(run_path) if run_path else None
        weights = {k: float(v) for k, v in config.get("weights", {}).items()}
        judged = _judged(static, root, base, runner_config) if base is not None else None
        card = scoring.build(judged.static if judged else static, run, weights=weights,
                             runtime_missing=runtime_missing, static_only=static_only)
        changed = None
        if base_path is not None:
            card = _with_baseline(card, base_mod.load_base(base_path), str(base_path))
    except (InputError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    if base_ref is not None:
        card, changed = _against_ref(card, judged.static if judged else static, root,
                                     base_ref, weights)
        if judged is not None and card.baseline is not None:
            card = _attach(card, judged.onto(card.baseline))
    prefix = _prefix(path_prefix, static, root)
    text = _render(fmt, card, marker=marker, repo_url=repo_url, head_sha=head_sha,
                   changed=changed, prefix=prefix)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"{output}: cannot write: {exc.strerror}") from None
    threshold = min_score if min_score is not None else config.get("min-score")
    if threshold is None:
        return 0
    if card.score is None or card.score < float(threshold):
        click.echo(f"mlready scorecard: score {score_text(card.score)} is below the minimum "
                   f"{float(threshold):g}", err=True)
        return 1
    return 0


def _against_ref(card: Scorecard, static: StaticReport | None, root: Path, base_ref: str,
                 weights: Mapping[str, float]
                 ) -> tuple[Scorecard, Mapping[str, set[int]] | None]:
    """The card with its static-only change against the merge base, and the changed lines.

    A base that cannot be computed (a shallow clone without the merge base, say) costs
    the comparison, not the scorecard: one warning on stderr, and the card without it.
    """
    from mlready.scorecard.diff import changed_lines

    try:
        base_static, sha = base_mod.static_at_merge_base(root, base_ref,
                                                         store=_cache_folder(root))
        changed = changed_lines(root, base_ref)
    except InputError as exc:
        click.echo(f"mlready scorecard: no comparison with {base_ref}: {exc} "
                   "(in GitHub Actions, check out with fetch-depth: 0)", err=True)
        return card, None
    base_card = scoring.build(base_static, None, weights=weights)
    head_static = scoring.build(static, None, weights=weights)
    return _attach(card, base_mod.compare(head_static, base_card, base_ref, sha)), changed


@dataclass(frozen=True)
class _Judged:
    """The head's static report under the base's settings, and what the PR changed."""

    static: StaticReport | None
    change: pr_settings.Change
    silenced: tuple[Diagnostic, ...] = ()

    def onto(self, baseline: Baseline) -> Baseline:
        return replace(baseline, settings_changed=self.change.judged,
                       runner_settings_changed=self.change.runner,
                       settings_files=self.change.files, silenced=self.silenced)


def _base_settings(root: Path, base_ref: str) -> BaseSettings | None:
    """Where the settings are and their bytes at the merge base. Without a merge base
    (a shallow clone, or a PR whose history shares none with the base), the base
    branch's own tip: its settings are as much the base's, and a PR cannot move it.
    None (the comparison warns once) only when ``base_ref`` names no commit here."""
    try:
        _, sha, top = base_mod.merge_base(root, base_ref)
    except InputError:
        tip = base_mod.commit_of(root, base_ref)
        if tip is None:
            return None  # `_against_ref` says why, once
        sha, top = tip
        click.echo(f"mlready scorecard: no merge base with {base_ref}; judged with the "
                   f"settings of its tip {sha[:12]}", err=True)
    return pr_settings.locate(root, sha, top)


def _judged(static: StaticReport | None, root: Path, base: BaseSettings,
            runner_config: Path | None = None) -> _Judged:
    """The head judged with the base's settings: the static half re-run from the base's
    project root when the PR changed the static half's keys or the files they are read
    from, and the findings its new noqa comments silence.

    Fails closed: a re-run that fails drops the static half (one warning): it is then not
    measured, never judged by settings the PR chose.
    """
    from mlready.hooks.discovery import find_root
    from mlready.scorecard.diff import changed_lines
    from mlready.scorecard.paths import repo_prefix

    change = pr_settings.change(base, find_root([root]), find_pyproject(root))
    if runner_config is not None:
        more = pr_settings.runner_change(base, runner_config)
        change = replace(change, runner=tuple(dict.fromkeys((*change.runner, *more))))
    if static is None:
        return _Judged(None, change)
    try:
        judged = pr_settings.judged_static(base, root) if change.rerun else static
        overlay = pr_noqa.new_noqa_overlay(base.root, repo_prefix(base.root),
                                           changed_lines(root, base.sha,
                                                         since_merge_base=False))
        silenced = pr_noqa.silenced(base, root, overlay, judged.diagnostics)
    except (InputError, ConfigError) as exc:
        click.echo(f"mlready scorecard: scoring without the static half: {exc}", err=True)
        return _Judged(None, change)
    return _Judged(judged, change, silenced)


def _cache_folder(root: Path) -> Path | None:
    """The project's cache folder (``[tool.mlready] cache-dir``), None with ``no-cache``
    or a configuration the static half would reject (it says so itself)."""
    from mlready.hooks.discovery import find_root
    from mlready.hooks.rules import all_rules
    from mlready.hooks.selection import SelectionError
    from mlready.hooks.settings import Overrides, load

    try:
        return load(find_root([root]), all_rules(), Overrides()).cache_dir
    except (ConfigError, SelectionError):
        return None


def _prefix(given: str | None, static: StaticReport | None, root: Path) -> str:
    """The project's directory in its repository: as given, else from the root the static
    half checked (when it exists here), else from ``--root``."""
    from mlready.scorecard.paths import repo_prefix

    if given is not None:
        given = given.strip("/")
        return f"{given}/" if given else ""
    if static is not None and static.root and Path(static.root).is_dir():
        return repo_prefix(Path(static.root))
    return repo_prefix(root)


def _with_baseline(card: Scorecard, base: Scorecard, ref: str) -> Scorecard:
    return _attach(card, base_mod.compare(card, base, ref))


def _attach(card: Scorecard, delta: Any) -> Scorecard:
    return replace(card, baseline=delta)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(scorecard.main(standalone_mode=True))
