"""The run memo: an unchanged project is answered whole from the cache, and any change the
rules could see (a file's content, a file on disk that only a finalize looks at) is seen."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from project_files import NOTEBOOK_WITH_OUTPUT

from mlready.hooks import engine
from mlready.hooks.settings import Overrides

Make = Callable[[dict[str, str | bytes]], Path]
NOTEBOOK = NOTEBOOK_WITH_OUTPUT
FILES: dict[str, str | bytes] = {
    "pyproject.toml": '[project]\nname = "p"\ndependencies = ["numpy>=1.0"]\n',
    "requirements.txt": "torch>=2\n-r extra.txt\n",
    "train.py": 'import random\n\nif __name__ == "__main__":\n    print(random.random())\n',
    "nb.ipynb": NOTEBOOK,
}


@pytest.fixture(autouse=True)
def stable_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache salt includes the stat of the rule sources (see test_cache.py)."""
    monkeypatch.setattr(engine, "_sources", list)


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that did the work (not answered by the memo)."""
    calls: list[int] = []
    real = engine._analyse

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_analyse", spy)
    return calls


def codes(root: Path, **flags: object) -> list[str]:
    report = engine.check([root], Overrides(**flags))  # type: ignore[arg-type]
    assert report.errors == ()
    return [d.code for d in report.diagnostics]


def test_unchanged_project_is_answered_from_the_memo(project: Make,
                                                      analyses: list[int]) -> None:
    root = project(FILES)
    first = engine.check([root])
    second = engine.check([root])
    assert len(analyses) == 1
    assert second.diagnostics == first.diagnostics
    assert (second.files_checked, second.file_kinds) == (first.files_checked,
                                                         first.file_kinds)
    assert [d.code for d in second.diagnostics] == [  # project-level ones on "." first
        "MLR601", "MLR611", "MLR614", "MLR615", "MLR501", "MLR204", "MLR201", "MLR203"]


@pytest.mark.parametrize(("change", "gone", "added"), [
    # Files no rule parses, which only a finalize looks at on disk (mlready.hooks.probes):
    ({"README.md": "# P\n"}, "MLR601", "MLR602"),
    ({"uv.lock": "version = 1\n"}, "MLR204", None),
    ({"extra.txt": "numpy==1.26.4\n"}, "MLR203", None),
    # (.gitattributes and the git index, which MLR501 reads: test_notebook_filter.py)
    # A parsed file:
    ({"requirements.txt": "torch==2.3.1\n-r extra.txt\n"}, "MLR201", None),
])
def test_a_change_the_rules_can_see_is_not_answered_from_the_memo(
        project: Make, analyses: list[int], change: dict[str, str | bytes], gone: str,
        added: str | None) -> None:
    root = project(FILES)
    before = codes(root)
    assert codes(root) == before and len(analyses) == 1
    for name, text in change.items():  # not project(): it would rewrite pyproject.toml
        (root / name).write_text(str(text), encoding="utf-8")
    after = codes(root)
    assert len(analyses) == 2
    assert gone in before and gone not in after
    assert added is None or (added not in before and added in after)
    assert after == codes(root, no_cache=True)


def test_an_edited_readme_is_seen_though_its_folder_is_unchanged(
        project: Make, analyses: list[int]) -> None:
    root = project({**FILES, "README.md": "# P\n"})
    assert "MLR602" in codes(root)
    (root / "README.md").write_text("# P\n\n## Usage\n\n```\npip install .\npython train.py\n"
                                    "python evaluate.py\n```\n", encoding="utf-8")
    assert "MLR602" not in codes(root)
    assert len(analyses) == 2


def test_named_files_and_per_file_ignores_key_the_memo(project: Make,
                                                        analyses: list[int]) -> None:
    root = project(FILES)
    whole = codes(root)
    one = [d.code for d in engine.check([root / "requirements.txt"]).diagnostics]
    assert one == ["MLR201", "MLR203"] and len(analyses) == 2
    (root / "pyproject.toml").write_text(
        f'{FILES["pyproject.toml"]!s}[tool.mlready.per-file-ignores]\n'
        '"requirements.txt" = ["MLR201"]\n', encoding="utf-8")
    assert codes(root) == [c for c in whole if c != "MLR201"]
    assert len(analyses) == 3


def test_exclude_patterns_key_the_memo(project: Make, analyses: list[int]) -> None:
    """With only MLR110 selected, pyproject.toml is not read, so its content is not in the
    key: the excludes must be (a git-ignored config they cover changes the answer)."""
    import subprocess

    root = project({".gitignore": "configs/local.yaml\n", "configs/local.yaml": "lr: 1\n",
                    "train.py": 'from omegaconf import OmegaConf\n'
                                'OmegaConf.load("configs/local.yaml")\n'})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    assert codes(root, select=["MLR110"]) == ["MLR110"]
    (root / "pyproject.toml").write_text(
        "[project]\nname = 'p'\n[tool.mlready]\nextend-exclude = ['configs']\n",
        encoding="utf-8")
    assert codes(root, select=["MLR110"]) == []
    assert len(analyses) == 2


def test_a_corrupted_memo_is_recomputed(project: Make, analyses: list[int]) -> None:
    root = project(FILES)
    first = codes(root)
    (memo,) = (entry for entry in (root / ".mlready_cache").rglob("runs/*.json")
               if '"key"' in entry.read_text("utf-8")[:100])  # not the project index
    for bad in ("{not json", "", "[]", json.dumps({"format": 1, "key": 3})):
        memo.write_text(bad, encoding="utf-8")
        assert codes(root) == first
    assert len(analyses) == 5


def test_a_fully_remembered_run_imports_no_rule_and_parses_nothing(project: Make) -> None:
    """What keeps the one-file pre-commit run fast (bench/bench_check.py, measure (c))."""
    root = project(FILES)
    probe = (
        "import sys\n"
        "from mlready.cli import main\n"
        "code = main(['check', '--force-exclude', 'requirements.txt'])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('mlready.hooks.rules.')\n"
        "                or m in ('mlready.hooks.analysis', 'mlready.hooks.parsing'))\n"
        "print(code, loaded)\n")
    run = [sys.executable, "-c", probe]
    first = subprocess.run(run, cwd=root, capture_output=True, text=True, check=True)
    second = subprocess.run(run, cwd=root, capture_output=True, text=True, check=True)
    assert "mlready.hooks.rules.deps.unpinned_requirement" in first.stdout
    assert second.stdout.splitlines()[-1] == "1 ['mlready.hooks.rules._index']"
    assert first.stdout.splitlines()[:-1] == second.stdout.splitlines()[:-1]
    assert "MLR201" in second.stdout


DISK_CALLS = {"exists", "is_file", "is_dir", "iterdir", "glob", "rglob", "read_text",
              "read_bytes", "listdir", "scandir", "stat", "walk", "open"}


def test_rules_reach_the_disk_only_through_the_recorded_probes() -> None:
    """A rule that looked at the disk itself would make a remembered run stale. Calls on
    ``disk`` (the probes), ``deps`` (which asks them) and ``ast`` are fine, and so is a
    rule reading the very file it analyses (``(ctx.root / ctx.path)``): that file's
    content is what its cache entry is keyed by. Every family folder is searched."""
    import io
    import tokenize

    import mlready.hooks.rules as rules

    offenders = []
    for source in sorted(Path(rules.__file__).parent.rglob("*.py")):
        if source.name == "__main__.py":  # the index generator, not a rule
            continue
        tokens = list(tokenize.generate_tokens(io.StringIO(source.read_text("utf-8")).readline))
        for owner, dot, name, paren in zip(tokens, tokens[1:], tokens[2:], tokens[3:],
                                           strict=False):
            if name.type != tokenize.NAME or name.string not in DISK_CALLS \
                    or paren.string != "(" or dot.string == "def":
                continue
            own_file = owner.string == ")" and "(ctx.root / ctx.path)." in name.line
            method = dot.string == "." and owner.string not in ("disk", "deps", "ast") \
                and not own_file
            if method or (name.string == "open" and dot.string != "."):
                offenders.append(f"{source.name}:{name.start[0]}: {name.string}(")
    assert offenders == []


def test_the_project_table_is_parsed_on_every_run(project: Make) -> None:
    """``[tool.mlready]`` is never read back from the cache (which a repository could
    commit, `test_cache_safety.py`): an edit counts at once, and so does an error."""
    from mlready import config
    from mlready.hooks.rules import all_rules
    from mlready.hooks.settings import load

    root = project({"pyproject.toml": '[tool.mlready]\nignore = ["MLR201"]\n'})
    assert "MLR201" not in {r.code for r in load(root, all_rules(), Overrides()).rules}
    (root / "pyproject.toml").write_text('[tool.mlready]\nignore = ["MLR203"]\n',
                                         encoding="utf-8")
    assert "MLR201" in {r.code for r in load(root, all_rules(), Overrides()).rules}
    (root / "pyproject.toml").write_text('[tool.mlready]\nselekt = ["MLR1"]\n',
                                         encoding="utf-8")
    for _ in range(2):
        with pytest.raises(config.ConfigError, match=r"unknown key `tool\.mlready\.selekt`"):
            load(root, all_rules(), Overrides())


def test_a_file_saved_during_a_run_is_not_remembered_at_the_wrong_content(
        project: Make, analyses: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo is keyed by the bytes hashed before analysis; an editor saving a file in
    between must not leave the new content's findings under the old content's key."""
    from mlready.hooks import analysis

    root = project(FILES)
    old = (root / "requirements.txt").read_text(encoding="utf-8")
    real = analysis.analyse_many
    saves = ["torch==2.3.1\n-r extra.txt\n"]

    def save_first(*args: object, **kwargs: object) -> object:
        if saves:
            (root / "requirements.txt").write_text(saves.pop(), encoding="utf-8")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "analyse_many", save_first)
    assert "MLR201" not in codes(root)  # computed from the saved content
    (root / "requirements.txt").write_text(old, encoding="utf-8")
    assert codes(root) == codes(root, no_cache=True)
    assert "MLR201" in codes(root)


def test_a_file_replaced_with_the_same_size_and_time_is_seen(project: Make,
                                                              analyses: list[int]) -> None:
    """``cp -p``, an unpacked archive: answers are compared, not timestamps."""
    import os

    usage = "# P\n\n```\npip install .\npython train.py\npython evaluate.py\n```\n"
    root = project({**FILES, "README.md": usage})
    assert "MLR602" not in codes(root)
    readme = root / "README.md"
    before = readme.stat()
    readme.write_text("# P" + " " * (len(usage) - 4) + "\n", encoding="utf-8")
    os.utime(readme, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert readme.stat().st_size == before.st_size
    assert "MLR602" in codes(root)
    assert len(analyses) == 2


def test_git_writing_its_own_folder_keeps_the_memo(project: Make, analyses: list[int]) -> None:
    """The README rules ask whether ``.git`` exists; git writing its index must not
    count as a change (every commit would otherwise recompute)."""
    root = project(FILES)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / ".git" / "info" / "exclude").write_text(".mlready_cache/\n", encoding="utf-8")
    first = codes(root)
    (root / ".git" / "index.lock").write_text("x", encoding="utf-8")
    (root / ".git" / "index.lock").unlink()
    assert codes(root) == first
    assert len(analyses) == 1


def test_a_cache_folder_deleted_during_a_process_is_recreated(project: Make,
                                                              analyses: list[int]) -> None:
    import shutil

    root = project(FILES)
    codes(root)
    shutil.rmtree(root / ".mlready_cache")
    codes(root)
    assert list((root / ".mlready_cache").rglob("runs/*.json"))
    codes(root)
    assert len(analyses) == 2


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The project files the memo reads to key a run (not the probes' reads)."""
    from mlready.hooks import memo

    seen: list[str] = []
    real = memo.read_regular

    def spy(path: Path, *args: object, **kwargs: object) -> bytes:
        seen.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(memo, "read_regular", spy)
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as unchanged for long enough to be indexed as soon as they are seen
    (in a test every file was written a moment ago, which is the ambiguous case)."""
    from mlready.hooks import project_index

    monkeypatch.setattr(project_index, "RACY_NS", 0)


def test_an_unchanged_file_is_known_by_its_stat_not_read_again(
        project: Make, analyses: list[int], reads: list[str], settled: None) -> None:
    root = project(FILES)
    first = codes(root)
    assert sorted(reads) == ["nb.ipynb", "pyproject.toml", "requirements.txt", "train.py"]
    reads.clear()
    assert codes(root) == first and reads == [] and len(analyses) == 1
    (root / "train.py").write_text("import random\nprint(random.random())\n", "utf-8")
    assert codes(root) == codes(root, no_cache=True) and reads == ["train.py"]


def test_a_file_rewritten_with_its_size_and_time_is_seen_though_indexed(
        project: Make, analyses: list[int], settled: None) -> None:
    """Same size, the old modification time put back, even the same inode: the status
    change time, which only the kernel sets, still tells."""
    import os

    root = project(FILES)
    assert "MLR201" in codes(root)
    requirements = root / "requirements.txt"
    before = requirements.stat()
    with requirements.open("r+", encoding="utf-8") as handle:  # in place: same inode
        handle.write("torch>=2\n-r extra.txt\n".replace(">=", "=="))
    os.utime(requirements, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = requirements.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)
    assert codes(root) == codes(root, no_cache=True)
    assert "MLR201" not in codes(root)


def test_a_file_changed_just_before_the_run_is_not_trusted_by_its_stat(
        project: Make, reads: list[str]) -> None:
    """Within one tick of the filesystem's clock a second write can keep the signature:
    a file changed that recently is read and hashed again on the next run."""
    from mlready.hooks import project_index
    from mlready.hooks.rules import all_rules
    from mlready.hooks.settings import load

    root = project(FILES)
    codes(root)
    reads.clear()
    codes(root)
    assert sorted(reads) == ["nb.ipynb", "pyproject.toml", "requirements.txt", "train.py"]
    sig = project_index.signature(root / "train.py")
    assert sig is not None
    cache = engine.make_cache(load(root, all_rules(), Overrides()))
    assert cache is not None
    index = project_index.ProjectIndex.load(cache)
    index.save({"train.py": (sig, "d" * 32)}, ["train.py"])
    assert project_index.ProjectIndex.load(cache).known("train.py", sig) is None
    old = (sig[0], sig[1] - 10 * project_index.RACY_NS, sig[2] - 10 * project_index.RACY_NS, sig[3])
    index.save({"train.py": (old, "d" * 32)}, ["train.py"])
    assert project_index.ProjectIndex.load(cache).known("train.py", old) == "d" * 32


def test_a_project_too_large_to_hash_first_is_remembered_from_its_second_run(
        project: Make, analyses: list[int], reads: list[str], settled: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from mlready.hooks import memo

    monkeypatch.setattr(memo, "MAX_BYTES", 10)
    root = project(FILES)
    first = codes(root)
    assert reads == []  # too much to hash before the run: keyed by what the run read
    assert codes(root) == first and codes(root) == first
    assert len(analyses) == 1 and reads == []
    (root / "train.py").write_text("import random\nprint(random.random())\n", "utf-8")
    assert codes(root) == codes(root, no_cache=True) and len(analyses) == 3


def test_after_an_edit_only_the_edited_file_is_read_and_no_pool_is_started(
        project: Make, settled: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual commit: every other file is known by its stat, its result (facts for
    the cross-file rules) comes from the cache unread, and one file is no pool's work."""
    from mlready.hooks import analysis, pool
    from mlready.hooks import cache as caching

    files = {**FILES, **{f"pkg/m{n}.py": f"def f{n}():\n    return {n}\n" for n in range(12)}}
    root = project(files)
    engine.check([root], jobs=2, min_parallel_bytes=0)
    read: list[str] = []
    real = analysis._read

    def spy(root_: str, path: str, *args: object, **kwargs: object) -> object:
        read.append(path)
        return real(root_, path, *args, **kwargs)  # type: ignore[arg-type]

    def no_pool() -> None:
        raise AssertionError("a pool was started")

    entries: list[str] = []  # per-file cache entries looked up
    real_get = caching.Cache.get

    def get_spy(self: caching.Cache, path: str, *args: Any) -> Any:
        entries.append(path)
        return real_get(self, path, *args)

    monkeypatch.setattr(analysis, "_read", spy)
    monkeypatch.setattr(pool, "_pool_context", no_pool)
    monkeypatch.setattr(caching.Cache, "get", get_spy)
    (root / "train.py").write_text("import random\nprint(random.random())\n", "utf-8")
    edited = engine.check([root / "train.py"], jobs=2, min_parallel_bytes=0)
    # the others' facts come from the one project index, not one entry each
    assert read == ["train.py"] and set(entries) == {"train.py"}
    assert edited.diagnostics == engine.check([root / "train.py"], Overrides(no_cache=True),
                                              jobs=1).diagnostics



def test_a_one_file_run_stats_each_other_file_of_the_project_once(
        project: Make, settled: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery's stat (is it a regular file?) is the signature the index knows an
    unchanged file by: a one-file run does not stat the project twice."""
    import os

    files = {**FILES, **{f"pkg/m{n}.py": f"def f{n}():\n    return {n}\n" for n in range(5)}}
    root = project(files)
    engine.check([root])
    stats: dict[str, int] = {}
    for name in ("stat", "lstat"):
        real = getattr(os, name)

        def spy(path: Any, *args: Any, real: Any = real, **kwargs: Any) -> Any:
            key = os.fspath(path) if isinstance(path, (str, os.PathLike)) else ""
            stats[key] = stats.get(key, 0) + 1
            return real(path, *args, **kwargs)
        monkeypatch.setattr(os, name, spy)
    (root / "train.py").write_text("import random\nprint(random.random())\n", "utf-8")
    edited = engine.check([root / "train.py"])
    # (pyproject.toml is the settings' file too: finding and loading them stats it)
    others = [name for name in files if name not in ("train.py", "pyproject.toml")]
    assert {name: stats.get(str(root / name), 0) for name in others} == dict.fromkeys(others, 1)
    assert edited.diagnostics == engine.check([root / "train.py"],
                                              Overrides(no_cache=True)).diagnostics


# --- the cross-file pass: a rule's result is reused only while its inputs hold ---------

SEEDING_HELPER = ("import random\n\nimport torch\n\n\ndef seed_everything(seed: int) -> None:\n"
                  "    random.seed(seed)\n    torch.manual_seed(seed)\n")
SEEDED_TRAIN = ("import torch\n\nfrom utils.seed import seed_everything\n\n\n"
                "def main() -> None:\n    seed_everything(0)\n    print(torch.randn(3))\n\n\n"
                'if __name__ == "__main__":\n    main()\n')
DRAWING_HELPER = "import torch\n\n\ndef sample():\n    return torch.randn(3)\n"
DRAWING_RUN = 'from utils.draw import sample\n\nif __name__ == "__main__":\n    print(sample())\n'
UNSEEDED = ("train.py", 8, "MLR003")  # torch drawn in the entrypoint, never seeded
DRAWN = ("run.py", 4, "MLR003")  # torch drawn in the helper the entrypoint calls


@pytest.fixture
def finalized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The codes of the cross-file rules whose finalize ran (not reused)."""
    from mlready.hooks import finalize

    ran: list[str] = []
    real = finalize.finalize

    def spy(rule: Any, *args: Any, **kwargs: Any) -> Any:
        ran.append(rule.code)
        return real(rule, *args, **kwargs)

    monkeypatch.setattr(finalize, "finalize", spy)
    return ran


def hook(root: Path, name: str = "train.py") -> list[tuple[str, int, str]]:
    """The one-file hook's findings on ``name``; asserted equal to an uncached run's."""
    found = engine.check([root / name]).diagnostics
    assert found == engine.check([root / name], Overrides(no_cache=True)).diagnostics
    return [(d.path, d.line, d.code) for d in found]


def seeded(project: Make) -> Path:
    return project({"utils/__init__.py": "", "utils/seed.py": SEEDING_HELPER,
                    "train.py": SEEDED_TRAIN, "utils/draw.py": DRAWING_HELPER,
                    "run.py": DRAWING_RUN})


def test_an_edit_that_leaves_the_facts_as_they_were_runs_no_cross_file_rule(
        project: Make, finalized: list[str]) -> None:
    root = seeded(project)
    first = hook(root)
    assert "MLR001" in finalized
    finalized.clear()
    with (root / "train.py").open("a", encoding="utf-8") as handle:
        handle.write("# a comment at the end moves nothing\n")
    found = engine.check([root / "train.py"]).diagnostics
    assert [(d.path, d.line, d.code) for d in found] == first and finalized == []


def test_a_same_size_same_time_rewrite_of_an_unnamed_file_is_seen(project: Make) -> None:
    """The helper stops seeding torch, same size, the old modification time put back, the
    same inode, just written (the stat is ambiguous): its content is hashed, its facts
    change, and the seeding rules run again."""
    import os

    root = seeded(project)
    assert UNSEEDED not in hook(root)
    helper = root / "utils" / "seed.py"
    before = helper.stat()
    with helper.open("r+", encoding="utf-8") as handle:  # in place: same inode
        handle.write(SEEDING_HELPER.replace("torch.manual_seed(seed)", "random.seed(seed)      "))
    os.utime(helper, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = helper.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)
    assert UNSEEDED in hook(root)


def test_a_facts_change_in_an_unnamed_file_is_seen(project: Make, settled: None) -> None:
    root = seeded(project)
    assert UNSEEDED not in hook(root)
    hook(root)  # every file indexed by its stat now
    (root / "utils" / "seed.py").write_text(
        SEEDING_HELPER.replace("    torch.manual_seed(seed)\n", ""), "utf-8")
    assert UNSEEDED in hook(root)


@pytest.mark.parametrize("change", ["deleted", "renamed"])
def test_a_deleted_or_renamed_unnamed_file_is_seen(project: Make, settled: None,
                                                   change: str) -> None:
    """The helper that draws goes: a call of an unknown function is no draw."""
    root = seeded(project)
    assert DRAWN in hook(root, "run.py")
    assert DRAWN in hook(root, "run.py")
    helper = root / "utils" / "draw.py"
    if change == "deleted":
        helper.unlink()
    else:
        helper.rename(root / "utils" / "drawing.py")
    assert DRAWN not in hook(root, "run.py")


def test_a_rule_metric_that_is_not_json_is_computed_again_not_kept(
        project: Make, fake_rules: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """The index keeps rule results as JSON; a summary holding a set is simply not kept."""
    duplicate = next(r for r in fake_rules if r.code == "MLR992")
    monkeypatch.setattr(duplicate.module, "summarize",
                        lambda project: {"paths": set(project.facts)})
    root = project({"a.py": "def f():\n    pass\n", "b.py": "def f():\n    pass\n"})
    first = engine.check([root / "a.py"])
    (root / "a.py").write_text("def f():\n    pass\n# edited\n", "utf-8")
    second = engine.check([root / "a.py"])
    assert second.metrics == first.metrics == {"duplicate-function": {"paths": {"a.py", "b.py"}}}
    assert [d.code for d in second.diagnostics] == ["MLR992"]


def test_a_comment_edit_reads_no_other_files_facts(project: Make, settled: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual commit on a large project: the named file's facts are compared with the
    index's table, every rule's result holds, and the base of every other file's facts
    (14 MB for torch's tree) is not read at all."""
    from mlready.hooks import facts_index

    files = {**FILES, "utils/__init__.py": "", "utils/seed.py": SEEDING_HELPER,
             "train.py": SEEDED_TRAIN, "utils/draw.py": DRAWING_HELPER, "run.py": DRAWING_RUN,
             **{f"pkg/m{n}.py": f"def f{n}():\n    return {n}\n" for n in range(80)}}
    root = project(files)
    first = hook(root)
    hook(root)  # every file indexed by its stat now
    bases: list[int] = []
    real = facts_index.FactsIndex.base.fget
    assert real is not None
    monkeypatch.setattr(facts_index.FactsIndex, "base",
                        property(lambda self: bases.append(1) or real(self)))
    with (root / "train.py").open("a", encoding="utf-8") as handle:
        handle.write("# a comment at the end moves nothing\n")
    found = engine.check([root / "train.py"]).diagnostics
    assert [(d.path, d.line, d.code) for d in found] == first and bases == []


def test_a_facts_change_in_the_named_file_reruns_only_the_rules_it_touches(
        project: Make, settled: None, finalized: list[str]) -> None:
    root = seeded(project)
    hook(root)
    hook(root)
    finalized.clear()
    (root / "train.py").write_text(SEEDED_TRAIN.replace("    seed_everything(0)\n", ""), "utf-8")
    found = engine.check([root / "train.py"]).diagnostics
    assert UNSEEDED[2] in [d.code for d in found]
    assert "MLR003" in finalized and "MLR201" not in finalized  # deps facts as they were


def test_a_file_unreadable_for_one_run_then_restored_is_seen(project: Make,
                                                            settled: None) -> None:
    """The helper that draws grows past the size limit (no facts: a call of an unknown
    function is no draw), then gets its old content back: the index had facts for that
    content, but the results of the run in between were computed without them, so they
    are not reused (the file's facts are gone from the index's table, not only unsaved)."""
    root = seeded(project)
    (root / "pyproject.toml").write_text(
        "[project]\nname = 'p'\n\n[tool.mlready]\nmax-file-size = 0.001\n", "utf-8")
    assert DRAWN in hook(root, "run.py")
    hook(root, "run.py")
    helper = root / "utils" / "draw.py"
    helper.write_text(DRAWING_HELPER + "#" * 2000 + "\n", "utf-8")
    assert DRAWN not in hook(root, "run.py")
    helper.write_text(DRAWING_HELPER, "utf-8")
    with (root / "run.py").open("a", encoding="utf-8") as handle:  # not the memo's answer
        handle.write("# a comment at the end moves nothing\n")
    assert DRAWN in hook(root, "run.py")


def test_facts_the_table_promises_but_no_base_holds_are_read_again(
        project: Make, settled: None, finalized: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another run folded the index meanwhile and its base is gone: the table still says
    the index has every other file's facts, so they are served unread, and when a rule
    re-runs and asks, each comes from its cache entry (or is analysed again)."""
    from mlready.hooks import analysis, project_index
    from mlready.hooks.rules import all_rules
    from mlready.hooks.settings import load

    again: list[str] = []
    real = analysis._facts_again

    def spy(job: Any, path: str, *args: Any) -> Any:
        again.append(path)
        return real(job, path, *args)

    monkeypatch.setattr(analysis, "_facts_again", spy)
    root = seeded(project)
    hook(root, "run.py")
    hook(root, "run.py")
    cache = engine.make_cache(load(root, all_rules(), Overrides()))
    assert cache is not None
    base = project_index.ProjectIndex.load(cache).recent.base
    assert base is not None
    project_index.ProjectIndex._path(cache, f"facts {base}").unlink()
    for entry in cache.directory.joinpath(cache.salt).glob("*.json"):
        entry.unlink()  # and the per-file entries: analysed again
    finalized.clear()
    (root / "utils" / "draw.py").write_text(DRAWING_HELPER.replace("torch.randn(3)", "3"),
                                            "utf-8")
    assert DRAWN not in hook(root, "run.py")
    assert "MLR003" in finalized and "utils/seed.py" in again
