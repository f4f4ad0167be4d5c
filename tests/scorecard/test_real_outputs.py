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
