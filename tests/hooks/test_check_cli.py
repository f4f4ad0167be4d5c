"""`mlready check` end to end through `mlready.cli.main`, with test-only rules."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.cli import main

pytestmark = pytest.mark.usefixtures("fake_rules")

Make = Callable[[dict[str, str | bytes]], Path]
PY = f"{sys.version_info.major}.{sys.version_info.minor}"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_concise_output_and_exit_code(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"train.py": "import os\nprint(os.name)\n\n\nprint('done')\n",
                    "clean.py": "x = 1\n", "broken.py": "def f(:\n"})
    code, out, err = run(capsys, str(root))
    assert (code, err) == (1, "")
    assert out == (
        f"broken.py:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python {PY})\n"
        "train.py:2:1: MLR990 `print(...)`: use logging\n"
        "train.py:5:1: MLR990 `print(...)`: use logging\n"
        "Found 3 findings: 1 error, 2 warnings.\n")


def test_clean_project_exits_zero(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"clean.py": "x = 1\n"})
    assert run(capsys, str(root)) == (0, "All checks passed!\n", "")


def test_exit_zero_and_statistics(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "print(1)\nprint(2)\n", "b.py": "def f(:\n"})
    code, out, _ = run(capsys, "--exit-zero", "--statistics", str(root))
    assert code == 0
    assert out == "2\tMLR990\tprint-call\n1\tMLR000\tsyntax-error\n"


def test_fail_on_chooses_the_severity_that_fails(project: Make,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """MLR990 is a warning, MLR993 a note, MLR000 an error (tests/hooks/conftest.py)."""
    root = project({"a.py": "print(1)\n"})
    both = ("--extend-select", "MLR993", str(root))
    summary = "Found 2 findings: 1 warning, 1 note.\n"
    assert run(capsys, *both)[0] == 1  # the default: any finding, as before severities
    assert run(capsys, "--fail-on", "note", *both)[0] == 1
    assert run(capsys, "--fail-on", "warning", *both)[0] == 1
    code, out, _ = run(capsys, "--fail-on", "error", *both)
    assert code == 0 and out.endswith(summary)  # reported all the same
    assert run(capsys, "--fail-on", "warning", "--select", "MLR993", str(root))[0] == 0
    (root / "b.py").write_text("def f(:\n", encoding="utf-8")
    assert run(capsys, "--fail-on", "error", *both)[0] == 1
    # [tool.mlready] fail-on, which the flag overrides
    (root / "b.py").unlink()
    (root / "pyproject.toml").write_text('[tool.mlready]\nfail-on = "error"\n', encoding="utf-8")
    assert run(capsys, *both)[0] == 0
    assert run(capsys, "--fail-on", "note", *both)[0] == 1
    (root / "pyproject.toml").write_text('[tool.mlready]\nfail-on = "fatal"\n', encoding="utf-8")
    code, _, err = run(capsys, *both)
    assert code == 2 and "fail-on" in err and "'error', 'warning', 'note'" in err
    assert run(capsys, "--fail-on", "fatal", str(root))[0] == 2


def test_no_paths_checks_the_current_folder(project: Make, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"pkg/a.py": "print(1)\n", "b.py": "print(2)\n"})
    monkeypatch.chdir(root / "pkg")
    code, out, _ = run(capsys)
    assert (code, out) == (1, "a.py:1:1: MLR990 `print(...)`: use logging\n"
                              "Found 1 finding: 1 warning.\n")
    # paths print relative to where the user stands, like ruff; JSON keeps root-relative
    assert run(capsys, "..")[1] == ("../b.py:1:1: MLR990 `print(...)`: use logging\n"
                                    "a.py:1:1: MLR990 `print(...)`: use logging\n"
                                    "Found 2 findings: 2 warnings.\n")
    assert "`print(...)`: use logging\n  |\n1 | print(1)" in run(
        capsys, "--output-format", "full", "a.py")[1]
    document = json.loads(run(capsys, "--output-format", "json", "..")[1])
    assert [d["path"] for d in document["diagnostics"]] == ["b.py", "pkg/a.py"]


def test_select_ignore_and_prefixes(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "print(1)\n", "b.py": "def f(:\n"})
    assert run(capsys, "--select", "MLR000", str(root))[1].startswith("b.py:1:1: MLR000")
    # MLR000 is always on: ignoring MLR0 (or ALL) never hides a file that does not parse
    assert run(capsys, "--ignore", "MLR0,MLR99", str(root))[:2] == (1, (
        f"b.py:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python {PY})\n"
        "Found 1 finding: 1 error.\n"))
    (root / "b.py").unlink()  # the rest is about a.py
    # EXPLICIT rules need their own code (or ALL), a prefix is not enough
    out = run(capsys, "--select", "MLR99", str(root))[1]
    assert "MLR993" not in out and "MLR990" in out
    out = run(capsys, "--select", "MLR990", "--extend-select", "MLR993", str(root))[1]
    assert out == ("a.py:1:1: MLR990 `print(...)`: use logging\n"
                   "a.py:1:1: MLR993 `print(...)`: use logging\n"
                   "Found 2 findings: 1 warning, 1 note.\n")
    # names and families select too
    assert run(capsys, "--select", "print-call", str(root))[1].count("MLR990") == 1
    assert run(capsys, "--select", "fake", str(root))[:2] == (0, "All checks passed!\n")


def test_unknown_selector_is_a_usage_error(project: Make,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "x = 1\n"})
    assert run(capsys, "--select", "MLR999", str(root)) == (
        2, "", "error: --select: unknown rule selector `MLR999`\n")
    assert run(capsys, "--ignore", "XYZ", str(root)) == (
        2, "", "error: --ignore: unknown rule selector `XYZ`\n")


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.py"
    assert run(capsys, str(missing)) == (2, "", f"error: {missing}: no such file or directory\n")


def test_noqa_line_and_file(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({
        "a.py": "print(1)  # noqa: MLR990\nprint(2)  # noqa\nprint(3)  # noqa: MLR1\n"
                "print(4)  # NOQA:MLR99\n",
        "b.py": "# mlready: noqa: MLR990\nprint(1)\n",
        "c.py": "# mlready: noqa\nprint(1)\ndef f(:\n",
    })
    code, out, _ = run(capsys, str(root))
    assert (code, out) == (1, "a.py:3:1: MLR990 `print(...)`: use logging\n"
                              "Found 1 finding: 1 warning.\n")


def test_per_file_ignores(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({
        "pyproject.toml": '[tool.mlready.per-file-ignores]\n"scripts/*" = ["MLR990"]\n'
                          '"test_*.py" = ["ALL"]\n',
        "scripts/run.py": "print(1)\n", "pkg/test_x.py": "print(1)\n", "pkg/y.py": "print(1)\n"})
    assert run(capsys, str(root))[1] == (
        "pkg/y.py:1:1: MLR990 `print(...)`: use logging\nFound 1 finding: 1 warning.\n")


def test_config_select_extend_and_cli_override(project: Make,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"pyproject.toml": '[tool.mlready]\nselect = ["MLR000"]\n'
                                      'extend-select = ["MLR993"]\n',
                    "a.py": "print(1)\n"})
    assert run(capsys, str(root))[1] == (
        "a.py:1:1: MLR993 `print(...)`: use logging\nFound 1 finding: 1 note.\n")
    assert run(capsys, "--select", "MLR990", str(root))[1].count("MLR99") == 2


@pytest.mark.parametrize(("toml", "message"), [
    ('[tool.mlready]\nselekt = ["MLR1"]\n',
     "unknown key `tool.mlready.selekt` (known keys: "),
    ('[tool.mlready]\nselect = "MLR1"\n',
     "`tool.mlready.select` must be an array, got str 'MLR1'"),
    ('[tool.mlready]\nselect = ["MLR7777"]\n',
     "tool.mlready.select: unknown rule selector `MLR7777`"),
    ('[tool.mlready]\noutput-format = "xml"\n',
     "`tool.mlready.output-format` must be one of 'concise', 'full', 'json', 'github', "
     "'sarif', got 'xml'"),
    ('[tool.mlready.fake]\nmax-lines = "ten"\n',
     "`tool.mlready.fake.max-lines` must be an integer, got str 'ten'"),
    ('[tool.mlready.fake]\nmin-lines = 3\n',
     "unknown key `tool.mlready.fake.min-lines` (known keys: max-lines)"),
    ('[tool.mlready\nselect = 1\n', "invalid TOML: "),
])
def test_configuration_errors_are_one_line(project: Make, capsys: pytest.CaptureFixture[str],
                                           toml: str, message: str) -> None:
    root = project({"pyproject.toml": toml, "a.py": "x = 1\n"})
    code, out, err = run(capsys, str(root))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {root / 'pyproject.toml'}: {message}")
    assert err.count("\n") == 1


def test_a_pyproject_that_is_not_utf8_is_one_line(project: Make,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"pyproject.toml": b"\xff\xfe[tool.mlready]\n", "a.py": "x = 1\n"})
    code, out, err = run(capsys, str(root))
    assert (code, out) == (2, "")
    assert err == (f"error: {root / 'pyproject.toml'}: invalid TOML: not UTF-8 "
                   "(invalid start byte)\n")


def test_runner_sections_and_family_options(project: Make,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"pyproject.toml": "[tool.mlready.runner]\nanything = 1\n"
                                      "[tool.mlready.fake]\nmax-lines = 2\n",
                    "a.py": "x = 1\ny = 2\nz = 3\n"})
    assert run(capsys, str(root))[1] == (
        "a.py:1:1: MLR996 file has 3 lines (> 2)\nFound 1 finding: 1 warning.\n")


def test_config_flag_reads_another_file(project: Make, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "print(1)\n"})
    other = tmp_path / "other.toml"
    other.write_text('[tool.mlready]\nignore = ["MLR990"]\n', encoding="utf-8")
    assert run(capsys, "--config", str(other), str(root))[:2] == (0, "All checks passed!\n")
    assert run(capsys, "--config", str(tmp_path / "missing.toml"), str(root)) == (
        2, "", f"error: {tmp_path / 'missing.toml'}: no such configuration file\n")


def test_a_failing_rule_is_an_internal_error_not_a_crash(
        project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"boom.py": "print(1)\n", "ok.py": "print(2)\n"})
    code, out, err = run(capsys, str(root))
    assert code == 2
    assert out == ("boom.py:1:1: MLR990 `print(...)`: use logging\n"
                   "ok.py:1:1: MLR990 `print(...)`: use logging\nFound 2 findings: 2 warnings.\n")
    assert err == ("error: boom.py: internal error in rule MLR995 (explode): "
                   "RuntimeError: kaboom\n")


def test_cross_file_rule_and_metrics_in_json(project: Make,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "def train():\n    pass\n",
                    "b.py": "x = 1\n\n\ndef train():\n    pass\n"})
    code, out, _ = run(capsys, "--output-format", "json", "--select", "MLR992", str(root))
    document = json.loads(out)
    assert code == 1
    assert document["metrics"] == {"duplicate-function": {"functions": 2, "files": 2}}
    # MLR000 (always on) reads pyproject.toml too
    assert (document["files_checked"], document["file_kinds"]) == (3, {"pyproject": 1,
                                                                        "python": 2})
    assert [(d["path"], d["line"], d["message"]) for d in document["diagnostics"]] == [
        ("a.py", 1, "`train` is also defined in b.py"),
        ("b.py", 4, "`train` is also defined in a.py")]


def test_metrics_are_measured_whatever_the_selection(project: Make,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A rule's metric (MLR992 here; MLR401's type-hint and MLR603's docstring coverage
    for real) is computed when the rule is not selected, and its findings are not."""
    root = project({"a.py": "def train():\n    pass\n", "b.py": "def train():\n    print(1)\n"})
    code, out, _ = run(capsys, "--output-format", "json", "--select", "MLR990", str(root))
    document = json.loads(out)
    assert code == 1 and document["rules"] == ["MLR000", "MLR990"]
    assert [d["code"] for d in document["diagnostics"]] == ["MLR990"]
    assert document["metrics"] == {"duplicate-function": {"functions": 2, "files": 2}}
    # the same with the cache on: a measured rule's facts are cached, its findings are not
    args = ("check", "--output-format", "json", "--select", "MLR990", str(root))
    for _ in range(2):
        assert main(list(args)) == 1
        assert json.loads(capsys.readouterr().out)["diagnostics"] == document["diagnostics"]
    assert main(["check", "--select", "MLR992", str(root)]) == 1  # selected: it reports
    assert "MLR992 `train` is also defined in" in capsys.readouterr().out


def test_named_files_use_whole_project_facts(repo: Make,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit passes changed files; cross-file facts still come from every file."""
    root = repo({"a.py": "def train():\n    pass\n", "b.py": "def train():\n    pass\n",
                 "c.py": "print(1)\n"})
    monkeypatch.chdir(root)
    code, out, _ = run(capsys, "--select", "MLR992,MLR990", "b.py", "c.py")
    assert (code, out) == (1, "b.py:1:1: MLR992 `train` is also defined in a.py\n"
                              "c.py:1:1: MLR990 `print(...)`: use logging\n"
                              "Found 2 findings: 2 warnings.\n")


def test_force_exclude_applies_to_named_files(project: Make, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"pyproject.toml": '[tool.mlready]\nextend-exclude = ["legacy"]\n',
                    "legacy/old.py": "print(1)\n", "new.py": "print(1)\n"})
    monkeypatch.chdir(root)
    assert run(capsys, "legacy/old.py")[0] == 1  # named explicitly: checked, like ruff
    code, out, _ = run(capsys, "--force-exclude", "legacy/old.py", "new.py")
    assert (code, out) == (1, "new.py:1:1: MLR990 `print(...)`: use logging\n"
                              "Found 1 finding: 1 warning.\n")
    assert run(capsys, str(root))[1].count("MLR990") == 1  # walking skips it


def test_output_file(project: Make, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "print(1)\n"})
    target = tmp_path / "out.txt"
    assert run(capsys, "--output-file", str(target), str(root)) == (1, "", "")
    assert target.read_text(encoding="utf-8") == (
        "a.py:1:1: MLR990 `print(...)`: use logging\nFound 1 finding: 1 warning.\n")


def test_full_format_shows_source_and_help(project: Make,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "x = 1\nprint('héllo')\n"})
    out = run(capsys, "--output-format", "full", "--select", "MLR990", str(root))[1]
    assert out == (
        "a.py:2:1: MLR990 `print(...)`: use logging\n"
        "  |\n"
        "1 | x = 1\n"
        "2 | print('héllo')\n"
        "  | ^^^^^^^^^^^^^^ MLR990\n"
        "  |\n"
        "  = help: log it\n"
        "\n"
        "Found 1 finding: 1 warning.\n")


def test_a_rule_module_that_cannot_load_is_one_error_line(
        project: Make, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from mlready.hooks import rules

    def broken() -> tuple[object, ...]:
        raise ModuleNotFoundError("No module named 'packaging'")

    monkeypatch.setattr(rules, "all_rules", broken)
    root = project({"a.py": "x = 1\n"})
    message = ("error: cannot load the rules: ModuleNotFoundError: No module named 'packaging' "
               "(reinstall mlready; if it persists, please report it)\n")
    assert run(capsys, str(root)) == (2, "", message)
    assert main(["rule", "--all"]) == 2
    assert capsys.readouterr().err == message


@pytest.mark.parametrize("command", [["check", "--no-cache"], ["rule", "MLR998"]])
def test_a_rule_module_that_fails_to_import_when_used_is_one_error_line(
        project: Make, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path, command: list[str]) -> None:
    """Rule modules load on first use (the registry is a generated index), so a broken
    install surfaces mid-run: still one line and exit 2, never a traceback or exit 1."""
    from mlready.hooks import analysis, engine, rules

    (tmp_path / "mlready_test_broken_rule.py").write_text(
        "import not_installed_dependency\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    broken = rules.Rule("MLR998", "broken", "misc", frozenset({"python"}), True,
                        frozenset({"check"}), "mlready_test_broken_rule")
    table = {**rules.by_code(), "MLR998": broken}
    everything = tuple(sorted(table.values(), key=lambda r: r.code))
    for module in (rules, engine):
        monkeypatch.setattr(module, "all_rules", lambda: everything)
    for module in (rules, analysis):
        monkeypatch.setattr(module, "by_code", lambda: table)
    root = project({"a.py": "x = 1\n"})
    monkeypatch.chdir(root)
    assert main(command) == 2
    captured = capsys.readouterr()
    assert captured.err == ("error: cannot load the rules: ModuleNotFoundError: No module named "
                            "'not_installed_dependency' (reinstall mlready; if it persists, "
                            "please report it)\n")


def test_a_rule_out_of_stack_is_a_finding_on_the_file(
        project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    """Pathological nesting is the file's problem, not an internal error."""
    root = project({"deep.py": "print(1)\n"})
    assert run(capsys, str(root)) == (1, (
        "deep.py:1:1: MLR000 code is nested too deeply to analyse: MLR995 skipped this file\n"
        "deep.py:1:1: MLR990 `print(...)`: use logging\n"
        "Found 2 findings: 1 error, 1 warning.\n"), "")
