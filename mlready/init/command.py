"""`mlready init [DIR]`: set up an existing project for mlready in one command.

Writes the pre-commit config and the workflow (`setup_files`), then proposes a
``[tool.mlready.runner]`` (`proposal`), shows it, and writes it only when confirmed: a
prompt on a terminal, ``--yes`` in scripts. Without a terminal and without ``--yes`` it
prints the table and says how to write it; a runner config is a command that will run
on the user's machine, so nobody should get one they have not seen.

``--probe`` runs the proposed command briefly (`probe`) and fills in what only a run
shows: the metrics regex for what the script prints, the objective, the checkpoint
glob, and a step count long enough to show a trend. On a project whose
``[tool.mlready.runner]`` exists it probes that table's own ``train`` and prints the
derived keys that differ, to paste: the table is the user's text and is never rewritten.

Nothing of the user's runs without an explicit yes. When a script's options are not in
its source, reading them means running ``script --help`` (for a ``[project.scripts]``
entry, whatever that name finds on PATH): ``--probe`` and ``--yes`` say yes, a terminal
is asked (default no), and without a terminal it is not run and one line says so.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from mlready.config import ConfigError
from mlready.init import probe as probing
from mlready.init.proposal import MayRun, Proposal, propose, render, render_keys, validate
from mlready.init.setup_files import _Writer

PROBE_TIMEOUT_S = 120.0
# Fewer logged values than this and the smoke check compares a handful of points.
_FEW_RECORDS = 4
# Calls that save a checkpoint, in the spellings training scripts use.
_SAVE_CALL = re.compile(r"\btorch\.save\(|\bsave_checkpoint\(|\.save_pretrained\(|"
                        r"\.save_state\(|\bsave_model\(")


def _interactive() -> bool:
    """Whether someone can answer a question (stdin and stdout are terminals)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _help_permission(yes: bool, probe: bool) -> MayRun:
    """Whether ``script --help`` may run: yes with ``--yes``/``--probe``; otherwise the
    user is asked on a terminal, and without one it does not run (one line says so)."""

    def may_run(argv: Sequence[str]) -> bool:
        shown = shlex.join(argv)
        if yes or probe:
            click.echo(f"  running    {shown} (to read its options)")
            return True
        if _interactive():
            return click.confirm(f"Its options are not in the source. Run `{shown}` to "
                                 "read them? (it runs your code)", default=False)
        click.echo(f"  not run    {shown} (no terminal to ask): options not read; rerun "
                   "with --yes or --probe to allow it")
        return False

    return may_run


def _saves_checkpoint(root: Path, script: str | None) -> str | None:
    """The call that saves a checkpoint in the training script's own text, if any: a
    probe that wrote none was then too short, which ``checkpoint = false`` would hide
    (a script that saves every 500 steps says "no checkpoint" after 20)."""
    if script is None:
        return None
    try:
        source = (root / script).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = _SAVE_CALL.search(source)
    return found.group(0).rstrip("(") if found else None


def _probed(root: Path, proposal: Proposal, timeout: float) -> Proposal:
    """The proposal with what probe runs settled, and a note of what they showed."""
    steps = int(proposal.table["steps"])
    finding = probing.run(root, proposal.table, steps, timeout)
    click.echo(f"  probe      {steps} {proposal.table.get('step-unit', 'steps')} in "
               f"{finding.wall_s:.1f}s: {finding.summary}")
    longer = probing.steps_to_try(steps, finding, timeout)
    if longer is not None:
        second = probing.run(root, proposal.table, longer, timeout)
        click.echo(f"  probe      {longer} {proposal.table.get('step-unit', 'steps')} in "
                   f"{second.wall_s:.1f}s: {second.summary}")
        if second.ok and second.records >= finding.records:
            finding = second
    if not finding.ok:
        kind = "cannot run here" if finding.environment else "failed"
        return proposal.with_settled({}, (f"Probe run {kind}: {finding.summary}",))
    settled = dict(finding.settled)
    settled["steps"] = finding.steps
    settled["timeout"] = max(60, int(finding.wall_s * 5 + 30))
    unit = proposal.table.get("step-unit", "steps")
    notes: list[str] = [f"Probed: {finding.steps} {unit} took {finding.wall_s:.1f}s; "
                        f"{finding.summary}."]
    if finding.ok and finding.records < _FEW_RECORDS and finding.improved is not None:
        notes.append(f"Only {finding.records} {settled.get('objective')} values in "
                     f"{finding.steps} {unit}: too few for the smoke check's trend to mean "
                     "much; raise `steps` until it logs a dozen or more.")
    if settled.get("checkpoint") is False:
        saves = _saves_checkpoint(root, proposal.script)
        if saves is not None:
            notes.append(f"The probe run wrote no checkpoint under {{run_dir}} in "
                         f"{finding.steps} {unit}, but {proposal.script} saves one "
                         f"(`{saves}`): it may save only later; raise `steps` past its save "
                         "interval, then set `checkpoint` to the file (and `resume`).")
        else:
            notes.append("The probe run wrote no checkpoint under {run_dir}: checkpoint = "
                         "false (set a glob if it saves later).")
        settled.pop("resume", None)
    if finding.wrote_in_project:
        notes.append("The probe run wrote into the project folder, not {run_dir}: "
                     f"{', '.join(finding.wrote_in_project[:4])} (give its output option "
                     "{run_dir}, or remove them).")
    if finding.improved is False:
        notes.append(f"{settled.get('objective')} did not improve in the probe: smoke will "
                     "fail until it does (more steps, or another objective).")
    table = {**proposal.table, **settled}
    if table.get("checkpoint") is False:
        table.pop("resume", None)
    return replace(proposal, table=table, notes=(*proposal.notes, *notes))


# What a probe derives from the output; the rest of a user's table is theirs.
_DERIVED = ("metrics", "objective", "direction", "checkpoint")


def _probe_existing(root: Path, data: dict[str, object], timeout: float) -> None:
    """``--probe`` on a project that has a runner table: probe the table's own `train`
    (a user who fixed the proposed command by hand still wants metrics and objective
    derived for it) and print the keys that differ. Nothing is written: the table is
    the user's text, with their comments, and a rewrite would lose them."""
    tool = data.get("tool")
    mlready = tool.get("mlready") if isinstance(tool, dict) else None
    table = mlready.get("runner") if isinstance(mlready, dict) else None
    if not isinstance(table, dict) or not isinstance(table.get("train"), str):
        click.echo("  not probed [tool.mlready.runner] has no `train` command to probe")
        return
    start = {"steps": 20, **table}
    try:
        validate(root, start)
    except ConfigError as exc:
        raise click.ClickException(f"cannot probe [tool.mlready.runner]: {exc}") from None
    probed = _probed(root, Proposal(start, "[tool.mlready.runner]"), timeout)
    notes = probed.notes
    changed = {k: probed.table[k] for k in _DERIVED
               if k in probed.table and probed.table[k] != table.get(k)}
    if not changed:
        click.echo("Your [tool.mlready.runner] already has what the probe derived "
                   f"({', '.join(k for k in _DERIVED if k in probed.table) or 'nothing'}).")
    else:
        click.echo("Probed your train command; to use what it derived, set in "
                   "[tool.mlready.runner] (not written: the table is yours):")
        click.echo("".join(f"    {line}\n" for line in render_keys(changed)), nl=False)
    click.echo("".join(f"    # {note}\n" for note in notes), nl=False)


@click.command("init")
@click.argument("directory", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Accept the defaults without asking "
                                                "(existing files are still kept), write "
                                                "the proposed runner config, and run the "
                                                "script's --help when its options are not "
                                                "in the source.")
@click.option("--force", is_flag=True, help="Replace an existing .pre-commit-config.yaml "
                                            "and mlready workflow without asking. "
                                            "pyproject.toml is only added to: an existing "
                                            "[tool.mlready.runner] is never rewritten "
                                            "(--probe prints the keys to change).")
@click.option("--probe", is_flag=True, help="Run the proposed train command briefly (and "
                                            "its --help when needed) and derive metrics, "
                                            "objective and checkpoint. With a "
                                            "[tool.mlready.runner] already there, probe its "
                                            "train command and print the keys to change.")
@click.option("--probe-timeout", type=float, default=PROBE_TIMEOUT_S, show_default=True,
              help="Seconds allowed per probe run.")
def init(directory: Path, yes: bool, force: bool, probe: bool, probe_timeout: float) -> int:
    """Add mlready's pre-commit hooks, CI workflow and [tool.mlready] to a project."""
    root = directory.resolve()
    click.echo(f"mlready init: {root}")
    writer = _Writer(root, yes=yes, force=force)
    writer.add_pre_commit()
    writer.add_workflow()
    data, leave = writer.pyproject_state()
    if leave is None:
        proposal = propose(root, data, run_help=_help_permission(yes, probe))
        if not probe and proposal.source is not None:
            proposal = proposal.with_settled({}, (
                "metrics is a guess: `mlready init --probe` runs the command briefly and "
                "derives it from the output.",))
        if probe and proposal.source is not None:
            proposal = _probed(root, proposal, probe_timeout)
            try:
                validate(root, proposal.table)
            except ConfigError as exc:  # pragma: no cover - a bug of ours, said in one line
                raise click.ClickException(f"probe produced an invalid config: {exc}") from None
        text = render(proposal)
        click.echo("Proposed runner config:")
        click.echo("".join(f"    {line}\n" for line in text.splitlines()), nl=False)
        summary = (f"train command from {proposal.source}" if proposal.source
                   else "set `train` yourself")
        if yes or force:
            writer.append_pyproject(text, summary)
        elif _interactive():
            if click.confirm("Write it to pyproject.toml?", default=True):
                writer.append_pyproject(text, summary)
            else:
                click.echo("  kept       pyproject.toml")
        else:
            click.echo("  not written pyproject.toml (no terminal to confirm): rerun with "
                       "--yes to write it, or paste it into pyproject.toml")
    elif probe and leave == "has runner":
        _probe_existing(root, data, probe_timeout)
    if writer.wrote:
        click.echo("Next: `pre-commit install`, then `mlready check` and `mlready run`.")
    return 0
