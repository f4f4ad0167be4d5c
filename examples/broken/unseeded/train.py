"""BROKEN ON PURPOSE: --seed is ignored; torch and python random are seeded from the clock.

The good example's seed_everything is called with a seed taken from time.time_ns(), a
common "fresh seed every run" shortcut. Initial weights and dropout masks change from
run to run, so two runs with the same --seed give different losses and weights.
(Data order still follows --seed through the sampler, which the fault does not touch.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

# Reuse the good example (examples/charlm) unchanged; only the fault below differs.
GOOD = Path(__file__).resolve().parents[2] / "charlm"
sys.path.insert(0, str(GOOD))


def load_good_script(name: str) -> ModuleType:
    """Import examples/charlm/<name>.py as a module, so that its `main` can be reused."""
    spec = importlib.util.spec_from_file_location(f"good_{name}", GOOD / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

import time  # noqa: E402

from charlm import seeding  # noqa: E402


def seed_from_clock(seed: int, deterministic: bool = True) -> None:
    """BROKEN: the requested seed is discarded."""
    seeding.seed_everything(time.time_ns() % 2**32, deterministic=deterministic)


if __name__ == "__main__":
    good_train = load_good_script("train")
    good_train.seed_everything = seed_from_clock
    raise SystemExit(good_train.main())
