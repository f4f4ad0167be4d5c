"""The files `mlready init` writes or adds to, and the rule that it never overwrites unasked.

- ``.pre-commit-config.yaml`` with mlready's hooks at a pinned revision (a full commit
  SHA, frozen, so a moved tag cannot change what runs on commit). A project that has
  one already gets our repo entry added at the end of its ``repos:`` list, as text, so
  the user's comments, order and formatting stay as they were;
- ``.github/workflows/mlready.yml``: static checks and the scorecard comment per PR, on
  pushes to the repository's own default branch (``master`` in many older projects).
  A workflow folder that already runs mlready gets no second one;
- ``[tool.mlready]`` and the proposed ``[tool.mlready.runner]`` (`mlready.init.proposal`)
  appended to ``pyproject.toml`` (created when missing).

Existing files are kept unless the user confirms (the default answer is no; ``--yes``
takes the defaults, so it never overwrites) or passes ``--force``. A file that is
edited keeps its line endings: a CRLF file gets CRLF lines from us too, so its diff
shows only what we added.
"""

from __future__ import annotations

import json
import re
import subprocess
from importlib import resources
from pathlib import Path

import click
import yaml

from mlready import config
from mlready.github import pins

WORKFLOW = Path(".github/workflows/mlready.yml")
PRE_COMMIT = Path(".pre-commit-config.yaml")
PYPROJECT = Path("pyproject.toml")
HOOK_REPO = pins.HOOK_REPO

def read_keeping_endings(path: Path) -> tuple[str, str]:
    """The file's text with ``\n`` line ends, and the line end it uses (``\r\n`` when
    most of its lines end so), to write it back as it was."""
    with path.open(encoding="utf-8", newline="") as handle:
        raw = handle.read()
    crlf = raw.count("\r\n")
    eol = "\r\n" if crlf and crlf * 2 >= raw.count("\n") else "\n"
    return (raw.replace("\r\n", "\n") if eol == "\r\n" else raw), eol


def write_with_endings(path: Path, text: str, eol: str) -> None:
    """Write ``text`` (``\n`` line ends) with ``eol`` line ends."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text.replace("\n", eol) if eol != "\n" else text)


def _repo_entry(indent: str) -> str:
    """Our entry of a ``repos:`` list, its dash at ``indent``."""
    inner = indent + "  "
    return (f"{indent}- repo: {HOOK_REPO}\n"
            f"{inner}rev: {pins.HOOK_REV}\n"
            f"{inner}hooks:\n"
            f"{inner}  - id: mlready\n")


def pre_commit_config() -> str:
    return ("# Written by `mlready init`. Update the pin with `pre-commit autoupdate --freeze`.\n"
            "repos:\n" + _repo_entry("  "))


class MergeError(Exception):
    """An existing file we cannot add to as text without risking its meaning."""


_REPOS_KEY = re.compile(r"^repos:[ \t]*(?:#.*)?$")
_TOP_LEVEL = re.compile(r"^[^\s#-]")  # a key at column 0 (list items may sit there too)
_ITEM = re.compile(r"^([ \t]*)- ")


def merge_pre_commit(text: str) -> str | None:
    """``text`` (an existing ``.pre-commit-config.yaml``) with our repo entry appended to
    its ``repos:`` block, or None when it has our repo already.

    An edit on the text, not a YAML round trip, so that comments, key order and quoting
    stay the user's. The result is parsed back and must hold exactly the old repos plus
    ours; anything else (a flow-style ``repos: [...]``, anchors, tabs) raises
    `MergeError`, and the caller shows the entry to paste instead of writing.
    """
    try:
        before = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MergeError(f"not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(before, dict) or not isinstance(before.get("repos"), list):
        raise MergeError("no `repos:` list")
    repos = before["repos"]
    if any(isinstance(r, dict) and str(r.get("repo", "")).rstrip("/").removesuffix(".git")
           == HOOK_REPO for r in repos):
        return None
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _REPOS_KEY.match(line)), None)
    if start is None:
        raise MergeError("`repos:` is not a block list this tool can add to")
    end = next((i for i in range(start + 1, len(lines)) if _TOP_LEVEL.match(lines[i])),
               len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay after our entry
    indent = next((m.group(1) for line in lines[start + 1:end] if (m := _ITEM.match(line))),
                  "  ")
    if lines[end - 1:end] and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    merged = "".join([*lines[:end], _repo_entry(indent), *lines[end:]])
    try:
        after = yaml.safe_load(merged)
    except yaml.YAMLError:
        after = None
    expected = [*repos, {"repo": HOOK_REPO, "rev": pins.ACTION_SHA,
                         "hooks": [{"id": "mlready"}]}]
    if not isinstance(after, dict) or after.get("repos") != expected:
        raise MergeError("its `repos:` list has a layout this tool cannot add to safely")
    return merged


def default_branch(root: Path) -> str:
    """The branch the project's pushes land on: the remote's HEAD, else a local ``main``
    or ``master``, else git's ``init.defaultBranch``, else ``main``."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    remote_head = git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote_head.startswith("origin/"):
        return remote_head.removeprefix("origin/")
    for name in ("main", "master"):
        if git("rev-parse", "--verify", "--quiet", f"refs/heads/{name}"):
            return name
    return git("config", "init.defaultBranch") or "main"


_BRANCHES = "    branches: [main]\n"


def workflow(branch: str = "main") -> str:
    text = resources.files("mlready.github").joinpath("templates/mlready.yml").read_text(
        encoding="utf-8")
    # Written bare only when YAML reads it back as that same string: `true`, `on`, `1.0`
    # or `null` are legal branch names that a bare flow item would turn into a boolean,
    # a number or nothing, and the workflow would never trigger.
    plain = (re.fullmatch(r"[A-Za-z0-9._/-]+", branch) is not None
             and yaml.safe_load(f"[{branch}]") == [branch])
    return text.replace(_BRANCHES, f"    branches: [{branch if plain else json.dumps(branch)}]\n")


def _workflow_using_us(folder: Path) -> Path | None:
    """A workflow in ``folder`` that already uses mlready's action, if any."""
    if not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yml", ".yaml") and path.is_file():
            try:
                if pins.ACTION_REPO in path.read_text(encoding="utf-8", errors="replace"):
                    return path
            except OSError:
                continue
    return None


class _Writer:
    """Writes files under ``root`` with the overwrite policy, and reports each action."""

    def __init__(self, root: Path, *, yes: bool, force: bool) -> None:
        self.root = root
        self.yes = yes
        self.force = force
        self.wrote: list[str] = []

    def _allowed(self, question: str, default: bool) -> bool:
        if self.yes:
            return default
        return click.confirm(question, default=default)

    def _linked(self, rel: Path) -> bool:
        """A symlink at ``rel`` (or above it, inside the project) is never written through:
        a committed link could point anywhere. Says so and tells the caller to skip."""
        parts = rel.parts
        for i in range(1, len(parts) + 1):
            if (self.root.joinpath(*parts[:i])).is_symlink():
                click.echo(f"  kept       {rel.as_posix()} (a symbolic link: mlready writes no "
                           "file through one)")
                return True
        return False

    def write(self, rel: Path, text: str) -> None:
        path = self.root / rel
        if self._linked(rel):
            return
        if path.exists():
            if path.read_text(encoding="utf-8") == text:
                click.echo(f"  unchanged  {rel.as_posix()}")
                return
            if not (self.force or self._allowed(f"{rel.as_posix()} exists. Overwrite it?",
                                                default=False)):
                click.echo(f"  kept       {rel.as_posix()} (exists; --force to overwrite)")
                return
            verb = "overwrote"
        else:
            verb = "wrote"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.wrote.append(rel.as_posix())
        click.echo(f"  {verb:<10} {rel.as_posix()}")

    def add_pre_commit(self) -> None:
        """Our hooks in the project's ``.pre-commit-config.yaml``: a new file, or our entry
        added to the user's own (see `merge_pre_commit`)."""
        path = self.root / PRE_COMMIT
        if self._linked(PRE_COMMIT):
            return
        if not path.exists() or self.force:
            self.write(PRE_COMMIT, pre_commit_config())
            return
        rel = PRE_COMMIT.as_posix()
        eol = "\n"
        try:
            current, eol = read_keeping_endings(path)
            merged = merge_pre_commit(current)
        except (MergeError, UnicodeDecodeError, OSError) as exc:
            click.echo(f"  kept       {rel} (cannot add to it: {exc}); add this entry under "
                       "`repos:`, or --force to replace the file:")
            click.echo(_repo_entry("  ").rstrip("\n"))
            return
        if merged is None:
            click.echo(f"  unchanged  {rel} (has mlready's hooks)")
            return
        if not self._allowed(f"Add mlready's hooks to {rel}?", default=True):
            click.echo(f"  kept       {rel}")
            return
        write_with_endings(path, merged, eol)
        self.wrote.append(rel)
        click.echo(f"  added to   {rel} (mlready's hooks, after your repos)")

    def add_workflow(self) -> None:
        """Our workflow, unless one in the folder runs mlready already."""
        existing = _workflow_using_us(self.root / WORKFLOW.parent)
        if existing is not None and existing.name != WORKFLOW.name and not self.force:
            rel = existing.relative_to(self.root).as_posix()
            click.echo(f"  kept       {rel} (already runs mlready; no second workflow)")
            return
        self.write(WORKFLOW, workflow(default_branch(self.root)))

    def pyproject_state(self) -> tuple[dict[str, object], str | None]:
        """The project's pyproject data, and why init leaves it alone (None: it may add
        to it). Bad TOML is one line and exit 2."""
        path = self.root / PYPROJECT
        if self._linked(PYPROJECT):
            return {}, "linked"
        if not path.exists():
            return {}, None
        try:
            data = config.read_toml(path)
        except config.ConfigError as exc:  # bad TOML, too deep, too many digits: one line
            raise click.ClickException(str(exc)) from None
        tool = data.get("tool")
        mlready = tool.get("mlready") if isinstance(tool, dict) else None
        if isinstance(mlready, dict) and "runner" in mlready:
            click.echo("  kept       pyproject.toml ([tool.mlready.runner] exists; left as is)")
            return data, "has runner"
        return data, None

    def append_pyproject(self, runner_text: str, summary: str) -> None:
        """Append ``[tool.mlready]`` (unless present) and ``runner_text`` to pyproject.toml,
        keeping its line endings."""
        path = self.root / PYPROJECT
        current, eol = read_keeping_endings(path) if path.exists() else ("", "\n")
        data = config.read_toml(path) if path.exists() else {}
        tool = data.get("tool")
        has_tool = isinstance(tool, dict) and "mlready" in tool
        section = "" if has_tool else TOOL_HEADER
        text = section + runner_text
        if current:
            separator = "\n" if current.endswith("\n") else "\n\n"
            write_with_endings(path, current + separator + text, eol)
            verb = "appended"
        else:
            write_with_endings(path, text, eol)
            verb = "wrote"
        self.wrote.append(PYPROJECT.as_posix())
        table = "[tool.mlready.runner]" if has_tool else "[tool.mlready]"
        click.echo(f"  {verb:<10} pyproject.toml {table}; {summary}")


TOOL_HEADER = ("[tool.mlready]\n"
               "# Static checks (`mlready check`, the pre-commit hooks). Select and ignore "
               "rules as in\n"
               '# ruff, e.g. extend-select = ["MLR9"] or ignore = ["MLR101"].\n\n')
