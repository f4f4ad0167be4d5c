"""A cross-file rule's kept result is reused while its facts are unchanged; a notebook's
cells are not among its facts (a markdown cell adds no code), so a reused finding must be
placed in the notebook's cells as they are now, not as they were when it was kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.hooks import engine
from mlready.hooks.settings import Overrides

Make = Callable[[dict[str, str | bytes]], Path]
CODE = ["import torch\n", "x = torch.randn(3)\n", "for i in range(3):\n",
        "    loss = x.sum()\n", "    loss.backward()\n", "    opt.step()\n",
        "    print(loss)\n"]


def notebook(markdown_first: bool) -> str:
    cells: list[dict[str, object]] = [{"cell_type": "code", "metadata": {}, "outputs": [],
                                       "execution_count": None, "source": CODE}]
    if markdown_first:
        cells.insert(0, {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture(autouse=True)
def stable_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache salt includes the stat of the rule sources (see test_cache.py)."""
    monkeypatch.setattr(engine, "_sources", list)


def placed(root: Path, no_cache: bool) -> list[tuple[str, int | None, int]]:
    flags = Overrides(select=["MLR003", "MLR801"], no_cache=no_cache)
    report = engine.check([root / "train.ipynb"], flags)
    assert report.errors == ()
    return sorted((d.code, d.cell, d.line) for d in report.diagnostics)


def test_a_markdown_cell_inserted_moves_the_reused_findings(project: Make) -> None:
    root = project({"train.ipynb": notebook(markdown_first=False), "util.py": "x = 1\n"})
    before = placed(root, no_cache=False)
    assert [cell for _, cell, _ in before] == [1, 1]  # both rules report, in cell 1
    (root / "train.ipynb").write_text(notebook(markdown_first=True), encoding="utf-8")
    fresh = placed(root, no_cache=True)
    assert [cell for _, cell, _ in fresh] == [2, 2]
    assert placed(root, no_cache=False) == fresh
