"""The one-line errors of the static half's commands, and reading the rule registry."""

from __future__ import annotations

import click

from mlready.hooks.rules import Rule


def error(message: str) -> None:
    """One line on stderr: names in it are escaped, so it stays one line."""
    from mlready.hooks.output import printable

    click.echo(f"error: {printable(message)}", err=True)


def registry() -> tuple[Rule, ...] | None:
    """Every registered rule, or None after one error line when the registry cannot be
    read (a broken installation)."""
    from mlready.hooks.rules import all_rules

    try:
        return all_rules()
    except Exception as exc:
        cannot_load(f"{type(exc).__name__}: {exc}")
        return None


def cannot_load(detail: object) -> None:
    """A rule module that cannot be imported: a missing dependency, a syntax error in a
    rule. Rule modules load when first used, so this can come at any point of a run."""
    error(f"cannot load the rules: {detail} "
          "(reinstall mlready; if it persists, please report it)")
