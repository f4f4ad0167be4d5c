"""The runner's checks, in the order they run (which is also the order runs start).

Each check is one module that declares itself at its top (`_declaration` lists what:
``ID``, ``TITLE``, ``NEEDS``, ``CATEGORY``, ``REASONS``, ...) and defines
``check(session) -> CheckResult``. The modules of this package not starting with ``_``
are the checks, in the order of their ``ORDER``: adding a check is that module, its
test and its fixture; the plan, the session, the scorecard and the generated docs
(``python -m mlready.gpu_runner.checks --write``) read the declarations.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType

from mlready.gpu_runner import plan
from mlready.gpu_runner.checks._declaration import (
    Check,
    DeclarationError,
    Option,
    Reason,
    declare,
)
from mlready.gpu_runner.plan import RunId, RunSpec

__all__ = ["IDS", "OPTIONS", "REGISTRY", "RUNS", "Check", "DeclarationError", "Option",
           "Reason", "by_id"]



def _discover() -> tuple[Check, ...]:
    """Every check module of this package, declared, in ``ORDER``."""
    found = [declare(importlib.import_module(f"{__name__}.{info.name}"))
             for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    return tuple(sorted(found, key=lambda c: c.order))


REGISTRY: tuple[Check, ...] = _discover()
IDS: tuple[str, ...] = tuple(c.id for c in REGISTRY)


def _runs() -> Mapping[RunId, RunSpec]:
    runs = dict(plan.RUNS)
    for check in REGISTRY:
        for spec in check.runs:
            if spec.id in runs:
                raise DeclarationError(f"{check.module} declares run `{spec.id}`, which "
                                       "already exists")
            runs[spec.id] = spec
    return MappingProxyType(runs)


def _options() -> Mapping[str, Option]:
    options: dict[str, Option] = {}
    for check in REGISTRY:
        for key, option in check.options.items():
            if key in options:
                raise DeclarationError(f"{check.module} declares option `{key}` twice")
            options[key] = option
    return MappingProxyType(options)


RUNS = _runs()  # every run a check can ask the session for
OPTIONS = _options()  # config keys the checks declare (validated with the rest of the config)


def by_id(check_id: str) -> Check:
    return REGISTRY[IDS.index(check_id)]
