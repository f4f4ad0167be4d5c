"""MLR301 and MLR501: messages, and the git-attributes cases the fixtures cannot show."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from project_files import write

from mlready.hooks.context import FileContext
from mlready.hooks.engine import check
from mlready.hooks.rules.checkpoints import unsafe_torch_load
from mlready.hooks.rules.notebooks import notebook_output
from mlready.hooks.settings import Overrides


def torch_load(source: str) -> list[str]:
    ctx = FileContext.from_source("train.py", source)
    return [f"{d.line}:{d.col}-{d.end_col} {d.message}" for d, _ in unsafe_torch_load.findings(ctx)]


def test_torch_load_messages_name_the_call_as_written() -> None:
    assert torch_load("import torch as T\nstate = T.load(p)\nT.load(p, weights_only=False)\n") == [
        "2:9-18 `T.load(...)` without `weights_only=True` can run code hidden in the checkpoint",
        "3:1-30 `T.load(..., weights_only=False)` unpickles arbitrary objects: loading can run "
        "code",
    ]


def test_torch_load_needs_torch_imported() -> None:
    assert torch_load("def load(p): ...\nload(p)\npickle_like.load(p)\n") == []
    assert torch_load("import numpy as np\nnp.load(p)\n") == []


def test_weights_only_true_after_a_splat_is_still_safe() -> None:
    assert torch_load("import torch\ntorch.load(p, **kw, weights_only=True)\n") == []


def notebook(cells: list[dict[str, Any]], metadata: dict[str, Any] | None = None) -> str:
    return json.dumps({"cells": cells, "metadata": metadata or {}, "nbformat": 4,
                       "nbformat_minor": 5})


def code(outputs: int = 0, count: int | None = None, **metadata: Any) -> dict[str, Any]:
    stream = {"output_type": "stream", "name": "stdout", "text": ["x\n"]}
    return {"cell_type": "code", "execution_count": count, "metadata": metadata,
            "outputs": [stream] * outputs, "source": ["print(1)\n"]}


MARKDOWN = {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]}


def run(tmp_path: Path, files: dict[str, str], in_git: bool = False) -> list[str]:
    root = write(tmp_path / "proj", files)
    if in_git:  # the notebooks stay untracked: `git add` would run the filter on them
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    report = check([root], Overrides(select=["MLR501"], no_cache=True), jobs=1)
    assert report.errors == ()
    return [f"{d.location} {d.message} | {d.fix}" for d in report.diagnostics]


def test_notebook_output_points_at_the_first_dirty_cell(tmp_path: Path) -> None:
    text = notebook([MARKDOWN, code(), code(outputs=2, count=3), code(count=4)])
    assert run(tmp_path, {"nb/explore.ipynb": text}) == [
        "nb/explore.ipynb:cell 3:1:1 `explore.ipynb`: notebook is committed with outputs in "
        "1 cell and execution counts in 2 cells | run `nbstripout nb/explore.ipynb`, then "
        "`nbstripout --install --attributes .gitattributes` or add the nbstripout pre-commit hook",
    ]


def test_a_stripped_notebook_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path, {"a.ipynb": notebook([MARKDOWN, code(), code()])}) == []


@pytest.mark.parametrize("attributes", [
    ("*.ipynb filter=nbstripout\n"),
    ("nb/*.ipynb filter=nbstripout diff=ipynb\n"),
    ("/nb/explore.ipynb  filter=nbstripout\n"),
    ("**/*.ipynb filter=nbstripout\n"),
])
def test_the_nbstripout_git_filter_strips_on_commit(tmp_path: Path, attributes: str) -> None:
    files = {"nb/explore.ipynb": notebook([code(outputs=1, count=1)]),
             ".gitattributes": attributes}
    assert run(tmp_path, files, in_git=True) == []


def test_the_filter_in_the_clone_attributes_counts_too(tmp_path: Path) -> None:
    files = {"a.ipynb": notebook([code(outputs=1, count=1)]),
             ".git/info/attributes": "*.ipynb filter=nbstripout\n"}
    assert run(tmp_path, files, in_git=True) == []


def test_other_filters_and_comments_do_not_count(tmp_path: Path) -> None:
    files = {"a.ipynb": notebook([code(outputs=1)]),
             ".gitattributes": "# *.ipynb filter=nbstripout\n*.ipynb filter=lfs\n"
                               "other/*.ipynb filter=nbstripout\n"}
    assert len(run(tmp_path, files, in_git=True)) == 1


@pytest.mark.parametrize(("metadata", "kept"), [
    ({"keep_output": True}, True),
    ({"keep_output": False}, False),
    ({"tags": ["keep_output"]}, True),
    ({"init_cell": True}, True),
    ({"init_cell": False, "keep_output": True}, False),  # init_cell decides, as in nbstripout
    ({}, False),
])
def test_keep_output_follows_nbstripout(metadata: dict[str, Any], kept: bool) -> None:
    ctx = FileContext(path="a.ipynb", kind="notebook", source="",
                      data=json.loads(notebook([code(outputs=1, **metadata)])))
    assert (notebook_output.collect(ctx) is None) is kept


def test_notebook_level_keep_output_is_the_default() -> None:
    data = json.loads(notebook([code(outputs=1), code(outputs=1, keep_output=False)],
                               {"keep_output": True}))
    ctx = FileContext(path="a.ipynb", kind="notebook", source="", data=data)
    facts = notebook_output.collect(ctx)
    assert facts is not None
    assert "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391" in facts.pop("blobs")  # git's empty blob
    assert facts == {"cell": 2, "outputs": 1, "counts": 0}
