"""The check's settings: ``[tool.mlready]`` of the project's pyproject.toml, then CLI flags.

The hooks own the top-level keys of ``[tool.mlready]`` and one table per rule family
(``[tool.mlready.types]``), whose schema is the union of that family's rules'
``OPTIONS``; the tables in `mlready.config.SECTIONS` belong to the runner and the
scorecard and are accepted here without looking inside. Command-line flags win over
the file: ``--select`` replaces ``select``; ``--extend-select`` and ``--ignore`` add.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mlready.config import (
    PYPROJECT,
    SECTIONS,
    ConfigError,
    Field,
    Table,
    tool_table,
)
from mlready.config import validate as validate_table
from mlready.hooks import selection
from mlready.hooks.cache_dir import locate as cache_location
from mlready.hooks.config_memo import remembered_table
from mlready.hooks.discovery import DEFAULT_EXCLUDES
from mlready.hooks.rules import SEVERITIES, Rule
from mlready.records import NamedTuple

OUTPUT_FORMATS = ("concise", "full", "json", "github", "sarif")
_CODES = Field((list,), "rule selectors: codes, prefixes, families, names or ALL", (str,))
_GLOBS = Field((list,), "glob patterns", (str,))

TOP_LEVEL: dict[str, Field | Table] = {
    "select": _CODES,
    "extend-select": _CODES,
    "ignore": _CODES,
    "per-file-ignores": Table(help="glob -> rule selectors silenced in matching files",
                              open_keys=_CODES),
    "exclude": Field((list,), "replaces the default excludes", (str,)),
    "extend-exclude": _GLOBS,
    "force-exclude": Field((bool,), "exclude files even when passed by name (pre-commit)"),
    "respect-gitignore": Field((bool,), "list files with git, honouring .gitignore"),
    "output-format": Field((str,), "how findings are printed", choices=OUTPUT_FORMATS),
    "cache-dir": Field((str,), "where the cache lives, relative to the project root "
                               "($MLREADY_CACHE_DIR wins)"),
    "no-cache": Field((bool,), "never read or write the cache"),
    "max-file-size": Field((float,), "megabytes of source past which a file is not parsed"),
    "fail-on": Field((str,), "the least severity that makes the exit code 1 (default: "
                             "any finding)", choices=SEVERITIES),
}
MAX_FILE_SIZE = 5.0  # megabytes: ast.parse takes ~300 bytes of memory per byte of source


def schema(rules: Sequence[Rule], given: Collection[str] | None = None) -> Table:
    """The ``[tool.mlready]`` schema for the registered rules.

    A family's options live in its rule modules; with ``given`` (the keys the file
    has), only the families that appear are read, so that validating a configuration
    imports no rule module it does not configure.
    """
    fields: dict[str, Field | Table] = dict(TOP_LEVEL)
    for family, members in selection.families(rules).items():
        merged: dict[str, Field | Table] = {}
        for rule in members if given is None or family in given else ():
            if rule.options is not None:
                for key, spec in rule.options.fields.items():
                    merged.setdefault(key, spec)
        fields[family] = Table(merged, help=f"options of the {family} rules")
    for name in SECTIONS:
        fields[name] = Field((dict,), f"[tool.mlready.{name}] (read by `mlready {name}`)")
    return Table(fields)


class Overrides(NamedTuple):
    """What the command line says; None means "not given"."""

    select: Sequence[str] | None = None
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    output_format: str | None = None
    no_cache: bool = False
    force_exclude: bool | None = None
    config: Path | None = None
    fail_on: str | None = None


class Settings(NamedTuple):
    """Everything a check needs to know, resolved and validated."""

    root: Path
    config_path: Path | None
    rules: tuple[Rule, ...]
    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    per_file_ignores: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    force_exclude: bool = False
    respect_gitignore: bool = True
    output_format: str = "concise"
    cache_dir: Path | None = None  # None: no cache
    options: Mapping[str, Mapping[str, Any]] = MappingProxyType({})
    max_file_size: int = int(MAX_FILE_SIZE * 1_000_000)  # bytes
    fail_on: str | None = None  # the least severity that fails the check; None: any
    # Rules that are not selected but measure something (``summarize``): their facts are
    # collected and their metric reported, their findings never (MLR401's type-hint and
    # MLR603's docstring coverage feed the scorecard whatever the selection).
    measured: tuple[Rule, ...] = ()
    # Text that stands in for a file on disk (root-relative path -> bytes): the source an
    # editor pipes to ``mlready check -`` (``--stdin-filename``). Such a run keeps no cache.
    overlay: Mapping[str, bytes] = MappingProxyType({})

    def options_for(self, rule: Rule) -> Mapping[str, Any]:
        return self.options.get(rule.family, {})


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def load(root: Path, all_rules: Sequence[Rule], overrides: Overrides) -> Settings:
    """Read, validate and merge the configuration; raise `ConfigError` (one line)."""
    # The root is the nearest folder with a pyproject.toml or .git: its own pyproject is
    # the configuration (never a parent project's, which may be someone else's).
    own = root / PYPROJECT
    path = overrides.config or (own if own.is_file() else None)
    if overrides.config is not None and not overrides.config.is_file():
        raise ConfigError(overrides.config, "no such configuration file")
    # Never read back from the cache folder, which a repository could have committed:
    # the memo lives beside this machine's key, named by MACs under it (config_memo).
    table = remembered_table(path, root, not overrides.no_cache) if path is not None else {}
    origin = path or Path("pyproject.toml")
    validate_table(table, schema(all_rules, table), origin, "tool.mlready")
    for key in ("select", "extend-select", "ignore"):
        _check_selectors(_strings(table.get(key)), all_rules, origin, f"tool.mlready.{key}")
    per_file = {str(k): _strings(v) for k, v in table.get("per-file-ignores", {}).items()}
    for pattern, codes in per_file.items():
        _check_selectors(codes, all_rules, origin,
                         f"tool.mlready.per-file-ignores.{pattern!r}")
    for key, given in (("--select", overrides.select or ()),
                       ("--extend-select", overrides.extend_select),
                       ("--ignore", overrides.ignore)):
        _check_selectors(given, all_rules, None, key)
    chosen = overrides.select if overrides.select is not None else (
        _strings(table["select"]) if "select" in table else None)
    rules = selection.select(
        all_rules, chosen,
        (*_strings(table.get("extend-select")), *overrides.extend_select),
        (*_strings(table.get("ignore")), *overrides.ignore))
    excludes = _strings(table["exclude"]) if "exclude" in table else DEFAULT_EXCLUDES
    no_cache = overrides.no_cache or bool(table.get("no-cache", False))
    configured = str(table["cache-dir"]) if "cache-dir" in table else None
    cache_dir = None if no_cache else cache_location(root, configured, origin)
    families = set(selection.families(all_rules))
    max_mb = table.get("max-file-size", MAX_FILE_SIZE)
    if not 0 < max_mb < 1e12:  # also refuses nan and inf
        raise ConfigError(origin, f"`tool.mlready.max-file-size` must be a positive number "
                                  f"of megabytes, got {max_mb!r}")
    return Settings(
        root=root,
        config_path=path,
        rules=rules,
        excludes=(*excludes, *_strings(table.get("extend-exclude"))),
        per_file_ignores=per_file,
        force_exclude=(overrides.force_exclude if overrides.force_exclude is not None
                       else bool(table.get("force-exclude", False))),
        respect_gitignore=bool(table.get("respect-gitignore", True)),
        output_format=overrides.output_format or str(table.get("output-format", "concise")),
        cache_dir=cache_dir,
        options={k: v for k, v in table.items() if k in families and isinstance(v, dict)},
        max_file_size=int(max_mb * 1_000_000),
        fail_on=overrides.fail_on or (str(table["fail-on"]) if "fail-on" in table else None),
        measured=tuple(r for r in all_rules if "summarize" in r.parts and r not in rules),
    )


def _check_selectors(selectors: Sequence[str], rules: Sequence[Rule], path: Path | None,
                     key: str) -> None:
    try:
        selection.validate(selectors, rules, key)
    except selection.SelectionError as exc:
        if path is None:
            raise
        raise ConfigError(path, str(exc)) from None


def _given(overrides: Overrides) -> dict[str, tuple[str, object]]:
    """The keys the command line set: key -> (flag, value)."""
    given: dict[str, tuple[str, object]] = {}
    if overrides.select is not None:
        given["select"] = ("--select", list(overrides.select))
    for key, flag, value in (("extend-select", "--extend-select", overrides.extend_select),
                             ("ignore", "--ignore", overrides.ignore)):
        if value:
            given[key] = (flag, list(value))
    if overrides.output_format is not None:
        given["output-format"] = ("--output-format", overrides.output_format)
    if overrides.no_cache:
        given["no-cache"] = ("--no-cache", True)
    if overrides.force_exclude is not None:
        given["force-exclude"] = ("--force-exclude", overrides.force_exclude)
    if overrides.fail_on is not None:
        given["fail-on"] = ("--fail-on", overrides.fail_on)
    return given


def show(settings: Settings, overrides: Overrides) -> str:
    """``--show-settings``: every key with its resolved value and where it came from
    (``default``, the pyproject.toml, a command-line flag, an environment variable),
    then each family's options and the rules that run. ``extend-select`` and ``ignore``
    from the command line add to the file's, as in a run."""
    import json
    import os

    from mlready.hooks.cache_dir import ENV

    table = tool_table(settings.config_path) if settings.config_path is not None else {}
    where = f"{settings.config_path} [tool.mlready]"
    defaults: dict[str, object] = {
        "select": "the default selection", "extend-select": [], "ignore": [],
        "per-file-ignores": {}, "exclude": list(DEFAULT_EXCLUDES), "extend-exclude": [],
        "force-exclude": False, "respect-gitignore": True, "output-format": "concise",
        "cache-dir": str(settings.cache_dir) if settings.cache_dir else None,
        "no-cache": False, "max-file-size": MAX_FILE_SIZE, "fail-on": None}
    config = str(settings.config_path) if settings.config_path else None
    how = ("--config" if overrides.config is not None
           else "the root's pyproject.toml" if config else "none found")
    lines = [f"root = {json.dumps(str(settings.root))}  # nearest folder with a "
             "pyproject.toml or .git",
             f"config = {json.dumps(config)}  # {how}"]
    given = _given(overrides)
    for key in TOP_LEVEL:
        value, origin = defaults.get(key), "default"
        if key in table:
            value, origin = table[key], where
        if key in given:
            flag, cli = given[key]
            if key in ("extend-select", "ignore") and key in table:
                value, origin = [*table[key], *cli], f"{where} and {flag}"  # type: ignore[misc]
            else:
                value, origin = cli, f"command line {flag}"
        if key == "cache-dir" and os.environ.get(ENV):
            value, origin = os.environ[ENV], f"environment ${ENV}"
        lines.append(f"{key} = {json.dumps(value, default=str)}  # {origin}")
    for family, options in sorted(settings.options.items()):
        lines.append(f"{family} = {json.dumps(dict(options), sort_keys=True, default=str)}"
                     f"  # {settings.config_path} [tool.mlready.{family}]")
    codes = ", ".join(rule.code for rule in settings.rules)
    lines.append(f"rules = [{codes}]  # {len(settings.rules)} selected")
    if settings.measured:
        lines.append("measured = [" + ", ".join(r.code for r in settings.measured)
                     + "]  # run for their metric only")
    return "\n".join(lines) + "\n"
