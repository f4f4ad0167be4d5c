"""`mlready init [DIR]`: set up an existing project for mlready in one command.

It writes three things, and never overwrites anything without asking:

- ``.pre-commit-config.yaml`` with mlready's hooks at a pinned revision (a full commit
  SHA, frozen, so a moved tag cannot change what runs on commit). A project that has
  one already gets our repo entry added at the end of its ``repos:`` list, as text, so
  the user's comments, order and formatting stay as they were;
- ``.github/workflows/mlready.yml``: static checks and the scorecard comment per PR, on
  pushes to the repository's own default branch (``master`` in many older projects).
  A workflow folder that already runs mlready gets no second one;
- ``[tool.mlready]`` and ``[tool.mlready.runner]`` appended to ``pyproject.toml`` (created
  when missing), with the training command filled in when we can find the entrypoint.

Existing files are kept unless the user confirms (the default answer is no; ``--yes``
takes the defaults, so it never overwrites) or passes ``--force``. An existing
``[tool.mlready]`` table is never touched. The entrypoint is a ``train*.py`` with a
``__main__`` guard, or a ``[project.scripts]`` entry named like ``train``; its argparse /
click flags for steps, seed and output directory are read from the AST, so the command
usually works as written, and says so in a comment when it could not be completed.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import click
import yaml

from mlready import config
from mlready.github import pins
from mlready.hooks.syntax import main_guard

WORKFLOW = Path(".github/workflows/mlready.yml")
PRE_COMMIT = Path(".pre-commit-config.yaml")
PYPROJECT = Path("pyproject.toml")
HOOK_REPO = pins.HOOK_REPO
_SKIP_DIRS = {"node_modules", "site-packages", "build", "dist", "venv", "env", "__pycache__"}
_MAX_DEPTH = 3

# Flag spellings we recognise, best first, for each placeholder of the train command.
FLAGS: dict[str, tuple[str, ...]] = {
    "steps": ("--max-steps", "--max_steps", "--steps", "--num-steps", "--num_steps",
              "--total-steps", "--total_steps", "--iters", "--iterations", "--max-iters",
              "--max_iters", "--train-steps", "--train_steps"),
    "seed": ("--seed", "--random-seed", "--random_seed"),
    "run_dir": ("--out", "--output-dir", "--output_dir", "--out-dir", "--out_dir", "--output",
                "--save-dir", "--save_dir", "--checkpoint-dir", "--checkpoint_dir",
                "--ckpt-dir", "--ckpt_dir", "--log-dir", "--log_dir", "--run-dir", "--run_dir"),
    "checkpoint": ("--resume-from", "--resume_from", "--resume", "--checkpoint", "--ckpt",
                   "--init-from", "--init_from"),
}


@dataclass(frozen=True)
class Entrypoint:
    """How to start training: the command prefix and the flags found for each placeholder."""

    command: str  # e.g. "{python} train.py" or "mytrain"
    source: str  # where we found it, for the message
    flags: dict[str, str] = field(default_factory=dict)

    def train(self) -> str:
        parts = [self.command]
        for key in ("steps", "seed", "run_dir"):
            if key in self.flags:
                parts.append(f"{self.flags[key]} {{{key}}}")
        return " ".join(parts)

    def resume(self) -> str | None:
        if "checkpoint" not in self.flags or "run_dir" not in self.flags:
            return None
        return f"{self.train()} {self.flags['checkpoint']} {{checkpoint}}"


def _has_main_guard(tree: ast.Module) -> bool:
    return main_guard(tree) is not None


def _declared_flags(tree: ast.AST) -> set[str]:
    """Option strings passed to ``add_argument(...)`` / ``click.option(...)`` calls."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else (
                node.func.id if isinstance(node.func, ast.Name) else "")
            if name in ("add_argument", "option"):
                found.update(a.value for a in node.args
                             if isinstance(a, ast.Constant) and isinstance(a.value, str)
                             and a.value.startswith("--"))
    return found


def _flags_for(tree: ast.AST) -> dict[str, str]:
    declared = _declared_flags(tree)
    return {key: next(f for f in spellings if f in declared)
            for key, spellings in FLAGS.items() if any(f in declared for f in spellings)}


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def _candidates(root: Path) -> list[Path]:
    """``train*.py`` files, shallowest first, skipping environments and hidden folders."""
    found: list[Path] = []
    for path in root.rglob("train*.py"):
        rel = path.relative_to(root)
        if len(rel.parts) > _MAX_DEPTH or any(
                p.startswith(".") or p in _SKIP_DIRS for p in rel.parts[:-1]):
            continue
        found.append(rel)
    return sorted(found, key=lambda p: (len(p.parts), p.name != "train.py", str(p)))


def _script_entrypoint(root: Path, project: Mapping[str, object]) -> Entrypoint | None:
    scripts = project.get("scripts")
    if not isinstance(scripts, dict):
        return None
    for name, target in scripts.items():
        if "train" not in str(name).lower() or not isinstance(target, str):
            continue
        module = target.split(":")[0]
        flags: dict[str, str] = {}
        for base in (root, root / "src"):
            module_path = base.joinpath(*module.split(".")).with_suffix(".py")
            tree = _parse(module_path) if module_path.is_file() else None
            if tree is not None:
                flags = _flags_for(tree)
                break
        return Entrypoint(str(name), f"[project.scripts] {name}", flags)
    return None


def detect_entrypoint(root: Path,
                      pyproject: Mapping[str, object] | None = None) -> Entrypoint | None:
    """The training entrypoint of the project at ``root``, if one can be found."""
    for rel in _candidates(root):
        tree = _parse(root / rel)
        if tree is not None and _has_main_guard(tree):
            return Entrypoint(f"{{python}} {rel.as_posix()}", rel.as_posix(), _flags_for(tree))
    project = (pyproject or {}).get("project")
    return _script_entrypoint(root, project) if isinstance(project, dict) else None


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML for the characters we produce)."""
    return json.dumps(value)


def tool_section(entry: Entrypoint | None) -> str:
    """The ``[tool.mlready]`` text appended to pyproject.toml."""
    lines = [
        "",
        "[tool.mlready]",
        "# Static checks (`mlready check`, the pre-commit hooks). Select and ignore rules as in",
        '# ruff, e.g. extend-select = ["MLR9"] or ignore = ["MLR101"].',
        "",
        "[tool.mlready.runner]",
        "# How `mlready run` trains the project briefly (docs/runner-contract.md).",
    ]
    if entry is None:
        lines += [
            "# No training entrypoint found: set the command that trains, e.g.",
            '# train = "{python} train.py --max-steps {steps} --seed {seed} --out {run_dir}"',
        ]
    else:
        missing = [k for k in ("steps", "seed", "run_dir") if k not in entry.flags]
        lines.append(f"# Found {entry.source}.")
        if missing:
            names = ", ".join(f"{{{k}}}" for k in missing)
            lines.append(f"# No flag found for {names}: add it if the script has one.")
        lines.append(f"train = {_toml_string(entry.train())}")
        resume = entry.resume()
        if resume is not None:
            lines.append(f"resume = {_toml_string(resume)}")
    lines += [
        "steps = 20",
        "seed = 0",
        "timeout = 300",
        "# Loss from stdout; or call mlready.log_metrics(step=..., loss=...) and use \"jsonl\".",
        r"metrics = 'step[ =:]*(?P<step>\d+).*?loss[ =:]*(?P<loss>[-+0-9.eE]+|nan|inf)'",
        "",
    ]
    return "\n".join(lines)


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
    plain = re.fullmatch(r"[A-Za-z0-9._/-]+", branch) is not None
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
        try:
            merged = merge_pre_commit(path.read_text(encoding="utf-8"))
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
        path.write_text(merged, encoding="utf-8")
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

    def extend_pyproject(self) -> None:
        path = self.root / PYPROJECT
        if self._linked(PYPROJECT):
            return
        data: dict[str, object] = {}
        if path.exists():
            try:
                data = config.read_toml(path)
            except config.ConfigError as exc:  # bad TOML, too deep, too many digits: one line
                raise click.ClickException(str(exc)) from None
            tool = data.get("tool")
            if isinstance(tool, dict) and "mlready" in tool:
                click.echo("  kept       pyproject.toml ([tool.mlready] exists; left as is)")
                return
        entry = detect_entrypoint(self.root, data)
        section = tool_section(entry)
        if path.exists():
            if not (self.force or self._allowed("Append [tool.mlready] to pyproject.toml?",
                                                default=True)):
                click.echo("  kept       pyproject.toml")
                return
            current = path.read_text(encoding="utf-8")
            separator = "" if current.endswith("\n") or not current else "\n"
            path.write_text(current + separator + section, encoding="utf-8")
            verb = "appended"
        else:
            path.write_text(section.lstrip("\n"), encoding="utf-8")
            verb = "wrote"
        self.wrote.append(PYPROJECT.as_posix())
        found = f"; train command from {entry.source}" if entry else "; set `train` yourself"
        click.echo(f"  {verb:<10} pyproject.toml [tool.mlready]{found}")


@click.command("init")
@click.argument("directory", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Accept the defaults without asking "
                                                "(existing files are still kept).")
@click.option("--force", is_flag=True, help="Overwrite existing files without asking.")
def init(directory: Path, yes: bool, force: bool) -> int:
    """Add mlready's pre-commit hooks, CI workflow and [tool.mlready] to a project."""
    root = directory.resolve()
    click.echo(f"mlready init: {root}")
    writer = _Writer(root, yes=yes, force=force)
    writer.add_pre_commit()
    writer.add_workflow()
    writer.extend_pyproject()
    if writer.wrote:
        click.echo("Next: `pre-commit install`, then `mlready check` and `mlready run`.")
    return 0

