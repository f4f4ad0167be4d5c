"""A training entrypoint in a project with no configuration at all.

## What it does
Reports a script that trains (it has an ``if __name__ == "__main__":`` block and takes
optimizer steps, calls ``trainer.fit``/``trainer.train``, a ``train_one_epoch``-style
function or SB3's ``learn``) in a project that has no way to set hyper-parameters from
outside the code: no config file (YAML/JSON/TOML other than tool files such as
``.pre-commit-config.yaml`` or ``.github/``), no config class (``@dataclass``,
pydantic models), no config module (``config.py``, ``hparams.py``, ``settings.py``...
or a file under ``configs/``: its constants are the configuration) and no command-line
or environment parsing (argparse, click, typer, Hydra, OmegaConf, fire, tyro,
jsonargparse, simple-parsing, ml_collections, gin, absl flags, LightningCLI,
``HfArgumentParser``, ``sys.argv``, ``os.environ``...) anywhere in the project.

## Why is this bad?
Every experiment is an edit of the code: runs cannot be compared, swept or reproduced
from their logged settings, and the hyper-parameters are scattered wherever they are
used. The per-call rules (MLR101-MLR106) catch literals in known APIs; this one also
catches hyper-parameters kept in plain dicts or module globals.

## Example
```python
# train.py, the project's only script; no configs/, no argparse
params = {"lr": 3e-4, "epochs": 10}
if __name__ == "__main__":
    for epoch in range(params["epochs"]):
        train_one_epoch(model, loader, optimizer)
```

## Use instead
```python
@dataclass
class TrainConfig:
    lr: float = 3e-4
    epochs: int = 10

if __name__ == "__main__":
    cfg = tyro.cli(TrainConfig)  # or argparse, Hydra, a YAML file...
```

## Options
- ``include-tests`` (default false, under ``[tool.mlready.config]``): count test files.

Notebooks are exploratory and are neither entrypoints nor config sources here; test
files are neither either. Any config file, config class or parser anywhere in the
project is enough, however little it configures: this rule only reports projects with
none.

## References
- Checklist 000, "Configuration Management": all hyper-parameters in config
  files/dataclasses; easy to launch experiments with config variations.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.discovery import classify
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.hparams.literals import is_config_module
from mlready.hooks.syntax import main_guard
from mlready.hooks.training import trains

CODE = "MLR111"
NAME = "no-training-config"
KINDS = ("python",)

CONFIG_LIBRARIES = (
    "argparse", "click", "typer", "hydra", "omegaconf", "fire", "tyro", "jsonargparse",
    "simple_parsing", "ml_collections", "gin", "absl", "sacred", "pydantic",
    "pydantic_settings", "configargparse", "docopt", "yaml", "tomllib", "toml", "tomli",
    "mmengine", "mmcv", "dynaconf", "environs", "dotenv", "decouple", "attrs", "attr",
    "lightning.pytorch.cli", "pytorch_lightning.cli", "lightning.pytorch.utilities.cli",
    "transformers.HfArgumentParser", "getopt", "optparse", "configparser",
)
CONFIG_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.__getitem__"})
# Config-kind files that configure tools, not experiments.
TOOL_FILES = frozenset({
    ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "mkdocs.yml", "mkdocs.yaml",
    "codecov.yml", ".codecov.yml", "environment.yml", "environment.yaml",
    "docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml",
    "package.json", "package-lock.json", "tsconfig.json", "renovate.json", ".readthedocs.yml",
    ".readthedocs.yaml", "readthedocs.yml", "citation.cff", "dependabot.yml", "ruff.toml",
    ".ruff.toml", "mypy.toml", "pixi.toml", "uv.toml", "rust-toolchain.toml", "cargo.toml",
    "netlify.toml", "vercel.json", ".prettierrc.json", "mlready.toml",
})


def collect(ctx: FileContext) -> dict[str, Any] | None:
    if ctx.tree is None or ctx.notebook:
        return None
    if not ctx.options.get("include-tests", False) and is_test_path(ctx.path):
        return None
    facts: dict[str, Any] = {"config": _config_source(ctx), "main": _main_line(ctx.tree),
                             "trains": 0}
    if facts["main"] and not facts["config"]:
        facts["trains"] = _training_line(ctx)
    return facts


def _config_source(ctx: FileContext) -> str:
    """Why this file makes the project configurable, or "" when it does not.

    Cheap tests first (the imported top-level packages, substrings of the source):
    most files pass none, and for them no name is resolved.
    """
    if is_config_module(ctx.path):
        return "a config module"
    source = ctx.source
    imported = {target.partition(".")[0] for target in ctx.resolver.aliases.values()}
    for library in CONFIG_LIBRARIES:
        if library.partition(".")[0] in imported and ctx.resolver.imports(library):
            return f"imports {library}"
    if "dataclass" in source or "define" in source:
        for decorator in _decorators(ctx):
            if (ctx.resolver.qualname(decorator) or "").endswith(("dataclass", "define")):
                return "a dataclass"
    if "argv" in source or "environ" in source:
        for node in ctx.nodes(ast.Attribute):
            if node.attr in ("argv", "environ") and ctx.resolver.qualname(node) in (
                    "sys.argv", "os.environ"):
                return f"reads {node.attr}"
    if "getenv" in source or "environ" in source:
        for call in ctx.nodes(ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in ("getenv", "get") \
                    and ctx.resolver.qualname(func) in CONFIG_CALLS:
                return "reads the environment"
    return ""


def _decorators(ctx: FileContext) -> Iterator[ast.expr]:
    for node in ctx.nodes(ast.ClassDef):
        yield from node.decorator_list


def _main_line(tree: ast.Module) -> int:
    guard = main_guard(tree)
    return guard.lineno if guard is not None else 0


def _training_line(ctx: FileContext) -> int:
    """The first call that trains: an optimizer step, ``trainer.fit``/``.train()``..."""
    return next((call.lineno for call in ctx.nodes(ast.Call) if trains(call)), 0)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if any(facts.get("config") for facts in project.facts.values()):
        return
    if any(_experiment_config(path) for path in project.files):
        return
    for path, facts in sorted(project.facts.items()):
        if facts.get("main") and facts.get("trains"):
            yield Diagnostic(
                path, int(facts["main"]), 1, CODE,
                f"`{posixpath.basename(path)}` trains (line {facts['trains']}), but the project "
                "has no config file, config class or command-line options",
                fix="move the hyper-parameters into a config (a dataclass, a YAML file or "
                    "argparse options) and read them at startup")


def _experiment_config(path: str) -> bool:
    """A config-kind file that is not a tool's own configuration."""
    if classify(path) != "config":
        return False
    parts = path.split("/")
    if any(part.startswith(".") for part in parts[:-1]) or is_test_path(path):
        return False
    return parts[-1].lower() not in TOOL_FILES
