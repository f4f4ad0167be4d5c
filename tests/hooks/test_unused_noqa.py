"""MLR900 `unused-noqa`: which noqa codes are judged, the fix's edits, and the cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.hooks import analysis, engine, fixes, parsing, selection
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules import all_rules
from mlready.hooks.rules.unused_noqa import file_findings
from mlready.hooks.settings import Overrides
from mlready.hooks.suppression import scan

Make = Callable[[dict[str, str | bytes]], Path]
KNOWN = [rule.code for rule in all_rules()]
SOURCE = ("import torch\n"
          "torch.load('a')  # noqa: MLR301\n"  # used
          "x = 1  # noqa: MLR301\n"  # unused: the rule ran and reported nothing here
          "y = 2  # noqa: MLR301, E501\n"  # E501 is another tool's: kept
          "z = 3  # noqa: MLR101\n"  # MLR101 not selected: cannot tell
          "w = 4  # noqa: MLR301  # why\n"
          "v = 5  # noqa: MLR301 because\n"
          "u = 6  # noqa: MLR999\n"  # no such rule
          "s = '# noqa: MLR301'\n"  # a string, not a comment
          "t = 7  # noqa\n"  # bare: may be another tool's
          "r = 8  # noqa: MLR301  # noqa: MLR900\n")  # silenced itself


def judged(source: str, found: list[Diagnostic], selected: set[str]) -> list[Diagnostic]:
    return list(file_findings("a.py", source, scan(source).lines, found, selected, KNOWN))


def test_only_our_selected_codes_that_silenced_nothing_are_reported() -> None:
    used = Diagnostic("a.py", 2, 1, "MLR301", "m")
    got = judged(SOURCE, [used], {"MLR000", "MLR301", "MLR900"})
    assert [(d.line, d.message) for d in got] == [
        (3, "unused `noqa` directive: MLR301 reported nothing on this line"),
        (4, "unused `noqa` directive: MLR301 reported nothing on this line"),
        (6, "unused `noqa` directive: MLR301 reported nothing on this line"),
        (7, "unused `noqa` directive: MLR301 reported nothing on this line"),
        (8, "unused `noqa` directive: MLR999 is no mlready rule"),
        (11, "unused `noqa` directive: MLR301 reported nothing on this line")]
    assert (got[0].col, got[0].end_col) == (16, 22)  # the code's own span
    assert all(d.fixable() for d in got)  # every fix is safe


def test_the_fix_removes_only_the_unused_codes() -> None:
    used = Diagnostic("a.py", 2, 1, "MLR301", "m")
    got = judged(SOURCE, [used], {"MLR000", "MLR301", "MLR900"})[:-1]  # line 11: engine's
    fixed, done = fixes.apply_edits(SOURCE, [(d, d.autofix) for d in got if d.autofix])
    assert len(done) == 5
    assert fixed.splitlines()[1:8] == [
        "torch.load('a')  # noqa: MLR301", "x = 1", "y = 2  # noqa: E501",
        "z = 3  # noqa: MLR101", "w = 4  # why", "v = 5  # because", "u = 6"]


def test_prefixes_are_judged_only_when_all_their_rules_ran() -> None:
    source = "a = 1  # noqa: MLR3\nb = 2  # noqa: MLR30\n"
    some = {"MLR301"}
    assert judged(source, [], some) == []
    every = {c for c in KNOWN if c.startswith("MLR3")}
    assert [d.line for d in judged(source, [], every)] == [1, 2]
    assert judged(source, [Diagnostic("a.py", 1, 1, "MLR304", "m"),
                           Diagnostic("a.py", 2, 1, "MLR302", "m")], every) == []


def test_a_multi_line_finding_uses_the_noqa_on_its_last_line() -> None:
    source = "f(\n  1)  # noqa: MLR301\n"
    assert judged(source, [Diagnostic("a.py", 1, 1, "MLR301", "m", end_line=2)],
                  {"MLR301"}) == []


def test_off_by_default_and_on_by_its_code_name_or_all() -> None:
    real = all_rules()

    def on(select: list[str] | None, extend: tuple[str, ...] = ()) -> bool:
        return "MLR900" in [r.code for r in selection.select(real, select, extend, ())]

    assert not on(None) and not on(["MLR"]) and not on(["MLR9"]) and not on(["core"])
    assert on(["MLR900"]) and on(["unused-noqa"]) and on(["ALL"]) and on(None, ("MLR900",))
    assert "MLR000" in [r.code for r in selection.select(real, ["MLR900"], (), ())]


def check(root: Path, cache: bool = False) -> list[str]:
    report = engine.check([root], Overrides(select=["MLR301", "MLR900"], no_cache=not cache))
    assert report.errors == ()
    return [f"{d.location}: {d.code}" for d in report.diagnostics]


def test_engine_judges_after_per_file_ignores_and_skips_broken_files(project: Make) -> None:
    root = project({"a.py": SOURCE, "broken.py": "def f(:  # noqa: MLR301\n",
                    "scripts/t.py": "import torch\ntorch.load('a')  # noqa: MLR301\n",
                    "pyproject.toml": ("[tool.mlready.per-file-ignores]\n"
                                       "'scripts/*' = ['MLR301']\n")})
    got = check(root)
    assert "scripts/t.py:2:26: MLR900" in got  # per-file-ignores silenced it first
    assert not any(line.startswith("broken.py") and "MLR900" in line for line in got)
    assert [line for line in got if line.startswith("a.py")] == [
        "a.py:3:16: MLR900", "a.py:4:16: MLR900", "a.py:6:16: MLR900", "a.py:7:16: MLR900",
        "a.py:8:16: MLR900"]


def test_a_cached_file_keeps_its_noqa_use(project: Make, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setattr(engine, "_sources", list)  # a rule edited meanwhile: no flakiness
    root = project({"a.py": SOURCE, "b.py": "x = 1  # noqa: MLR301\n"})
    cold = check(root, cache=True)
    parsed: list[str] = []
    real = parsing.parse

    def spy(path: str, *args: object, **kwargs: object) -> parsing.Parsed:
        parsed.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "parse", spy)
    (root / "b.py").write_text("y = 1  # noqa: MLR301\n", encoding="utf-8")  # no memo
    warm = check(root, cache=True)
    assert parsed == ["b.py"]  # a.py came from the per-file cache
    assert warm == cold and "a.py:3:16: MLR900" in warm and "b.py:1:16: MLR900" in warm
    assert check(root, cache=True) == cold  # the remembered run too


def test_the_engine_knows_the_code_without_importing_the_rule() -> None:
    from mlready.hooks.rules import UNUSED_NOQA, unused_noqa

    assert unused_noqa.CODE == UNUSED_NOQA


def test_add_noqa_does_not_silence_an_unused_noqa(project: Make,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from mlready.cli import main

    root = project({"a.py": "import torch\nx = 1  # noqa: MLR301\ntorch.load('a')\n"})
    assert main(["check", "--no-cache", "--select", "MLR301,MLR900", "--add-noqa",
                 str(root)]) == 0
    assert (root / "a.py").read_text(encoding="utf-8") == (
        "import torch\nx = 1  # noqa: MLR301\ntorch.load('a')  # noqa: MLR301\n")
    assert "Added 1 noqa directive." in capsys.readouterr().out
