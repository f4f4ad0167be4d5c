"""The memo of ``[tool.mlready]`` (`mlready.hooks.config_memo`): what parsing gives, or
nothing; never what someone else wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import git

from mlready.cli import main

PYPROJECT = """[project]
name = "p"

[tool.mlready]
select = ["MLR3"]
max-file-size = 2.5

[tool.mlready.per-file-ignores]
"old/*.py" = ["MLR301"]
"""


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own machine: its key folder, where the memo lives."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    return tmp_path / "machine" / "mlready" / "configs"


def project(tmp_path: Path, pyproject: str) -> Path:
    root = tmp_path / "proj"
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "train.py").write_text('import torch\n\nstate = torch.load("c.pt")\n',
                                   encoding="utf-8")
    (root / "old").mkdir(exist_ok=True)
    (root / "old" / "load.py").write_text('import torch\n\ntorch.load("c.pt")\n',
                                          encoding="utf-8")
    git(root, "init", "-q")
    return root


def check(root: Path, capsys: pytest.CaptureFixture[str],
          *extra: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", "--output-format", "json", *extra, str(root)])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def findings(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["path"], d["code"]) for d in report["diagnostics"]]


def test_a_remembered_table_gives_what_parsing_gives(
        tmp_path: Path, machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, PYPROJECT)
    runs = [check(root, capsys) for _ in range(3)]  # the first makes the key: no memo yet
    assert len(list(machine.glob("*.json"))) == 1
    assert runs[0] == runs[1] == runs[2]
    code, report = runs[2]
    assert code == 1
    assert all(rule.startswith(("MLR3", "MLR000")) for rule in report["rules"])
    assert findings(report) == [("train.py", "MLR301")]  # old/ ignored by the table


def test_an_edited_pyproject_is_parsed_again(
        tmp_path: Path, machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, PYPROJECT)
    check(root, capsys)
    check(root, capsys)
    (root / "pyproject.toml").write_text(PYPROJECT.replace('"MLR301"', '"MLR999"'),
                                         encoding="utf-8")
    code, report = check(root, capsys)
    assert (code, report) == (2, {})  # MLR999 is no rule: the new table was read
    (root / "pyproject.toml").write_text(PYPROJECT.replace('["MLR301"]', "[]"),
                                         encoding="utf-8")
    code, report = check(root, capsys)
    assert findings(report) == [("old/load.py", "MLR301"), ("train.py", "MLR301")]


def test_an_invalid_pyproject_is_reported_by_every_run(
        tmp_path: Path, machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, PYPROJECT)
    check(root, capsys)
    check(root, capsys)  # a key, and a memo of the valid file
    (root / "pyproject.toml").write_text(PYPROJECT + "[tool.mlready\n", encoding="utf-8")
    for _ in range(2):
        capsys.readouterr()
        assert main(["check", str(root)]) == 2
        assert "invalid TOML" in capsys.readouterr().err


def test_an_entry_not_holding_these_bytes_is_never_read(
        tmp_path: Path, machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What a repository, another user or another machine wrote has no valid stamp."""
    root = project(tmp_path, PYPROJECT)
    expected = [check(root, capsys) for _ in range(2)][-1]
    (entry,) = machine.glob("*.json")
    planted = {"stamp": "0" * 32, "table": {"select": ["MLR6"]}}
    entry.write_text(json.dumps(planted), encoding="utf-8")
    assert check(root, capsys) == expected
    # the right stamp, but a file others may write: not ours, so not read
    stamp = json.loads(entry.read_text(encoding="utf-8"))["stamp"]
    entry.write_text(json.dumps({"stamp": stamp, "table": {"select": ["MLR6"]}}),
                     encoding="utf-8")
    entry.chmod(0o666)
    assert check(root, capsys) == expected


def test_what_json_cannot_carry_and_no_cache_are_not_remembered(
        tmp_path: Path, machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dated = PYPROJECT + "\n[tool.mlready.runner]\nsince = 1979-05-27\n"
    root = project(tmp_path, dated)
    runs = [check(root, capsys) for _ in range(3)]
    assert runs[0] == runs[2]
    assert not list(machine.glob("*.json"))  # a date: parsed by every run
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    check(root, capsys, "--no-cache")
    assert not list(machine.glob("*.json"))


def test_an_entry_of_ours_holding_these_bytes_is_what_the_run_reads(
        tmp_path: Path, machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The memo is really read (so the test above, where a planted entry is not, could
    fail): an entry this user wrote, with the stamp of the bytes on disk, stands for the
    table. Only this machine's key makes such a stamp."""
    root = project(tmp_path, PYPROJECT)
    expected = [check(root, capsys) for _ in range(2)][-1]
    (entry,) = machine.glob("*.json")
    stamp = json.loads(entry.read_text(encoding="utf-8"))["stamp"]
    entry.write_text(json.dumps({"stamp": stamp, "table": {"select": ["MLR6"]}}),
                     encoding="utf-8")
    entry.chmod(0o600)
    code, report = check(root, capsys)
    assert (code, report) != expected
    assert report["rules"] and all(rule.startswith(("MLR6", "MLR000"))
                                   for rule in report["rules"])
