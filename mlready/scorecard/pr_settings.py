"""What a pull request changes about how it is judged: where mlready's settings live.

A PR may edit ``[tool.mlready]`` along with its code: add ``ignore``, ``exclude`` or
``per-file-ignores``, lower ``min-score``, move the scorecard's weights. Nothing a PR
commits may change what we report, so when a base is known the head is judged with the
settings as they are at the merge base, and the card names the keys the PR changes
(they take effect once merged).

*Where* the settings live is a setting too. mlready's project root is the nearest folder
with a ``pyproject.toml`` (or ``.git``), and the scorecard reads the nearest
``pyproject.toml``: a PR that adds one in the working directory of a monorepo, or
deletes the one there, moves both. So the places are found as the merge-base commit
has them (`locate`, reading the commit with ``git cat-file``), the head is checked
from the base's root with the base's bytes, and a config file the head reads instead
is named on the card (``settings_files``).

The runner's table (``[tool.mlready.runner]``) is not swapped: its train and eval
commands are the PR's own code, and the GPU workflow has no base to read. A change to it
is named on the card instead, as settings the runtime results were measured with.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlready.config import PYPROJECT, ConfigError, find_pyproject, parse_toml, read_bytes
from mlready.scorecard.inputs import InputError, StaticReport, static_from_json

RUNNER = "runner"


@dataclass(frozen=True)
class ConfigAtBase:
    """One configuration file: where it is (in this checkout) and its bytes at the merge
    base (None when the file did not exist there: then the base had no settings)."""

    path: Path
    base: bytes | None


@dataclass(frozen=True)
class BaseSettings:
    """Where the merge base ``sha`` keeps mlready's settings, as folders of this checkout
    (the repository's top folder is ``top``): the static half's project ``root`` and its
    ``pyproject.toml`` (``hooks``), and the scorecard's nearest one (``card``, None when
    the base has none)."""

    sha: str
    top: Path
    root: Path
    hooks: ConfigAtBase
    card: ConfigAtBase | None


@dataclass(frozen=True)
class Change:
    """What a PR changes about its settings: the ``[tool.mlready]`` keys (dotted, e.g.
    ``scorecard.weights.docs``), ``judged`` replaced by the base's for this PR,
    ``runner`` used as they are; ``files``, the configuration files (repository-relative)
    the head reads in place of the base's, or cannot read; ``moved``, whether the head's
    project root is another folder than the base's."""

    judged: tuple[str, ...] = ()
    runner: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    moved: bool = False

    @property
    def rerun(self) -> bool:
        """Whether the head's own check can differ from one with the base's settings."""
        return self.moved or bool(self.files) or static_changed(self.judged)


def read_at(top: Path, sha: str, path: Path) -> bytes | None:
    """The bytes of ``path`` (inside the repository at ``top``) in commit ``sha``, or None
    when the commit has no such file. The path as named, its last part no link followed
    on disk: a PR may turn the file into a link to another one, and the commit's file is
    then read as the commit has it (`_read_named_at`)."""
    name = _named(path).relative_to(top).as_posix()
    return _read_named_at(top, sha, name)


def _named(path: Path) -> Path:
    """``path`` absolute, its folders' links resolved, the file's own not."""
    return path.absolute().parent.resolve() / path.name


def locate(start: Path, sha: str, top: Path) -> BaseSettings:
    """The places of the settings as commit ``sha`` has them, for a check run in
    ``start``: the nearest folder at or above it whose ``pyproject.toml`` the commit has
    (else the repository's top, which has ``.git``) is the project root, as
    `mlready.hooks.discovery.find_root` would find it in that commit. Above the
    repository nothing is the PR's: the disk's file stands."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if not folder.is_relative_to(top):
            break
        data = read_at(top, sha, folder / PYPROJECT)
        if data is not None:
            found = ConfigAtBase(folder / PYPROJECT, data)
            return BaseSettings(sha, top, folder, found, found)
    outside = find_pyproject(top.parent) if top.parent != top else None
    card = ConfigAtBase(outside, _disk(outside)) if outside is not None else None
    return BaseSettings(sha, top, top, ConfigAtBase(top / PYPROJECT, None), card)


def _disk(path: Path) -> bytes | None:
    try:
        return read_bytes(path)
    except ConfigError:
        return None


def tool_table_of(path: Path | str, data: bytes | None, sha: str | None = None
                  ) -> dict[str, Any]:
    """``[tool.mlready]`` of a configuration's bytes (empty without the file); a
    `ConfigError` names the file, at ``sha`` when it is the merge base's copy."""
    if data is None:
        return {}
    origin = f"{path} at {sha[:12]}" if sha else str(path)
    parsed = parse_toml(Path(origin), data)
    tool = parsed.get("tool", {})
    table = tool.get("mlready", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(origin, "`tool.mlready` must be a table")
    return table


def changed_keys(base: Mapping[str, Any], head: Mapping[str, Any], prefix: str = ""
                 ) -> list[str]:
    """The dotted keys whose values differ between two tables (added, removed or changed),
    down to the leaves of nested tables, in sorted order."""
    keys: list[str] = []
    for key in sorted({*base, *head}):
        dotted = f"{prefix}.{key}" if prefix else key
        before, after = base.get(key), head.get(key)
        if isinstance(before, dict) or isinstance(after, dict):
            if isinstance(before, dict | None) and isinstance(after, dict | None):
                # A table added or removed as a whole: name its leaves, not the table.
                inner = changed_keys(before or {}, after or {}, dotted)
                keys += inner or ([dotted] if (key in base) != (key in head) else [])
                continue
            keys.append(dotted)
        elif before != after or (key in base) != (key in head):
            keys.append(dotted)
    return keys


def change(base: BaseSettings, head_root: Path, head_card: Path | None) -> Change:
    """What the PR changes: the base's files against those the head reads (its project
    root's ``pyproject.toml`` and its nearest one). A head file that cannot be read is
    named, and judged without: the base's settings hold whatever it says."""
    judged: dict[str, None] = {}
    runner: dict[str, None] = {}
    files: dict[str, None] = {}
    head_hooks = head_root / PYPROJECT
    pairs = [(base.hooks, head_hooks if head_hooks.is_file() else None)]
    if base.card is not None or head_card is not None:
        pairs.append((base.card or ConfigAtBase(base.hooks.path, None), head_card))
    for at_base, head in pairs:
        if head is None:
            table: dict[str, Any] = {}
        else:
            name = _in_repo(head, base.top)
            if name is not None and head.resolve() != at_base.path.resolve():
                files[name] = None
            try:
                table = tool_table_of(head, read_bytes(head))
            except ConfigError:
                files[name or str(head)] = None
                continue
        for key in changed_keys(tool_table_of(at_base.path, at_base.base, base.sha), table):
            (runner if key.split(".", 1)[0] == RUNNER else judged)[key] = None
    return Change(tuple(judged), tuple(runner), tuple(files),
                  moved=head_root.resolve() != base.root.resolve())


def _in_repo(path: Path, top: Path) -> str | None:
    """``path`` relative to the repository, or None outside it (no PR can change it)."""
    real = path.resolve()
    return real.relative_to(top).as_posix() if real.is_relative_to(top) else None


def runner_table(path: Path | str, data: bytes | None, sha: str | None = None
                 ) -> dict[str, Any]:
    """The runner's table of a file given to ``mlready run --config``, read as
    `mlready.gpu_runner.config.load` reads it: ``[tool.mlready.runner]`` of a
    ``pyproject.toml``; of another TOML file, that table, else the file's top level."""
    if data is None:
        return {}
    origin = f"{path} at {sha[:12]}" if sha else str(path)
    parsed = parse_toml(Path(origin), data)
    tool = parsed.get("tool")
    mlready = tool.get("mlready") if isinstance(tool, dict) else None
    nested = mlready.get(RUNNER) if isinstance(mlready, dict) else None
    if isinstance(nested, dict):
        return nested
    return {} if Path(path).name == PYPROJECT else parsed


def runner_change(base: BaseSettings, config: Path) -> tuple[str, ...]:
    """The runner keys a PR changes in ``config``, the file the runtime step read with
    ``--config`` (its runner table, named ``runner.<key>``). A file outside the
    repository, or one the head cannot read, is not the PR's to change: no keys."""
    # The file as named, links not followed: a PR may turn it into a link to another
    # file, and the runner then reads that one; the base's is read as the base had it.
    if _in_repo(_named(config).parent, base.top) is None or not config.is_file():
        return ()
    try:
        head = runner_table(config, read_bytes(config))
        at_base = runner_table(config, read_at(base.top, base.sha, config), base.sha)
    except ConfigError:
        return (RUNNER,)  # something changed that the runner may read differently
    return tuple(changed_keys(at_base, head, RUNNER))


def _read_named_at(top: Path, sha: str, name: str, links: int = 8) -> bytes | None:
    """The bytes of repository path ``name`` in commit ``sha`` as a checkout reads them:
    a link (mode 120000) followed inside that commit, up to ``links`` deep; None when the
    commit has no such file or a link leaves the repository."""
    for _ in range(links):
        proc = subprocess.run(["git", "ls-tree", "-z", sha, "--", name], cwd=top,
                              capture_output=True, check=False, timeout=60)
        mode = proc.stdout.split(b" ", 1)[0] if proc.returncode == 0 else b""
        blob = subprocess.run(["git", "cat-file", "blob", f"{sha}:{name}"], cwd=top,
                              capture_output=True, check=False, timeout=60)
        if blob.returncode != 0:
            return None
        if mode != b"120000":
            return blob.stdout
        name = posixpath.normpath(posixpath.join(posixpath.dirname(name),
                                                 blob.stdout.decode("utf-8", "replace")))
        if name.startswith("../") or name == ".." or posixpath.isabs(name):
            return None
    return None


def static_changed(keys: Sequence[str]) -> bool:
    """Whether any of ``keys`` is the static half's (not a section another part owns)."""
    from mlready.config import SECTIONS

    return any(key.split(".", 1)[0] not in SECTIONS for key in keys)


class _BaseFile:
    """The base's ``pyproject.toml`` written to a temporary folder, for ``--config``:
    the engine then reads the base's ``[tool.mlready]`` for the head's files."""

    def __init__(self, data: bytes | None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="mlready-base-settings-"))
        self.path = self.folder / PYPROJECT
        self.path.write_bytes(data or b"")

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def base_engine_settings(base: BaseSettings, overlay: Mapping[str, bytes] | None = None
                         ) -> Any:
    """The engine's settings for the head's files under the base's: the base's project
    root and ``[tool.mlready]``; with ``overlay`` (root-relative path -> text checked in
    place of the file's), that text. The per-file cache stays on: its entries are keyed
    by the content analysed, the rules and their options, never by a path alone."""
    from mlready.hooks.rules import all_rules
    from mlready.hooks.settings import Overrides, load

    with _BaseFile(base.hooks.base) as path:
        settings = load(base.root, all_rules(), Overrides(config=path))
    return settings._replace(overlay=dict(overlay)) if overlay else settings


def check_json(base: BaseSettings, start: Path, overlay: Mapping[str, bytes] | None = None
               ) -> dict[str, Any]:
    """The head's check JSON for ``start`` (what the static step checked) under the
    base's settings; `InputError` when the engine refuses them."""
    from mlready.hooks.discovery import DiscoveryError
    from mlready.hooks.engine import check_with
    from mlready.hooks.output.json_format import document
    from mlready.hooks.selection import SelectionError

    try:
        settings = base_engine_settings(base, overlay)
        return document(check_with(settings, [start.resolve()]))
    except (ConfigError, DiscoveryError, SelectionError, ValueError, OSError) as exc:
        raise InputError(start, f"static checks with the base's settings failed: {exc}") \
            from None


def judged_static(base: BaseSettings, start: Path) -> StaticReport:
    """The head's static report under the base's settings, from the base's root."""
    return static_from_json(check_json(base, start),
                            f"static checks with the settings of {base.sha[:12]}")
