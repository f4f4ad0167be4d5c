"""The rule registry: an explicit list of rule modules, one rule per module.

A rule module defines ``CODE``, ``NAME``, ``KINDS`` (the file kinds it reads), a
module docstring with the sections What it does / Why is this bad? / Example /
Use instead (Options and References when they apply), and either

- ``check(ctx: FileContext) -> Iterable[Diagnostic]`` for a file-local rule, or
- ``collect(ctx: FileContext) -> facts`` plus ``finalize(project: ProjectContext)
  -> Iterable[Diagnostic]`` for a rule that needs cross-file facts.

Optional: ``DEFAULT = False`` keeps it out of the default selection (MLR9xx);
``OPTIONS`` a `mlready.config.Table` of its options under ``[tool.mlready.<family>]``;
``summarize(project: ProjectContext) -> dict`` for a cross-file rule whose collected
facts also make a metric: the result lands in ``mlready check --output-format json``
under ``"metrics": {<NAME>: ...}`` (must be JSON-serializable).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from mlready.config import Table
from mlready.hooks.context import Check, Collect, FileKind, Finalize, Summarize

# Module names under mlready.hooks.rules, in code order. Add new rules here.
# Each family keeps its own tuple so that families can grow independently.
SEEDS: tuple[str, ...] = (  # MLR0xx reproducibility
    "unseeded_python_random", "unseeded_numpy_random", "unseeded_torch_random",
    "unseeded_cuda_random", "unseeded_environment", "nondeterministic_training",
    "cudnn_benchmark_with_determinism", "unseeded_dataloader_workers",
)
HPARAMS: tuple[str, ...] = (  # MLR1xx hard-coded hyper-parameters
    "hardcoded_learning_rate", "hardcoded_batch_size", "hardcoded_training_length",
    "hardcoded_optimizer_hyperparameter", "hardcoded_lr_schedule", "hardcoded_rl_hyperparameter",
)
CONFIG_FILES: tuple[str, ...] = (  # MLR1xx config files
    "missing_config_file", "no_training_config", "duplicate_config_key",
)
DEPS: tuple[str, ...] = ("unpinned_requirement", "unpinned_vcs_requirement",  # MLR2xx deps
                         "missing_requirements_include", "unpinned_project_dependency",
                         "no_dependency_manifest", "unpinned_conda_dependency")
TYPES: tuple[str, ...] = ("missing_type_annotation",)  # MLR4xx typing
MISC: tuple[str, ...] = ("syntax_error",  # MLR000 engine, MLR3xx checkpoints, MLR5xx, ...
                         "unsafe_torch_load", "notebook_output",
                         "missing_readme", "readme_missing_usage",  # MLR6xx documentation
                         "undocumented_entrypoint", "missing_docstring")
RULE_MODULES: tuple[str, ...] = (*SEEDS, *HPARAMS, *CONFIG_FILES, *DEPS, *TYPES, *MISC)


@dataclass(frozen=True)
class Rule:
    """One registered rule: its metadata and the functions of its module."""

    code: str
    name: str
    kinds: frozenset[FileKind]
    doc: str
    module: ModuleType
    check: Check | None
    collect: Collect | None
    finalize: Finalize | None
    summarize: Summarize | None
    default: bool
    options: Table | None

    @property
    def summary(self) -> str:
        """The first line of the docstring's "What it does" text, for tables."""
        text = self.doc.split("## What it does", 1)[-1].strip()
        return text.split("\n\n", 1)[0].replace("\n", " ").strip()


def _load(name: str) -> Rule:
    module = importlib.import_module(f"{__name__}.{name}")
    get: Any = getattr
    return Rule(
        code=module.CODE,
        name=module.NAME,
        kinds=frozenset(module.KINDS),
        doc=module.__doc__ or "",
        module=module,
        check=get(module, "check", None),
        collect=get(module, "collect", None),
        finalize=get(module, "finalize", None),
        summarize=get(module, "summarize", None),
        default=get(module, "DEFAULT", True),
        options=get(module, "OPTIONS", None),
    )


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code."""
    return tuple(sorted((_load(name) for name in RULE_MODULES), key=lambda r: r.code))


def by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}
