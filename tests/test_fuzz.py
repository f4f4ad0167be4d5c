"""A bounded fuzz run over every parser of user or untrusted data, on every CI run.

The targets and strategies are those of ``bench/fuzz.py`` (``--minutes N`` for a long
run); here each target gets a few dozen inputs, so the suite notices a parser that
starts to crash, hang or print a traceback for input a user or a pull request controls.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parents[1]


def _fuzz_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mlready_bench_fuzz", ROOT / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz_module()


@pytest.mark.parametrize("name", sorted(fuzz.TARGETS))
def test_no_input_crashes_or_hangs(name: str) -> None:
    target = fuzz.TARGETS[name]

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])
    @given(target.strategy())
    @pytest.mark.timeout(120)
    def run(value: Any) -> None:
        target.run(value)

    run()
