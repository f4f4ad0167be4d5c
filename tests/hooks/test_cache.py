"""The result cache: a warm run parses nothing; bad entries are misses; writes are atomic."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.config import ConfigError
from mlready.hooks import analysis, engine, parsing
from mlready.hooks.cache_dir import CACHEDIR_TAG
from mlready.hooks.rules import Rule
from mlready.hooks.settings import Overrides

Make = Callable[[dict[str, str | bytes]], Path]
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
FILES: dict[str, str | bytes] = {
    "a.py": "def train():\n    print(1)\n", "b.py": "def train():\n    pass\n",
    "broken.py": "def f(:\n", "conf.yaml": "bad: 1\n"}


@pytest.fixture(autouse=True)
def stable_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache key includes the stat of the rule sources, so that editing a rule
    invalidates it; a rule edited while these tests run must not make them flaky."""
    monkeypatch.setattr(engine, "_sources", list)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every file the engine parses."""
    seen: list[str] = []
    real = parsing.parse

    def spy(path: str, *args: object, **kwargs: object) -> parsing.Parsed:
        seen.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "parse", spy)
    return seen


def lines(report: engine.Report) -> list[str]:
    return [f"{d.location}: {d.code} {d.message}" for d in report.diagnostics]


def test_second_run_parses_nothing_and_reports_the_same(
        project: Make, parses: list[str], fake_rules: tuple[Rule, ...]) -> None:
    root = project(FILES)
    first = engine.check([root], Overrides(select=["ALL"]))
    assert sorted(parses) == ["a.py", "b.py", "broken.py", "conf.yaml", "pyproject.toml"]
    parses.clear()
    second = engine.check([root], Overrides(select=["ALL"]))
    assert parses == []
    assert lines(second) == lines(first)
    assert second.metrics == first.metrics == {
        "duplicate-function": {"functions": 2, "files": 2}}
    assert "a.py:2:5: MLR990 `print(...)`: use logging" in lines(second)
    cache = root / ".mlready_cache"
    assert (cache / "CACHEDIR.TAG").read_text(encoding="utf-8") == CACHEDIR_TAG
    assert (cache / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_changed_file_changed_rules_and_options_are_misses(
        project: Make, parses: list[str], fake_rules: tuple[Rule, ...]) -> None:
    root = project(FILES)
    engine.check([root])
    parses.clear()
    (root / "a.py").write_text("print(2)\n", encoding="utf-8")
    assert lines(engine.check([root])) == [
        "a.py:1:1: MLR990 `print(...)`: use logging",
        f"broken.py:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python {PY})",
        "conf.yaml:1:1: MLR994 `bad`: a bad key"]
    assert parses == ["a.py"]
    parses.clear()
    engine.check([root], Overrides(select=["MLR990"]))  # another rule set: another cache
    # MLR000 is always on, so every readable kind is still parsed
    assert sorted(parses) == ["a.py", "b.py", "broken.py", "conf.yaml", "pyproject.toml"]
    parses.clear()
    engine.check([root], Overrides(no_cache=True))
    assert len(parses) == 5


def test_corrupted_entries_are_ignored(project: Make, parses: list[str],
                                       fake_rules: tuple[Rule, ...]) -> None:
    root = project(FILES)
    first = lines(engine.check([root]))
    salted = [p for p in (root / ".mlready_cache").iterdir() if p.is_dir()]
    entries = sorted(p for p in salted[0].glob("*.json"))
    assert len(salted) == 1 and len(entries) == 5
    # The remembered run (mlready.hooks.memo) would answer without the file entries; the
    # project index (mlready.hooks.project_index) serves only files read for their facts.
    memos = list((root / ".mlready_cache").rglob("runs/*.json"))
    heads = [json.loads(memo.read_text("utf-8").partition("\n")[0]) for memo in memos]
    assert ["key" in head for head in heads].count(True) == 1  # the run; the index has none
    for memo in memos:  # the remembered run and the project index's parts
        memo.unlink()
    entries[0].write_text("{not json", encoding="utf-8")
    entries[1].write_bytes(b"")
    entries[2].write_text(json.dumps({"format": 1, "path": 3}), encoding="utf-8")
    entries[3].write_text("[]", encoding="utf-8")
    parses.clear()
    assert lines(engine.check([root])) == first
    assert len(parses) == 4
    parses.clear()
    assert lines(engine.check([root])) == first  # and they were rewritten
    assert parses == []


def test_cache_dir_setting_and_unwritable_cache(project: Make, fake_rules: tuple[Rule, ...],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = project({**FILES, "pyproject.toml": '[tool.mlready]\ncache-dir = ".cache/ml"\n'})
    engine.check([root])
    assert (root / ".cache" / "ml" / "CACHEDIR.TAG").is_file()
    assert not (root / ".mlready_cache").exists()
    # A folder that cannot be made (/proc takes none, not even from root): uncached.
    blocked = project({**FILES, "pyproject.toml": '[tool.mlready]\ncache-dir = "/proc/mlc"\n'})
    assert lines(engine.check([blocked])) == lines(engine.check([blocked], Overrides(
        no_cache=True)))
    # A file where the folder should be is a configuration error, not a silent miss.
    clash = project({**FILES, "pyproject.toml": '[tool.mlready]\ncache-dir = "file.txt"\n',
                     "file.txt": "not a folder\n"})
    with pytest.raises(ConfigError, match=r"file\.txt: cannot be the cache folder \(cache-dir "
                                          r"in .*pyproject\.toml\): it is not a folder$"):
        engine.check([clash])


def _run_check(root: str) -> None:
    engine.check([Path(root)], jobs=1)


def test_concurrent_runs_do_not_corrupt_the_cache(project: Make, parses: list[str],
                                                  fake_rules: tuple[Rule, ...]) -> None:
    files: dict[str, str | bytes] = {f"m{i}.py": f"def f{i}():\n    print({i})\n"
                                     for i in range(40)}
    root = project(files)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_run_check, args=(str(root),)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert not list((root / ".mlready_cache").rglob(".tmp-*"))
    parses.clear()
    report = engine.check([root])
    assert parses == []
    assert len(report.diagnostics) == 40


def test_salt_changes_with_version_rules_options_rule_sources_and_key(tmp_path: Path) -> None:
    from functools import partial

    from mlready.hooks import cache

    salt = partial(cache.salt, key=b"k" * 32)
    source = tmp_path / "rule.py"
    source.write_text("x = 1\n", encoding="utf-8")
    base = salt("0.1.0", ["MLR000"], {"types": {"a": 1}}, [str(source)])
    assert salt("0.1.0", ["MLR000"], {"types": {"a": 1}}, [str(source)]) == base
    assert salt("0.1.1", ["MLR000"], {"types": {"a": 1}}, [str(source)]) != base
    assert salt("0.1.0", ["MLR001"], {"types": {"a": 1}}, [str(source)]) != base
    assert salt("0.1.0", ["MLR000"], {"types": {"a": 2}}, [str(source)]) != base
    assert cache.salt("0.1.0", ["MLR000"], {"types": {"a": 1}}, [str(source)],
                      key=b"K" * 32) != base  # another machine's folder
    os.utime(source, ns=(1, 1))
    assert salt("0.1.0", ["MLR000"], {"types": {"a": 1}}, [str(source)]) != base


def test_projects_sharing_a_cache_dir_do_not_share_results(tmp_path: Path,
                                                           project: Make) -> None:
    """A rule may read the project's root name (MLR1xx's own-package check), so a
    ``cache-dir`` shared by two projects keeps them apart; so does the Python version,
    which decides what parses."""
    import sys as system

    from mlready.hooks.rules import all_rules
    from mlready.hooks.settings import load

    shared = tmp_path / "shared-cache"
    salts = set()
    for name in ("one", "two"):
        root = tmp_path / name
        root.mkdir()
        (root / "pyproject.toml").write_text(
            f'[tool.mlready]\ncache-dir = "{shared}"\n', encoding="utf-8")
        cache = engine.make_cache(load(root, all_rules(), Overrides()))
        assert cache is not None and cache.directory == shared
        salts.add(cache.salt)
    assert len(salts) == 2
    major, minor = system.version_info[:2]
    assert f"python {major}.{minor}" in engine._code_version()


def test_old_salts_and_entries_are_pruned_once_a_day(project: Make,
                                                    fake_rules: tuple[Rule, ...]) -> None:
    import os
    import time

    from mlready.hooks import cache as caching
    from mlready.hooks.cache_dir import PRUNE_AFTER_S, PRUNE_EVERY_S, prune

    root = project(FILES)
    engine.check([root])
    cache_dir = root / ".mlready_cache"
    (current,) = [p for p in cache_dir.iterdir() if p.is_dir()]
    month_ago = time.time() - PRUNE_AFTER_S - 3600
    old_salt = cache_dir / "0123456789abcdef"
    old_salt.mkdir()
    (old_salt / f"{'a' * 32}.json").write_text("{}", encoding="utf-8")
    old_entry = current / f"{'b' * 32}.json"
    old_entry.write_text("{}", encoding="utf-8")
    for path in (old_entry, old_salt / f"{'a' * 32}.json", old_salt):
        os.utime(path, (month_ago, month_ago))
    os.utime(current, (month_ago, month_ago))  # read for a month, never written
    (cache_dir / ".pruned").unlink()
    caching._READY.clear()  # as a new process would
    (root / "a.py").write_text("print(3)\n", encoding="utf-8")  # a run that writes
    engine.check([root])
    assert not old_salt.exists() and not old_entry.exists()
    assert current.is_dir() and len(list(current.glob("*.json"))) == 6  # 5 files + a.py's new
    # Pruned at most once a day: a second stale folder waits for tomorrow.
    old_salt.mkdir()
    os.utime(old_salt, (month_ago, month_ago))
    caching._READY.clear()
    (root / "a.py").write_text("print(4)\n", encoding="utf-8")
    engine.check([root])
    assert old_salt.exists()
    prune(cache_dir, now=time.time() + PRUNE_EVERY_S + 1)
    assert not old_salt.exists()


def test_facts_shared_by_sibling_rules_are_stored_once_and_read_back_for_each(
        tmp_path: Path) -> None:
    from mlready.hooks.cache import Cache
    from mlready.hooks.results import FileResult
    from mlready.hooks.suppression import Noqa

    cache = Cache(tmp_path, "0123456789abcdef", b"k" * 32)
    units = {"units": [["train", 1, ["seed"]]] * 50}
    result = FileResult("train.py", "d" * 32, True, (), {"MLR001": units, "MLR002": units,
                                                          "MLR201": ["torch"]}, Noqa({}))
    cache.put("python", result)
    (entry,) = (tmp_path / "0123456789abcdef").glob("*.json")
    assert entry.read_text("utf-8").count('"units"') == 1
    back = cache.get("train.py", "python", "d" * 32, need_full=True)
    assert back is not None and back.facts == result.facts
