"""Untrusted JSON inputs: every bad file is one line naming it, and exit code 2.

The report job renders artifacts a pull request can shape (the check JSON, the run
JSON, the base branch's scorecard JSON). A traceback exits 1, which the Action reads as
"below min-score", so each case here goes through the real CLI on a real file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlready.cli import main
from mlready.scorecard.inputs import MAX_BYTES, InputError, read_json
from mlready.scorecard.render import json as card_json

from .factories import all_passing_run, card, check, diag, run, static

CHECK: dict[str, Any] = {
    "schema_version": 1, "tool": "mlready", "kind": "check", "root": "/r",
    "files_checked": 1, "rules": ["MLR101"], "file_kinds": {"python": 1},
    "diagnostics": [diag("train.py", 5).to_json()], "metrics": {}, "errors": [],
}
RUN: dict[str, Any] = run(check("smoke", series={"loss": [[1, 2.0], [2, 1.0]]},
                                metrics={"steps_per_s": 2.0, "peak_rss_mb": 10.0})).to_json()
DIAG = diag("train.py", 5).to_json()


def _text(data: dict[str, Any], old: str, new: str) -> str:
    text = json.dumps(data)
    assert old in text
    return text.replace(old, new, 1)


def _with_check(**fields: Any) -> dict[str, Any]:
    return dict(RUN, checks=[dict(RUN["checks"][0], **fields)])


def _base() -> dict[str, Any]:
    return card_json.to_json(card(static(diag()), all_passing_run()))


# (option, file content, what the one line must say)
CASES: list[tuple[str, str, str]] = [
    ("--check", _text(CHECK, '"line": 5', '"line": Infinity'), "Infinity is not valid JSON"),
    ("--check", _text(CHECK, '"line": 5', '"line": -Infinity'), "-Infinity is not valid JSON"),
    ("--check", _text(CHECK, '"line": 5', '"line": NaN'), "NaN is not valid JSON"),
    ("--check", _text(CHECK, '"line": 5', '"line": 1e400'), "number 1e400 is out of range"),
    ("--check", _text(CHECK, '"line": 5', '"line": 1' + "0" * 5000),
     "integer of 5001 digits is out of range"),
    ("--check", json.dumps(dict(CHECK, diagnostics=[dict(DIAG, cell=1), dict(DIAG, cell="2")])),
     "`diagnostics[1].cell` must be integer or null, not string"),
    ("--check", json.dumps(dict(CHECK, diagnostics=[dict(DIAG, path=["a"])])),
     "`diagnostics[0].path` must be string, not array"),
    ("--check", json.dumps(dict(CHECK, diagnostics=[{"path": "a.py"}])),
     "`diagnostics[0].line` is missing"),
    ("--check", json.dumps(dict(CHECK, diagnostics={"a": 1})), "`diagnostics` must be array"),
    ("--check", json.dumps(dict(CHECK, metrics=[1])), "`metrics` must be object, not array"),
    ("--check", json.dumps(dict(CHECK, errors=[1])), "`errors[0]` must be string or object"),
    ("--check", json.dumps(dict(CHECK, rules=[{"code": 5}])), "`rules[0].code` must be string"),
    ("--check", json.dumps(dict(CHECK, file_kinds={"python": True})),
     "`file_kinds.python` must be integer, not boolean"),
    ("--check", json.dumps(dict(CHECK, files_checked=-1)), "`files_checked` must be at least 0"),
    ("--check", json.dumps(dict(CHECK, schema_version=True)),
     "`schema_version` must be 1"),  # True == 1 in Python, not in JSON
    ("--check", '{"kind": "check", "schema_version": 1, "metrics": ' + "[" * 100_000
     + "]" * 100_000 + "}", "invalid JSON: nested too deeply"),
    ("--check", '{"kind": "check", "schema_version": 1, "metrics": {"x": ' + "[" * 200
     + "]" * 200 + "}}", "nested deeper than 64 levels"),
    ("--check", "[" * 100_000, "invalid JSON"),
    ("--run", json.dumps(_with_check(series=1)), "`checks[0].series` must be object"),
    ("--run", json.dumps(_with_check(series={"loss": [1, 2]})),
     "`checks[0].series.loss[0]` must be array, not integer"),
    ("--run", _text(RUN, '"steps_per_s": 2.0', '"steps_per_s": NaN'), "NaN is not valid JSON"),
    ("--run", json.dumps(_with_check(metrics={"loss": [1]})),
     "`checks[0].metrics.loss` must be number or string or boolean or null, not array"),
    ("--run", json.dumps(_with_check(duration_s="3")),
     "`checks[0].duration_s` must be number, not string"),
    ("--run", json.dumps(_with_check(outcome="passed")),
     '`checks[0].outcome` must be one of "pass", "fail"'),
    ("--run", json.dumps(_with_check(summary={"a": 1})), "`checks[0].summary` must be string"),
    ("--run", json.dumps(dict(RUN, environment=[1])), "`environment` must be object"),
    ("--run", json.dumps(dict(RUN, checks=[{}])), "`checks[0].check` is missing"),
    ("--run", json.dumps(dict(RUN, schema_version=2)),
     "unsupported run results schema_version 2"),
    ("--run", _text(RUN, '"duration_s": 0.0', '"duration_s": 1' + "0" * 400),
     "integer of 401 digits is out of range"),
    ("--base", _text(_base(), '"tool": "mlready"', '"tool": NaN'), "NaN is not valid JSON"),
    ("--base", json.dumps(dict(_base(), findings=[dict(DIAG, cell="1"), dict(DIAG, cell=2)])),
     "`findings[0].cell` must be integer or null, not string"),
    ("--base", json.dumps(dict(_base(), baseline={"categories": 1})), "`baseline.ref` is missing"),
    ("--base", json.dumps(dict(_base(), level="excellent")), "`level` must be one of"),
    ("--base", json.dumps(dict(_base(), score=120)), "`score` must be at most 100"),
    ("--base", json.dumps(dict(_base(), inputs=[])), "`inputs` must be object, not array"),
]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.json").write_text(json.dumps(CHECK))
    return tmp_path


@pytest.mark.parametrize(("option", "content", "message"), CASES,
                         ids=[f"{i}-{c[0][2:]}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_bad_input_is_one_line_and_exit_2(work: Path, capsys: pytest.CaptureFixture[str],
                                          option: str, content: str, message: str,
                                          fmt: str) -> None:
    (work / "bad.json").write_text(content, encoding="utf-8")
    extra = ["--check", "good.json"] if option == "--base" else []
    assert main(["scorecard", *extra, option, "bad.json", "--format", fmt,
                 "--min-score", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("Error: bad.json: ") and message in lines[0], lines[0]


def test_the_valid_inputs_of_these_cases_render(work: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The cases above differ from good files by the one thing they name."""
    (work / "run.json").write_text(json.dumps(RUN))
    (work / "base.json").write_text(json.dumps(_base()))
    assert main(["scorecard", "--check", "good.json", "--run", "run.json",
                 "--base", "base.json", "--min-score", "0"]) == 0
    assert "## " in capsys.readouterr().out


def test_integers_written_as_floats_are_integers(work: Path) -> None:
    """JSON Schema counts ``5.0`` as an integer; the card shows ``train.py:5``."""
    data = dict(CHECK, diagnostics=[dict(DIAG, line=5.0, cell=2.0)])
    (work / "f.json").write_text(json.dumps(data))
    assert main(["scorecard", "--check", "f.json", "-o", "out.md"]) == 0
    assert "`train.py:cell 2:5`" in (work / "out.md").read_text()


def test_console_script_on_deep_json_says_one_line(tmp_path: Path) -> None:
    """The real interpreter, default recursion limit, no pytest frames in between."""
    deep = tmp_path / "deep.json"
    deep.write_text('{"kind": "run", "schema_version": 1, "config": '
                    + "{\"a\": " * 50_000 + "1" + "}" * 50_000 + "}")
    proc = subprocess.run([sys.executable, "-m", "mlready", "scorecard", "--run", str(deep)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"Error: {deep}: invalid JSON: nested too deeply"


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:  # sparse: no disk, no time
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match=r"big.json: larger than 256 MiB"):
        read_json(big)


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"kind": "\xff"}')
    with pytest.raises(InputError, match=r"bad.json: not UTF-8 text \(byte 10\)"):
        read_json(bad)


def test_a_directory_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read: Is a directory"):
        read_json(tmp_path)


@pytest.mark.parametrize(("toml", "message"), [
    ("weights = { documentation = nan }", "weights` must be numbers from 0 to 1e+06"),
    ("weights = { documentation = inf }", "weights` must be numbers from 0 to 1e+06"),
    ("weights = { documentation = -1 }", "weights` must be numbers from 0 to 1e+06"),
    ("weights = { documentation = 1e300 }", "weights` must be numbers from 0 to 1e+06"),
])
def test_non_finite_weights_are_a_config_error(work: Path, capsys: pytest.CaptureFixture[str],
                                               toml: str, message: str) -> None:
    (work / "pyproject.toml").write_text(f"[tool.mlready.scorecard]\n{toml}\n")
    assert main(["scorecard", "--check", "good.json", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml: " in err and message in err and len(err.strip().splitlines()) == 1


def test_a_pipe_is_read_with_the_cap(tmp_path: Path) -> None:
    """``--check /dev/stdin`` is a real use: a pipe has no size, the read is capped."""
    read, write = os.pipe()
    os.write(write, json.dumps(CHECK).encode())
    os.close(write)
    try:
        assert read_json(Path(f"/dev/fd/{read}"))["kind"] == "check"
    finally:
        os.close(read)
