"""`mlready ci`: the main job in one command: static checks, CPU/GPU runtime checks, scorecard.

It is what the README's first command and the Action's ``mode: all`` do, as plain calls of
the three subcommands, so each half stays usable on its own and the outputs are the same
files the Action uploads: ``check.json``, ``run.json``, ``scorecard.json``,
``scorecard.md`` (the PR comment), ``summary.md`` (the job summary) and ``badge.svg``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mlready.config import ConfigError, find_pyproject, section
from mlready.scorecard.levels import Level, score_text

STATIC_ONLY = "static"
ALL = "all"


def _invoke(args: list[str]) -> int:
    # Imported here: mlready.cli imports this module lazily, never the other way round.
    from mlready.cli import main

    return main(args)


@click.command("ci")
@click.argument("project", default=".", type=click.Path(exists=True, file_okay=False,
                                                         path_type=Path))
@click.option("-o", "--output-dir", default="mlready-results", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for check.json, run.json, scorecard.json/.md, summary.md, badge.svg.")
@click.option("--mode", type=click.Choice([STATIC_ONLY, ALL]), default=ALL, show_default=True,
              help="`static` skips the runtime checks (no training is run).")
@click.option("--min-score", type=click.FloatRange(0, 100), default=None,
              help="Exit 1 when the score is below this.")
@click.option("--base-ref", default=None,
              help="Compare with the merge base of this ref (e.g. origin/main) and judge "
                   "the head with the base's mlready settings, as the Action does on a PR.")
def ci(project: Path, output_dir: Path, mode: str, min_score: float | None,
       base_ref: str | None) -> int:
    """Run the static checks, the runtime checks and the scorecard on PROJECT.

    Exit codes: 0 done (findings and failed checks are reported in the scorecard, not as an
    exit code), 1 the score is below --min-score, 2 a configuration or harness error, or
    the runtime checks measured nothing (`mlready run` exited 2: the training could not
    start here). The scorecard is written in every case but a configuration error.
    """
    try:
        code = _ci(project, output_dir, mode, min_score, base_ref)
    except BaseException:
        _runner_cli_call("cancel_torch_teardown_skip")
        raise
    # The inner `run` may have arranged a fast exit with *its* exit code (atexit); the
    # process's code is ours.
    _runner_cli_call("skip_torch_teardown", code)
    return code


def _runner_cli_call(name: str, *args: int) -> None:
    """Call ``mlready.gpu_runner.cli.<name>`` if `run` was loaded (static mode never is)."""
    runner_cli = sys.modules.get("mlready.gpu_runner.cli")
    if runner_cli is not None:
        getattr(runner_cli, name)(*args)


def _holds(folder: Path, project: Path) -> bool:
    """Whether ``folder`` is the project itself or one of the folders above it."""
    return folder == project or folder in project.parents


def _why_not_run(project: Path) -> str:
    """Why `mlready run` left no results, for the card's headline: a project with no
    `train` command is told the fix (`mlready init`); anything else points at the error."""
    try:
        found = find_pyproject(project.resolve())
        table = section(found, "runner") if found is not None else None
    except (ConfigError, OSError):
        return "`mlready run` could not read its configuration; see its error in the job log"
    if not table:  # init writes the table; once there, init leaves it to the user
        return "no train command configured; run `mlready init`"
    if "train" not in table:
        return "no train command configured; set `train` in [tool.mlready.runner]"
    return "`mlready run` could not start; see its error in the job log"


def _ci(project: Path, output_dir: Path, mode: str, min_score: float | None,
        base_ref: str | None = None) -> int:
    if _holds(output_dir.resolve(), project.resolve()):
        raise click.ClickException(
            f"{output_dir}: the results folder cannot be the project or a folder above it "
            "(mlready writes its results and a `.gitignore` of `*` there); use e.g. "
            "`-o mlready-results`")
    output_dir.mkdir(parents=True, exist_ok=True)
    # Our own output is not the project's code: keep git (and so the checks) out of it.
    # Only ever a new file: a `.gitignore` already there is the user's, and stays.
    try:
        with (output_dir / ".gitignore").open("x", encoding="utf-8") as handle:
            handle.write("*\n")
    except FileExistsError:
        pass
    out = output_dir.resolve()
    root = str(project)
    click.secho(f"==> static checks: mlready check {root}", bold=True, err=True)
    _invoke(["check", root, "--exit-zero"])
    static_rc = _invoke(["check", root, "--output-format", "json",
                         "--output-file", str(out / "check.json")])
    if static_rc == 2:
        click.echo("mlready ci: the static checks reported errors; see above", err=True)
    card_inputs = ["--check", str(out / "check.json")]
    if mode == ALL:
        click.secho(f"==> runtime checks: mlready run {root}", bold=True, err=True)
        run_rc = _invoke(["run", root, "--output", str(out / "run.json")])
        if (out / "run.json").is_file():
            card_inputs += ["--run", str(out / "run.json")]
        elif run_rc == 2:
            click.echo("mlready ci: the runtime checks could not start; scoring without them",
                       err=True)
        ran = (out / "run.json").is_file()
    else:
        run_rc, ran = 0, False
    if mode == ALL and not ran:
        # Full mode asked for the runtime half and got nothing: the card must say so.
        card_inputs += ["--runtime-missing", _why_not_run(project)]
    elif mode != ALL:
        card_inputs += ["--static-only"]
    common = [*card_inputs, "--root", root, *(["--base-ref", base_ref] if base_ref else [])]
    for fmt, name in (("json", "scorecard.json"), ("markdown", "scorecard.md"),
                      ("summary", "summary.md"), ("badge", "badge.svg")):
        rc = _invoke(["scorecard", *common, "--format", fmt, "--output", str(out / name)])
        if rc == 2:
            return 2
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    score, weakest = card["score"], card.get("weakest")
    names = {c["key"]: c["name"] for c in card.get("categories", [])}
    weak = f"; weakest: {names.get(weakest, weakest)}" if weakest else ""
    # As the card shows them: one decimal, truncated (`score_text`), and the level's label.
    shown = score_text(score)
    click.secho(f"==> scorecard: {shown} / 100 ({Level(card['level']).label}){weak}",
                bold=True)
    written = " ".join(sorted(p.name for p in out.iterdir()
                              if p.is_file() and not p.name.startswith(".")))
    click.echo(f"    outputs in {output_dir}/: {written}")
    if run_rc == 2:
        # A green job on a project whose training never started would read as a pass.
        why = ("measured nothing (`mlready run` exited 2: the training could not run here, "
               "or a harness error)" if ran else "could not start (`mlready run` exited 2: "
               "see its error above; `--mode static` runs the static half alone)")
        click.echo(f"mlready ci: the runtime checks {why}; exiting 2", err=True)
        return 2
    if min_score is not None and (score is None or float(score) < min_score):
        click.echo(f"mlready ci: score {shown} is below --min-score {min_score:g}", err=True)
        return 1
    return 0
