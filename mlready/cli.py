"""The `mlready` command: a click group whose subcommands live in the two halves.

Subcommands are imported lazily, on first use, so that a one-file pre-commit run
pays only for `mlready check` and never for the runner, the scorecard or the
GitHub client (see the click docs on lazily loading subcommands).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from mlready import __version__

# name -> "module:attribute" of a click.Command; imported only when that name is used.
SUBCOMMANDS: dict[str, str] = {
    "check": "mlready.hooks.cli.check:check",
    "rule": "mlready.hooks.cli.rule:rule",
    "run": "mlready.gpu_runner.cli:run",
    "scorecard": "mlready.scorecard.cli:scorecard",
    "comment": "mlready.github.cli:comment",
    "init": "mlready.init.command:init",
    "ci": "mlready.pipeline:ci",
}


class LazyGroup(click.Group):
    """A click group that resolves subcommands from `SUBCOMMANDS` on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attr = SUBCOMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):  # pragma: no cover - registry bug
            raise TypeError(f"{SUBCOMMANDS[cmd_name]} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlready")
def cli() -> None:
    """Production-readiness checks for ML and RL research code."""


def main(args: list[str] | None = None, **extra: Any) -> int:
    """Run the CLI and return its exit code (0 clean, 1 findings, 2 error)."""
    try:
        result = cli.main(args=args, prog_name="mlready", standalone_mode=False, **extra)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    return int(result) if isinstance(result, int) else 0
