"""`mlready check` and `mlready rule`: the command-line face of the static half.

Flags mirror ruff's, so that users do not learn a second vocabulary. Everything a
user can get wrong (a bad flag, an unknown key in ``[tool.mlready]``, a missing path)
ends as one ``error:`` line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlready.config import ConfigError
from mlready.hooks.discovery import DiscoveryError
from mlready.hooks.rules import SEVERITIES, Rule, RuleLoadError

if TYPE_CHECKING:
    from mlready.hooks.engine import Report
    from mlready.hooks.model import Diagnostic
    from mlready.hooks.output import Lines
    from mlready.hooks.settings import Settings
from mlready.hooks.selection import SelectionError
from mlready.hooks.settings import OUTPUT_FORMATS, Overrides


def _codes(values: Sequence[str]) -> list[str]:
    """``--select A,B --select C`` -> ``[A, B, C]``."""
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def _error(message: str) -> None:
    """One line on stderr: names in it are escaped, so it stays one line."""
    from mlready.hooks.output import printable

    click.echo(f"error: {printable(message)}", err=True)


def _registry() -> tuple[Rule, ...] | None:
    """Every registered rule, or None after one error line when the registry cannot be
    read (a broken installation)."""
    from mlready.hooks.rules import all_rules

    try:
        return all_rules()
    except Exception as exc:
        _cannot_load(f"{type(exc).__name__}: {exc}")
        return None


def _cannot_load(detail: object) -> None:
    """A rule module that cannot be imported: a missing dependency, a syntax error in a
    rule. Rule modules load when first used, so this can come at any point of a run."""
    _error(f"cannot load the rules: {detail} "
           "(reinstall mlready; if it persists, please report it)")


def _statistics(report_diagnostics: Sequence[object]) -> str:
    from mlready.hooks.model import Diagnostic
    from mlready.hooks.rules import by_code

    counts = Counter(d.code for d in report_diagnostics if isinstance(d, Diagnostic))
    names = {code: rule.name for code, rule in by_code().items()}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(f"{count:>{width}}\t{code}\t{names.get(code, '')}\n"
                   for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _cwd_path(root: Path, path: str) -> str:
    import os

    return Path(os.path.relpath(root / path)).as_posix()


def _from_cwd(report: Report) -> Report:
    """Standing in a sub-folder of the project, paths print relative to it (as a person
    types them, as ruff prints them); from the root or from outside the project they
    stay relative to the project root."""
    cwd = Path.cwd()
    if cwd == report.root or report.root not in cwd.parents:
        return report
    return report._replace(diagnostics=tuple(
        d._replace(path=_cwd_path(report.root, d.path)) for d in report.diagnostics))


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
          silent: bool = False) -> int:
    """Check files for production-readiness problems (default: the current folder).

    `mlready check -` (or `--stdin-filename NAME`) checks the source on stdin; with
    `--fix`, the fixed source goes to stdout and the remaining findings to stderr.

    Exit codes: 0 no findings (none of `--fail-on`'s severity or worse), 1 findings,
    2 usage, configuration or internal error.
    """
    from mlready.hooks import engine
    from mlready.hooks.discovery import find_root
    from mlready.hooks.settings import load

    overrides = Overrides(select=_codes(select) if select else None,
                          extend_select=_codes(extend_select), ignore=_codes(ignore),
                          output_format=output_format, no_cache=no_cache,
                          force_exclude=force_exclude, config=config_path, fail_on=fail_on)
    stdin = paths == (Path("-"),) or (stdin_filename is not None and not paths)
    if Path("-") in paths and not stdin:
        _error("`-` (read stdin) cannot be given with other paths")
        return 2
    rules = _registry()
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
            return _show_files(settings, list(paths) or [Path()])
        if stdin and (diff or add_noqa):
            _error("--diff and --add-noqa edit files; with stdin, use --fix (the fixed "
                   "source goes to stdout)")
            return 2
        if stdin:
            return _check_stdin(settings, stdin_filename, fix, unsafe_fixes, exit_zero, quiet)
        report = engine.check_with(settings, list(paths) or [Path()])
        if add_noqa:
            return _add_noqa(report)
        if diff:
            return _diff(report, unsafe_fixes)
        if fix or fix_only:
            report = _fix(report, settings, list(paths) or [Path()], unsafe_fixes)
            if fix_only:
                return _fixed_only(report, show_fixes)
        report = report._replace(unsafe_fixes=unsafe_fixes)
    except (ConfigError, DiscoveryError, SelectionError) as exc:
        _error(str(exc))
        return 2
    except RuleLoadError as exc:
        _cannot_load(exc)
        return 2
    fmt = settings.output_format
    color = output_file is None and use_color(sys.stdout.isatty())
    if statistics and fmt in ("concise", "full"):
        text = _statistics(report.diagnostics)
    else:
        text = _render(fmt, report, color, quiet)
    if quiet >= 2:
        text = ""
    if output_file is not None:
        try:
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            _error(f"{output_file}: cannot write: {exc.strerror or exc}")
            return 2
    else:
        click.echo(text, nl=False, color=color)
    if show_fixes and report.fixed and quiet < 2:
        click.echo(_show_fixes(report.fixed), nl=False)
    for line in report.errors:
        _error(line)
    if report.errors:
        return 2
    return 0 if exit_zero else _findings_exit(report, settings.fail_on)


def use_color(tty: bool) -> bool:
    """Colour when the output is a terminal (``tty``), as ruff decides it: a non-empty
    ``FORCE_COLOR`` turns it on even when piped, and wins; else a non-empty ``NO_COLOR``
    (no-color.org) turns it off."""
    import os

    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return tty


def _render(fmt: str, report: Report, color: bool, quiet: int,
            lines: Lines | None = None, from_cwd: bool = True) -> str:
    """The report in ``fmt``; the text formats as a person reads them (paths from the
    current folder unless ``from_cwd`` is false, colour, ``-q`` without the summary)."""
    from mlready.hooks.output import renderer

    if not from_cwd and fmt in ("full", "concise"):
        return renderer(fmt)(report, *([lines] if fmt == "full" else []), color=color,
                             quiet=quiet > 0)
    if fmt == "full":
        if lines is None:
            from mlready.hooks.output.sources import read_lines

            lines = read_lines(report.root, report.diagnostics)
        shown = _from_cwd(report)
        moved = lines if shown is report else {
            (_cwd_path(report.root, path), cell): text for (path, cell), text in lines.items()}
        return renderer(fmt)(shown, moved, color=color, quiet=quiet > 0)
    if fmt == "concise":
        return renderer(fmt)(_from_cwd(report), color=color, quiet=quiet > 0)
    return renderer(fmt)(report)  # machine formats keep root-relative paths


def _show_files(settings: Settings, paths: list[Path]) -> int:
    """``--show-files``: what a check of ``paths`` would read, sorted, one per line (as
    findings print their paths)."""
    from mlready.hooks.discovery import discover
    from mlready.hooks.output import printable

    found = discover(settings.root, paths, settings.excludes,
                     respect_gitignore=settings.respect_gitignore,
                     force_exclude=settings.force_exclude)
    cwd = Path.cwd()
    inside = cwd != settings.root and settings.root in cwd.parents
    names = sorted(_cwd_path(settings.root, f.path) if inside else f.path for f in found)
    click.echo("".join(f"{printable(name)}\n" for name in names), nl=False)
    return 0


def _check_stdin(settings: Settings, name: Path | None, fix: bool, unsafe: bool,
                 exit_zero: bool, quiet: int) -> int:
    """``mlready check -``: the source on stdin, as the file ``name`` (editors); with
    ``--fix``, the fixed source on stdout and what remains on stderr (as ruff)."""
    import os

    from mlready.hooks import engine
    from mlready.hooks.discovery import SourceFile, classify, discover
    from mlready.hooks.fixes import MAX_PASSES, apply_edits, decode

    data = sys.stdin.buffer.read()
    path = "-"
    if name is not None:
        full = name.absolute()
        inside = settings.root == full.parent or settings.root in full.parents
        path = (Path(os.path.relpath(full, settings.root)).as_posix() if inside
                else name.as_posix())
    kind = classify(path) if name is not None else "python"
    target = SourceFile(path, kind or "python")
    project = ([*discover(settings.root, [settings.root], settings.excludes,
                          respect_gitignore=settings.respect_gitignore), target]
               if any(r.cross for r in settings.rules) else [target])
    def checked(text: bytes) -> Report:
        return engine.run(settings._replace(cache_dir=None, overlay={path: text}), [target],
                          project)

    report = checked(data)
    for _ in range(MAX_PASSES if fix else 0):  # as `_fix`: again while a pass fixed some
        decoded = decode(path, data)
        if decoded is None:
            break
        pairs = [(d, d.autofix) for d in report.diagnostics if d.autofix and d.fixable(unsafe)]
        after, done = apply_edits(decoded[0], pairs)
        if not done:
            break
        data = after.encode(decoded[1])
        report = checked(data)
    # reported under the name the editor gave, as ruff does
    shown = name.as_posix() if name is not None else "-"
    source_lines: Lines = {
        (shown, None): data.decode("utf-8", "replace").splitlines(keepends=True)}
    report = report._replace(unsafe_fixes=unsafe, diagnostics=tuple(
        d._replace(path=shown) if d.path == path else d for d in report.diagnostics))
    if fix:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        text = _render(settings.output_format, report, False, max(quiet, 1), source_lines,
                       from_cwd=False)
        if quiet < 2 and report.diagnostics:
            click.echo(text, nl=False, err=True)
    else:
        color = use_color(sys.stdout.isatty())
        text = _render(settings.output_format, report, color, quiet, source_lines,
                       from_cwd=False)
        if quiet < 2:
            click.echo(text, nl=False, color=color)
    for line in report.errors:
        _error(line)
    if report.errors:
        return 2
    return 0 if exit_zero else _findings_exit(report, settings.fail_on)


def _findings_exit(report: Report, fail_on: str | None) -> int:
    """1 when a finding is at least as severe as ``fail_on`` (any finding when None)."""
    from mlready.hooks.output import counted, severities, severity_of

    table = severities(report.rules)
    return int(any(counted(severity_of(d, table), fail_on) for d in report.diagnostics))


def _fix(report: Report, settings: Settings, paths: list[Path], unsafe: bool) -> Report:
    """``--fix``: apply, check again, and repeat while a pass fixed something (a fix that
    overlapped another is retried on the result), at most `fixes.MAX_PASSES` times. The
    report is the last check, with every finding fixed on the way and every error."""
    if not any(d.fixable(unsafe) for d in report.diagnostics):
        return report  # the usual hook run: nothing to fix, nothing more imported
    from mlready.hooks import engine, fixes

    fixed: list[Diagnostic] = []
    errors: list[str] = []
    for _ in range(fixes.MAX_PASSES):
        outcome = fixes.fix(report.root, report.diagnostics, report.digests, unsafe=unsafe)
        fixed.extend(outcome.fixed)
        errors.extend(outcome.errors)
        if not outcome.fixed:
            break
        report = engine.check_with(settings, paths)
    return report._replace(fixed=tuple(fixed), errors=(*report.errors, *errors))


def _diff(report: Report, unsafe: bool) -> int:
    """``--diff``: the unified diff of what ``--fix`` would write, and nothing written;
    exit 1 when there is something to fix (as ruff), 2 on an error."""
    from mlready.hooks import fixes

    outcome = fixes.fix(report.root, report.diagnostics, report.digests, unsafe=unsafe,
                        write=False)
    click.echo("".join(f.diff() for f in outcome.files), nl=False)
    count = len(outcome.fixed)
    click.echo(f"Would fix {count} error{'s' if count != 1 else ''}." if count
               else "No errors would be fixed.", err=True)
    for line in (*report.errors, *outcome.errors):
        _error(line)
    if report.errors or outcome.errors:
        return 2
    return 1 if count else 0


def _add_noqa(report: Report) -> int:
    """``--add-noqa``: silence what is reported today, line by line, so that a large
    codebase can adopt mlready and fix its findings over time; exit 0 unless an error."""
    from mlready.hooks import fixes

    outcome = fixes.add_noqa(report.root, report.diagnostics, report.digests)
    count = len(outcome.fixed)
    click.echo(f"Added {count} noqa directive{'s' if count != 1 else ''}.")
    for line in (*report.errors, *outcome.errors):
        _error(line)
    return 2 if report.errors or outcome.errors else 0


def _fixed_only(report: Report, show: bool) -> int:
    """``--fix-only``: how many were fixed, not what remains; exit 0 unless an error."""
    count = len(report.fixed)
    if show and report.fixed:
        click.echo(_show_fixes(report.fixed), nl=False)
    else:
        click.echo(f"Fixed {count} error{'s' if count != 1 else ''}." if count
                   else "No errors fixed.")
    for line in report.errors:
        _error(line)
    return 2 if report.errors else 0


def _show_fixes(fixed: Sequence[Diagnostic]) -> str:
    from mlready.hooks.fixes import show_fixes
    from mlready.hooks.rules import by_code

    return show_fixes(fixed, {code: rule.name for code, rule in by_code().items()})


@click.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print the documentation of every rule.")
def rule(code: str | None, show_all: bool) -> int:
    """Explain a rule: `mlready rule MLR101` (a code or a name), or `mlready rule --all`."""
    from mlready.hooks.docs import render_rule

    rules = _registry()
    if rules is None:
        return 2
    if show_all:
        try:
            click.echo("\n\n".join(render_rule(r) for r in rules), nl=False)
        except RuleLoadError as exc:
            _cannot_load(exc)
            return 2
        return 0
    if not code:
        _error("give a rule code (e.g. `mlready rule MLR000`) or --all")
        return 2
    wanted = code.strip()
    found = [r for r in rules if wanted.upper() == r.code or wanted == r.name]
    if not found:
        _error(f"unknown rule `{code}`; `mlready rule --all` lists every rule")
        return 2
    try:
        click.echo(render_rule(found[0]), nl=False)
    except RuleLoadError as exc:
        _cannot_load(exc)
        return 2
    return 0
