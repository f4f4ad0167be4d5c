"""The scorecard of real outputs: `mlready check` and `mlready run` on examples/charlm.

The two JSON files in data/ were written by the real halves (regenerate with
``mlready check --output-format json`` and ``mlready run . --output`` in
examples/charlm); this keeps the scorecard honest about the shapes they really write.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

import mlready.scorecard
from mlready.cli import main

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((Path(mlready.scorecard.__file__).parent / "scorecard.schema.json")
                    .read_text(encoding="utf-8"))


def test_real_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["scorecard", "--check", str(DATA / "charlm-check.json"),
            "--run", str(DATA / "charlm-run.json")]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["level"] == "nearly-ready"  # documentation is not measured yet
    assert {c["check"] for c in data["checks"]} == {
        "smoke", "checkpoint", "eval", "reproducibility", "resume", "distributed"}
    assert main([*args, "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert "| `distributed` | \u2796 not applicable |" in text
    assert "```mermaid\nxychart-beta\n" in text
    assert "steps/s 1.721 \u00b7 peak RSS 299.3 MiB" in text
    assert "`accuracy` 0.7408" in text


def test_a_project_of_scripts_with_tests_passes_the_no_tests_item(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No pyproject.toml or setup.cfg (a folder of scripts, as many research repos are):
    # MLR614 still reads the project, so its tests earn the item instead of it being
    # "not applicable" (and a project without tests loses it).
    root = tmp_path / "scripts"
    (root / "tests").mkdir(parents=True)
    (root / "train.py").write_text("print('training')\n", encoding="utf-8")
    (root / "tests" / "test_train.py").write_text("def test_it():\n    pass\n",
                                                   encoding="utf-8")
    for case, status in ((root, "pass"), (None, "fail")):
        if case is None:
            (root / "tests" / "test_train.py").unlink()
            (root / "tests").rmdir()
        main(["check", str(root), "--no-cache", "--output-format", "json"])
        (tmp_path / "check.json").write_text(capsys.readouterr().out, encoding="utf-8")
        assert main(["scorecard", "--check", str(tmp_path / "check.json"),
                     "--format", "json"]) == 0
        card = json.loads(capsys.readouterr().out)
        items = {i["id"]: i["status"] for c in card["categories"] for i in c["items"]}
        assert items["MLR614"] == status, items
