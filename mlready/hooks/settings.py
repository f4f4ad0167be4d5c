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
from typing import Any, NamedTuple

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
from mlready.hooks.discovery import DEFAULT_EXCLUDES
from mlready.hooks.rules import Rule

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
    # Parsed on every run: the table is never read back from the cache, which a
    # repository could have committed (a memo of it saved about 3 ms of a hook run).
    table = tool_table(path) if path is not None else {}
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
    )


def _check_selectors(selectors: Sequence[str], rules: Sequence[Rule], path: Path | None,
                     key: str) -> None:
    try:
        selection.validate(selectors, rules, key)
    except selection.SelectionError as exc:
        if path is None:
            raise
        raise ConfigError(path, str(exc)) from None
