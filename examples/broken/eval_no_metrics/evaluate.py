"""BROKEN ON PURPOSE: evaluation computes metrics, prints them, and writes an empty file.

The good example's evaluation runs unchanged, but the results only reach stdout; the
--output file is created and left empty (the json.dump was lost in a refactor), so a
tool that reads the metrics file finds nothing to compare against thresholds.
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

from charlm import evaluation  # noqa: E402


def write_nothing(metrics: dict[str, float], output: Path) -> None:
    """BROKEN: creates the file but never writes the metrics into it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.touch()


evaluation.write_metrics = write_nothing

if __name__ == "__main__":
    good_evaluate = load_good_script("evaluate")
    good_evaluate.write_metrics = write_nothing
    raise SystemExit(good_evaluate.main())
