"""The rule registry: an explicit list of rule modules, one rule per module.

A rule module defines ``CODE``, ``NAME``, ``KINDS`` (the file kinds it reads), a
module docstring with the sections What it does / Why is this bad? / Example /
Use instead (Options and References when they apply), and either

- ``check(ctx: FileContext) -> Iterable[Diagnostic]`` for a file-local rule, or
- ``collect(ctx: FileContext) -> facts`` plus ``finalize(project: ProjectContext)
  -> Iterable[Diagnostic]`` for a rule that needs cross-file facts.

and ``SEVERITY``, one of `SEVERITIES`: ``"error"`` for reproducibility, correctness
and security, ``"warning"`` for hygiene, ``"note"`` for style. It sets the annotation
level (``github``), the SARIF ``level``, the order of the scorecard's failing items,
the summary line and what ``--fail-on`` counts. Write it right after ``CODE``.

Optional: ``DEFAULT = False`` keeps it out of the default selection, as ruff keeps its
``ANN`` rules: any selector that covers it (its family, a code prefix, its code or
name) turns it on (MLR401, MLR603); ``EXPLICIT = True`` also asks for its own code or
name, or ``ALL`` (an opinionated MLR9xx rule, which its family's hook must not run);
``OPTIONS`` a `mlready.config.Table` of its options under ``[tool.mlready.<family>]``;
``summarize(project: ProjectContext) -> dict`` for a cross-file rule whose collected
facts also make a metric: the result lands in ``mlready check --output-format json``
under ``"metrics": {<NAME>: ...}`` (must be JSON-serializable).

A rule reports only on paths of a kind it declares (its ``KINDS``; a notebook is read
as ``python`` and ``notebook``; a file of no kind, such as ``.gitignore``, a README or a
committed checkpoint, is ``other`` when a run names it, and is never opened), or on the
project root ``.``, which only a check of the whole project shows. So a run whose named
files are all of other kinds neither imports nor runs the rule (`reading`); the fixture
test holds every rule to this.

``finalize`` reads the disk beyond the facts only through ``project.disk``
(`mlready.hooks.probes`), so that a remembered run (`mlready.hooks.memo`) sees the
change. Metadata (code, name, family, kinds, which functions exist) is read from the
generated `mlready.hooks.rules._index`, so that choosing rules imports none of them.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mlready.records import NamedTuple

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from mlready.config import Table
    from mlready.hooks.context import Check, Collect, Finalize, Summarize
    from mlready.hooks.model import FileKind

# The registry: family -> its rule modules, in code order. A family is a folder
# (`mlready/hooks/rules/<family>/`), a selector (``--select seeds``) and an options
# table (``[tool.mlready.<family>]``). After adding a rule or a family here, run
# ``python -m mlready.dev generate`` (the index, the README tables, the hook table).
FAMILIES: dict[str, tuple[str, ...]] = {
    "seeds": (  # MLR0xx reproducibility
        "unseeded_python_random", "unseeded_numpy_random", "unseeded_torch_random",
        "unseeded_cuda_random", "unseeded_environment", "nondeterministic_training",
        "cudnn_benchmark_with_determinism", "unseeded_dataloader_workers",
        "unseeded_eval_environment", "eval_on_training_environment",
        "same_seed_vector_environments", "normalizer_stats_not_saved",
    ),
    "hparams": (  # MLR101-MLR106 hard-coded hyper-parameters
        "hardcoded_learning_rate", "hardcoded_batch_size", "hardcoded_training_length",
        "hardcoded_optimizer_hyperparameter", "hardcoded_lr_schedule",
        "hardcoded_rl_hyperparameter",
    ),
    "config": (  # MLR110-MLR112 config files
        "missing_config_file", "no_training_config", "duplicate_config_key",
    ),
    "deps": (  # MLR2xx dependencies
        "unpinned_requirement", "unpinned_vcs_requirement", "missing_requirements_include",
        "unpinned_project_dependency", "no_dependency_manifest", "unpinned_conda_dependency",
    ),
    "checkpoints": (  # MLR3xx checkpoints and serialization
        "unsafe_torch_load", "checkpoint_without_optimizer_state", "whole_module_torch_save",
        "unsafe_deserialization", "resume_without_rng_state",
    ),
    "types": ("missing_type_annotation",),  # MLR4xx typing
    "notebooks": ("notebook_output",),  # MLR5xx notebooks
    "docs": (  # MLR6xx documentation, and MLR901 (opinionated: off by default)
        "missing_readme", "readme_missing_usage", "undocumented_entrypoint",
        "missing_docstring",
    ),
    "training": (  # MLR7xx the training loop
        "eval_without_no_grad", "deprecated_amp_api", "loss_accumulated_with_graph",
        "step_without_zero_grad", "eval_in_train_mode", "train_in_eval_mode",
        "dataloader_without_workers", "dataloader_without_pin_memory", "data_parallel",
    ),
    "logging": (  # MLR8xx logging and experiment tracking
        "print_only_progress", "no_experiment_tracker", "hparams_not_logged",
        "code_version_not_logged",
    ),
    "repo": (  # MLR610-MLR615 repository hygiene (MLR601-603 stay in docs)
        "secret_in_code", "gitignore_missing_outputs", "large_artifact_committed",
        "hardcoded_user_path", "no_tests", "no_ci",
    ),
}
# Rules outside every family, about mlready itself rather than a concern. MLR000 is
# always on, whatever ``select`` and ``ignore`` say (as ruff reports a syntax error under
# any selection): a file that does not parse is seen by no other rule, so silencing its
# report would hide the file. MLR900 (`unused-noqa`) is off by default: only its code,
# name or ALL turn it on, as ruff's RUF100; the engine runs it after suppression (it has
# no `check`: it judges the findings of the other rules).
CORE: tuple[str, ...] = ("syntax_error", "unused_noqa")  # MLR000, MLR900
CORE_FAMILY = "core"
UNUSED_NOQA = "MLR900"  # `unused_noqa.CODE`, for the engine without importing the rule
RULE_MODULES: tuple[str, ...] = (
    *CORE, *(f"{family}.{name}" for family, names in FAMILIES.items() for name in names))
PARTS = ("check", "collect", "finalize", "summarize")  # the functions a rule module may define
# A rule's SEVERITY, most severe first: the order in which findings are counted and shown.
SEVERITIES: tuple[str, ...] = ("error", "warning", "note")


class Rule(NamedTuple):
    """One registered rule: its metadata, and (loaded on first use) its module.

    The metadata comes from `mlready.hooks.rules._index`, generated from the modules,
    so that settings, selection and a run answered from the cache import no rule
    module at all; ``check``, ``collect`` and the rest import it when first read.
    A named tuple, not a dataclass: every hook run defines it, and pays for it.
    """

    code: str
    name: str
    family: str
    kinds: frozenset[FileKind]
    default: bool
    parts: frozenset[str]  # which of `PARTS` the module defines
    module_name: str
    severity: str = "warning"  # one of `SEVERITIES` (registry rules always say which)
    explicit: bool = False  # off by default, and only its own code, name or ALL enable it

    @property
    def cross(self) -> bool:
        """Whether the rule needs the whole project (it collects facts or finalizes)."""
        return "collect" in self.parts or "finalize" in self.parts

    @property
    def collects(self) -> bool:
        return "collect" in self.parts

    @property
    def module(self) -> ModuleType:
        module = _LOADED.get(self.module_name)
        if module is None:
            try:
                module = importlib.import_module(self.module_name)
            except Exception as exc:  # a broken installation: one line, not a traceback
                raise RuleLoadError(f"{type(exc).__name__}: {exc}") from exc
            _LOADED[self.module_name] = module
        return module

    def _part(self, name: str) -> Any:
        return getattr(self.module, name, None) if name in self.parts else None

    @property
    def check(self) -> Check | None:
        return self._part("check")  # type: ignore[no-any-return]

    @property
    def collect(self) -> Collect | None:
        return self._part("collect")  # type: ignore[no-any-return]

    @property
    def finalize(self) -> Finalize | None:
        return self._part("finalize")  # type: ignore[no-any-return]

    @property
    def summarize(self) -> Summarize | None:
        return self._part("summarize")  # type: ignore[no-any-return]

    @property
    def options(self) -> Table | None:
        """The family's options table: ``rules/<family>/options.py``, read without
        importing the rule (settings validation must stay cheap); a module from outside
        the registry (a test's) may carry its own ``OPTIONS``."""
        if not self.module_name.startswith(f"{__name__}."):
            return getattr(self.module, "OPTIONS", None)
        return family_options(self.family)

    @property
    def doc(self) -> str:
        return self.module.__doc__ or ""

    @property
    def summary(self) -> str:
        """The first line of the docstring's "What it does" text, for tables."""
        text = self.doc.split("## What it does", 1)[-1].strip()
        return text.split("\n\n", 1)[0].replace("\n", " ").strip()


class RuleLoadError(Exception):
    """A rule module that cannot be imported (a missing dependency, a damaged install)."""


# Rule modules by import name, once loaded (and tests' own rule modules, which no
# import could find: `from_module` registers them).
_LOADED: dict[str, ModuleType] = {}


def family_of_module(module: ModuleType) -> str:
    """A module's ``FAMILY`` if set, else the family folder it lives in; ``core`` for
    the registry's `CORE` modules; ``other`` for a module from nowhere (tests' own)."""
    explicit = getattr(module, "FAMILY", None)
    if isinstance(explicit, str):
        return explicit
    parts = module.__name__.split(".")
    if parts[:-2] == __name__.split(".") and parts[-2] in FAMILIES:
        return parts[-2]
    if parts[:-1] == __name__.split(".") and parts[-1] in CORE:
        return CORE_FAMILY
    return "other"


def from_module(module: ModuleType) -> Rule:
    """A rule read from a loaded module (the index generator, and tests' own rules).

    Raises `ValueError` (naming the module) for a missing or unknown ``SEVERITY``: every
    rule says how severe its findings are, read the same way for every rule."""
    severity = getattr(module, "SEVERITY", None)
    if severity not in SEVERITIES:
        choices = " | ".join(f'"{s}"' for s in SEVERITIES)
        found = "no SEVERITY" if severity is None else f"SEVERITY = {severity!r}"
        raise ValueError(f"{module.__name__}: {found}; write `SEVERITY = {choices}` "
                         "after CODE")
    explicit = bool(getattr(module, "EXPLICIT", False))
    _LOADED[module.__name__] = module  # already loaded: never import it by name
    return Rule(
        code=module.CODE,
        name=module.NAME,
        family=family_of_module(module),
        kinds=frozenset(module.KINDS),
        default=bool(getattr(module, "DEFAULT", True)) and not explicit,
        parts=frozenset(p for p in PARTS if getattr(module, p, None) is not None),
        module_name=module.__name__,
        severity=severity,
        explicit=explicit,
    )


def family_options(family: str) -> Table | None:
    """``OPTIONS`` of ``rules/<family>/options.py``, if the index lists the family."""
    from mlready.hooks.rules._index import OPTION_FAMILIES

    if family not in OPTION_FAMILIES:
        return None
    module = importlib.import_module(f"{__name__}.{family}.options")
    return module.OPTIONS  # type: ignore[no-any-return]


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code (from the index: no rule module is imported)."""
    from mlready.hooks.rules._index import RULES

    return tuple(Rule(code, name, family, frozenset(kinds),  # type: ignore[arg-type]
                      default == "on", frozenset(parts), f"{__name__}.{module}",
                      severity, default == "explicit")
                 for module, code, name, severity, family, kinds, default, parts in RULES)


def selection_state(rule: Rule) -> str:
    """How a rule is selected, as the index writes it: ``on`` (the default selection),
    ``off`` (any selector that covers it) or ``explicit`` (its own code or name, ALL)."""
    return "explicit" if rule.explicit else ("on" if rule.default else "off")


def kinds_read(rules: Iterable[Rule]) -> frozenset[FileKind]:
    """The context kinds at least one of ``rules`` reads: which files a pass must open."""
    return frozenset(kind for rule in rules for kind in rule.kinds)


def reading(rules: Iterable[Rule], kinds: Collection[FileKind]) -> tuple[Rule, ...]:
    """The ``rules`` that read at least one of the context ``kinds``: the only ones that
    can report on a file of those kinds, so the only ones a pass over such files needs
    to import and run (a run over one Python file needs no requirements rule)."""
    return tuple(rule for rule in rules if not rule.kinds.isdisjoint(kinds))


def by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


def index_source() -> str:
    """The text of `mlready.hooks.rules._index`, from the rule modules themselves."""
    rules = sorted((from_module(importlib.import_module(f"{__name__}.{name}"))
                    for name in RULE_MODULES), key=lambda r: r.code)
    from importlib.util import find_spec  # the generator only: no hook run pays for it

    with_options = tuple(family for family in FAMILIES
                         if find_spec(f"{__name__}.{family}.options") is not None)
    for rule in rules:  # a rule's options are its family's: one table, one place
        own = getattr(importlib.import_module(rule.module_name), "OPTIONS", None)
        if own is not None and own is not family_options_of(rule.family, with_options):
            raise ValueError(f"{rule.module_name}: OPTIONS must be `{rule.family}.options.OPTIONS`")
    lines = [
        '"""The metadata of every rule, generated from the rule modules: do not edit.',
        "",
        "Regenerate with ``python -m mlready.dev generate`` (a test fails when this file",
        "is stale). Reading it costs nothing, so choosing rules, validating settings and",
        "answering a run from the cache import no rule module.",
        '"""',
        "",
        "# families whose options table is rules/<family>/options.py (OPTIONS)",
        f"OPTION_FAMILIES: tuple[str, ...] = {_literal(with_options)}",
        "",
        "# module, code, name, severity, family, kinds, default (on, off or explicit),",
        "# functions defined",
        "RULES: tuple[tuple[str, str, str, str, str, tuple[str, ...], str, tuple[str, ...]],"
        " ...] = (",
    ]
    for rule in rules:
        module = rule.module_name.removeprefix(f"{__name__}.")
        kinds = tuple(sorted(rule.kinds))
        parts = tuple(p for p in PARTS if p in rule.parts)
        row = (module, rule.code, rule.name, rule.severity, rule.family, kinds,
               selection_state(rule), parts)
        lines.append(f"    {_literal(row)},")
    lines.append(")")
    return "\n".join(lines) + "\n"


def family_options_of(family: str, with_options: tuple[str, ...]) -> Table | None:
    if family not in with_options:
        return None
    return importlib.import_module(f"{__name__}.{family}.options").OPTIONS  # type: ignore[no-any-return]


def _literal(value: object) -> str:
    """``repr`` with double quotes (the index holds identifiers only: no quotes inside)."""
    return repr(value).replace("'", '"')
