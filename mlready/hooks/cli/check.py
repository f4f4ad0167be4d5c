"""`mlready check`: the flags, the settings they make, and which job of the command runs."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlready.config import ConfigError
from mlready.hooks.cli import printing
from mlready.hooks.cli.messages import cannot_load, error, registry
from mlready.hooks.discovery import DiscoveryError
from mlready.hooks.rules import SEVERITIES, RuleLoadError
from mlready.hooks.selection import SelectionError
from mlready.hooks.settings import OUTPUT_FORMATS, Overrides

if TYPE_CHECKING:
    from mlready.hooks.engine import Report


def codes(values: Sequence[str]) -> list[str]:
    """``--select A,B --select C`` -> ``[A, B, C]``."""
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, metavar="CODES",
              help="Rules to enable (codes, prefixes, families, names, ALL); replaces `select`.")
@click.option("--extend-select", multiple=True, metavar="CODES",
              help="Rules to enable on top of the selection.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rules to disable.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS),
              help="How to print findings (default: concise).")
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the findings to this file instead of stdout.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The pyproject.toml to read instead of the project's own.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply excludes to paths given by name too (pre-commit passes this).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              help="Exit 1 only for findings of this severity or worse (default: any finding).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule.")
@click.option("--fix/--no-fix", "fix", default=False,
              help="Apply safe fixes (with --unsafe-fixes, the unsafe ones too).")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=False,
              help="Count unsafe fixes as applicable (shown with [*], applied by --fix).")
@click.option("--diff", is_flag=True,
              help="Print a diff of what --fix would change; write nothing (exit 1 if any).")
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="Exit 1 when --fix changed a file, even when no finding remains "
                   "(a plain git hook: the commit holds the staged, unfixed text).")
@click.option("--fix-only", is_flag=True,
              help="Apply fixes and report only how many (exit 0 unless an error).")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file and rule.")
@click.option("--add-noqa", is_flag=True,
              help="Append `# noqa: CODE` to every line with a finding (adopting mlready).")
@click.option("--show-settings", is_flag=True,
              help="Print the resolved settings and where each came from; check nothing.")
@click.option("--show-files", is_flag=True,
              help="Print the files that would be checked, one per line; check nothing.")
@click.option("--stdin-filename", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the source from stdin and report it under this name (editors); "
                   "the configuration is that of the name's folder.")
@click.option("-q", "--quiet", count=True,
              help="Print the findings only, no summary (-qq: print nothing, as --silent).")
@click.option("-s", "--silent", is_flag=True, help="Print nothing; only the exit code tells.")
def check(paths: tuple[Path, ...], select: tuple[str, ...], extend_select: tuple[str, ...],
          ignore: tuple[str, ...], output_format: str | None, output_file: Path | None,
          config_path: Path | None, no_cache: bool, force_exclude: bool | None,
          exit_zero: bool, fail_on: str | None, statistics: bool, fix: bool = False,
          unsafe_fixes: bool = False, diff: bool = False, fix_only: bool = False,
          show_fixes: bool = False, add_noqa: bool = False, show_settings: bool = False,
          show_files: bool = False, stdin_filename: Path | None = None, quiet: int = 0,
          silent: bool = False, exit_non_zero_on_fix: bool = False) -> int:
    """Check files for production-readiness problems (default: the current folder).

    `mlready check -` (or `--stdin-filename NAME`) checks the source on stdin; with
    `--fix`, the fixed source goes to stdout and the remaining findings to stderr.

    Exit codes: 0 no findings (none of `--fail-on`'s severity or worse), 1 findings,
    2 usage, configuration or internal error.
    """
    from mlready.hooks import engine
    from mlready.hooks.discovery import find_root
    from mlready.hooks.settings import load

    overrides = Overrides(select=codes(select) if select else None,
                          extend_select=codes(extend_select), ignore=codes(ignore),
                          output_format=output_format, no_cache=no_cache,
                          force_exclude=force_exclude, config=config_path, fail_on=fail_on)
    stdin = paths == (Path("-"),) or (stdin_filename is not None and not paths)
    if Path("-") in paths and not stdin:
        error("`-` (read stdin) cannot be given with other paths")
        return 2
    rules = registry()
    if rules is None:
        return 2
    quiet = 2 if silent else quiet
    try:
        where = [(stdin_filename or Path("-")).absolute().parent] if stdin else list(paths)
        root = find_root(where or [Path()])
        settings = load(root, rules, overrides)
        if show_settings:
            from mlready.hooks.settings import show

            click.echo(show(settings, overrides), nl=False)
            return 0
        if show_files:
            return printing.show_files(settings, list(paths) or [Path()])
        if stdin and (diff or add_noqa):
            error("--diff and --add-noqa edit files; with stdin, use --fix (the fixed "
                  "source goes to stdout)")
            return 2
        if stdin:
            from mlready.hooks.cli.stdin import check_stdin

            return check_stdin(settings, stdin_filename, fix, unsafe_fixes, exit_zero, quiet)
        report = engine.check_with(settings, list(paths) or [Path()])
        if add_noqa or diff or fix or fix_only:
            from mlready.hooks.cli import fixing  # these flags only: never a pre-commit run

            if add_noqa:
                return fixing.add_noqa(report)
            if diff:
                return fixing.diff(report, unsafe_fixes)
            report = fixing.fix(report, settings, list(paths) or [Path()], unsafe_fixes)
            if fix_only:
                done = fixing.fixed_only(report, show_fixes)
                return 1 if done == 0 and not exit_zero and fixes_fail(
                    report, exit_non_zero_on_fix) else done
        report = report._replace(unsafe_fixes=unsafe_fixes)
    except (ConfigError, DiscoveryError, SelectionError) as exc:
        error(str(exc))
        return 2
    except RuleLoadError as exc:
        cannot_load(exc)
        return 2
    fmt = settings.output_format
    color = output_file is None and printing.use_color(sys.stdout.isatty())
    if statistics and fmt in ("concise", "full"):
        text = printing.statistics(report.diagnostics)
    else:
        text = printing.render(fmt, report, color, quiet)
    if quiet >= 2:
        text = ""
    if output_file is not None:
        try:
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            error(f"{output_file}: cannot write: {exc.strerror or exc}")
            return 2
    else:
        click.echo(text, nl=False, color=color)
    if show_fixes and report.fixed and quiet < 2:
        from mlready.hooks.cli import fixing

        click.echo(fixing.list_fixes(report.fixed), nl=False)
    for line in report.errors:
        error(line)
    if report.errors:
        return 2
    if exit_zero:
        return 0
    if fixes_fail(report, exit_non_zero_on_fix):
        return 1
    return printing.findings_exit(report, settings.fail_on)


def fixes_fail(report: Report, asked: bool) -> bool:
    """Whether ``--exit-non-zero-on-fix`` makes the fixes applied fail the run. Not
    guessed from the environment: lint-staged and lefthook run inside a plain git hook
    and stage the fixes themselves, so a failure there would throw the fix away."""
    return asked and bool(report.fixed)
