"""`mlready rule`: a rule's documentation, generated from its module's docstring."""

from __future__ import annotations

import click

from mlready.hooks.cli.messages import cannot_load, error, registry
from mlready.hooks.rules import RuleLoadError


@click.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print the documentation of every rule.")
def rule(code: str | None, show_all: bool) -> int:
    """Explain a rule: `mlready rule MLR101` (a code or a name), or `mlready rule --all`."""
    from mlready.hooks.docs import render_rule

    rules = registry()
    if rules is None:
        return 2
    if show_all:
        try:
            click.echo("\n\n".join(render_rule(r) for r in rules), nl=False)
        except RuleLoadError as exc:
            cannot_load(exc)
            return 2
        return 0
    if not code:
        error("give a rule code (e.g. `mlready rule MLR000`) or --all")
        return 2
    wanted = code.strip()
    found = [r for r in rules if wanted.upper() == r.code or wanted == r.name]
    if not found:
        error(f"unknown rule `{code}`; `mlready rule --all` lists every rule")
        return 2
    try:
        click.echo(render_rule(found[0]), nl=False)
    except RuleLoadError as exc:
        cannot_load(exc)
        return 2
    return 0
