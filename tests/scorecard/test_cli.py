"""`mlready scorecard`: formats, exit codes, configuration, one-line input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlready.cli import main
from mlready.gpu_runner.results import Outcome

from .factories import check, diag, run

CHECK_JSON = {"schema_version": 1, "tool": "mlready", "kind": "check", "root": "/r",
              "files_checked": 1, "rules": ["MLR101", "MLR201"],
              "diagnostics": [diag("train.py", 5).to_json()], "metrics": {}, "errors": []}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "check.json").write_text(json.dumps(CHECK_JSON))
    report = run(check("smoke", series={"loss": [[1, 2.0], [2, 1.0]]}),
                 check("resume", Outcome.FAIL, "diverged"))
    (tmp_path / "run.json").write_text(json.dumps(report.to_json()))
    return tmp_path


def test_markdown_to_stdout(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scorecard", "--check", "check.json", "--run", "run.json",
                 "--marker", "<!-- mlready -->"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- mlready -->\n\n## ")
    assert "| `resume` | \u274c fail |" in out


@pytest.mark.parametrize("fmt", ["markdown", "summary", "json", "badge", "annotations", "sarif"])
def test_every_format_writes_its_file(files: Path, fmt: str) -> None:
    out = files / f"out.{fmt}"
    assert main(["scorecard", "--check", "check.json", "--format", fmt, "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8")


def test_json_then_base(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scorecard", "--check", "check.json", "--format", "json",
                 "-o", "base.json"]) == 0
    data = dict(CHECK_JSON, diagnostics=[])
    (files / "fixed.json").write_text(json.dumps(data))
    assert main(["scorecard", "--check", "fixed.json", "--base", "base.json"]) == 0
    assert "### Fixed in this PR (1)" in capsys.readouterr().out


def test_min_score(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scorecard", "--check", "check.json", "--min-score", "99"]) == 1
    assert "below the minimum 99" in capsys.readouterr().err
    assert main(["scorecard", "--check", "check.json", "--min-score", "10"]) == 0
    assert main(["scorecard", "--min-score", "10"]) == 1  # nothing measured


@pytest.mark.parametrize(("content", "message"), [
    (None, "missing.json: no such file"),
    ("{not json", "bad.json: invalid JSON at line 1"),
    ('{"kind": "run"}', 'bad.json: not a `mlready check --output-format json` file'),
    ('{"kind": "check", "schema_version": 7}', "bad.json: unsupported check schema_version 7"),
])
def test_input_errors_are_one_line_exit_2(files: Path, capsys: pytest.CaptureFixture[str],
                                          content: str | None, message: str) -> None:
    name = "missing.json" if content is None else "bad.json"
    if content is not None:
        (files / name).write_text(content)
    assert main(["scorecard", "--check", name]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_run_file(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "r.json").write_text('{"kind": "run", "schema_version": 1, "checks": [{}]}')
    assert main(["scorecard", "--run", "r.json"]) == 2
    assert "r.json: `checks[0].check` is missing" in capsys.readouterr().err


def test_config_min_score_and_weights(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "pyproject.toml").write_text(
        "[tool.mlready.scorecard]\nmin-score = 99\nweights = { documentation = 0 }\n")
    assert main(["scorecard", "--check", "check.json", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["categories"][-1]["weight"] == 0.0


@pytest.mark.parametrize(("toml", "message"), [
    ("colour = 1", "unknown key `tool.mlready.scorecard.colour`"),
    ("min-score = 120", "`tool.mlready.scorecard.min-score` must be between 0 and 100"),
    ("weights = { docs = 1 }", "unknown key `tool.mlready.scorecard.weights.docs`"),
    ('min-score = "high"', "`tool.mlready.scorecard.min-score` must be a number"),
])
def test_config_errors(files: Path, capsys: pytest.CaptureFixture[str], toml: str,
                       message: str) -> None:
    (files / "pyproject.toml").write_text(f"[tool.mlready.scorecard]\n{toml}\n")
    assert main(["scorecard", "--check", "check.json"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml: " in err and message in err


def test_base_and_base_ref_are_exclusive(files: Path) -> None:
    assert main(["scorecard", "--base", "a.json", "--base-ref", "main"]) == 2


def test_importing_the_scorecard_imports_neither_torch_nor_gitpython() -> None:
    code = ("import sys, mlready.scorecard.cli, mlready.scorecard.baseline, "
            "mlready.scorecard.diff, mlready.scorecard.render.markdown, "
            "mlready.scorecard.render.sarif, mlready.scorecard.render.annotations, "
            "mlready.scorecard.render.badge, mlready.scorecard.render.json; "
            "print(sorted(m for m in ('torch', 'git') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_base_ref_end_to_end(repo: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from mlready.hooks.engine import check as run_check
    from mlready.hooks.output.json_format import document
    from mlready.scorecard import baseline

    checkouts: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def counting_mkdtemp(*args: Any, **kwargs: Any) -> str:
        path = real_mkdtemp(*args, **kwargs)
        checkouts.append(path)
        return path

    monkeypatch.setattr(baseline.tempfile, "mkdtemp", counting_mkdtemp)
    head = repo.parent / "head.json"
    head.write_text(json.dumps(document(run_check([repo]))))
    args = ["scorecard", "--check", str(head), "--base-ref", "main", "--root", str(repo)]
    assert main([*args, "--format", "annotations"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::warning file=train.py,line=8,")  # on a changed line: first
    assert main([*args, "--format", "markdown"]) == 0
    assert "### New findings in this PR (1)" in capsys.readouterr().out
    # The base commit was checked out and checked once; the second format read it back
    # from the project's cache (as the Action's three formats do).
    assert len(checkouts) == 1
    assert len(list((repo / ".mlready_cache" / "bases").glob("*.json"))) == 1


def test_base_ref_that_cannot_be_resolved_warns_and_goes_on(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scorecard", "--base-ref", "nope", "--root", str(repo)]) == 0
    captured = capsys.readouterr()
    assert "no comparison with nope" in captured.err
    assert "fetch-depth: 0" in captured.err
    assert "## " in captured.out
