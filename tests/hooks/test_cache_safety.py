"""The cache never deletes what is not its own, and never decides a result it did not
compute: real folders, real symlinks, real git repositories, `mlready check` end to end.

"Another machine" is another key folder (``XDG_CACHE_HOME``): the same project path and
the same cache scheme, only the per-machine secret differs (`mlready.hooks.machine_key`).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mlready.cli import main
from mlready.config import ConfigError
from mlready.hooks import cache as caching
from mlready.hooks import cache_dir, engine
from mlready.hooks.rules import Rule

Make = Callable[[dict[str, str | bytes]], Path]
OLD = time.time() - cache_dir.PRUNE_AFTER_S - 10 * 24 * 3600  # forty days ago
HEX32 = "0123456789abcdef" * 2
FILES: dict[str, str | bytes] = {"train.py": "def train():\n    print(1)\n",
                                 "util.py": "def train():\n    print(2)\n"}


@pytest.fixture(autouse=True)
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test on its own machine (a key folder outside the project), with the code's
    stat held still (see test_cache.py), no cache folder from the environment, and no
    folder remembered as checked by an earlier test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-a"))
    monkeypatch.delenv(cache_dir.ENV, raising=False)
    monkeypatch.setattr(engine, "_sources", list)
    caching._READY.clear()
    yield
    caching._READY.clear()


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    caching._READY.clear()  # as a new process would
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def age(*paths: Path) -> None:
    for path in paths:
        os.utime(path, (OLD, OLD), follow_symlinks=False)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                        "PATH": os.environ["PATH"], "HOME": str(root)})


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ------------------------------------------------------------ 1. never deletes or writes


def test_a_sibling_cache_dir_with_someone_elses_folders_is_refused_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fake_rules: tuple[Rule, ...]) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.mlready]\ncache-dir = "../v"\n',
                                            encoding="utf-8")
    (project / "train.py").write_text("print(1)\n", encoding="utf-8")
    models = tmp_path / "v" / "models"
    models.mkdir(parents=True)
    (models / "weights.bin").write_bytes(b"\0" * 64)
    age(models / "weights.bin", models, models.parent)
    code, out, err = check(capsys, str(project))
    assert (code, out) == (2, "")
    assert err == (f"error: {tmp_path / 'v'}: cannot be the cache folder (cache-dir in "
                   f"{project / 'pyproject.toml'}): it holds files that are not mlready's "
                   "cache (it has no CACHEDIR.TAG of mlready's); give the cache a new or "
                   "empty folder\n")
    assert tree(tmp_path / "v") == ["models", "models/weights.bin"]
    # A new folder there is fine: created, tagged, used.
    (project / "pyproject.toml").write_text('[tool.mlready]\ncache-dir = "../w"\n',
                                            encoding="utf-8")
    assert check(capsys, str(project))[0] == 1
    assert (tmp_path / "w" / "CACHEDIR.TAG").read_text("utf-8") == cache_dir.CACHEDIR_TAG


@pytest.mark.parametrize(("setting", "problem"), [
    (".", "it is the project root"),
    ("src/..", "it is the project root"),
    ("", "it is the project root"),
    ("..", "it holds the project"),
])
def test_the_project_root_or_a_folder_above_it_is_refused(
        project: Make, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...],
        setting: str, problem: str) -> None:
    root = project({"pyproject.toml": f'[tool.mlready]\ncache-dir = "{setting}"\n',
                    "src/model.py": "x = 1\n", "data/train.csv": "a,b\n",
                    ".gitignore": "*.ckpt\n"})
    age(root / "src" / "model.py", root / "src", root / "data" / "train.csv", root / "data")
    before = tree(root.parent)
    code, out, err = check(capsys, str(root))
    assert (code, out) == (2, "")
    assert f"cannot be the cache folder (cache-dir in {root / 'pyproject.toml'}): {problem}" \
        in err and err.count("\n") == 1
    assert tree(root.parent) == before
    assert (root / ".gitignore").read_text("utf-8") == "*.ckpt\n"


def test_the_environment_variable_is_checked_the_same_way(
        project: Make, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(FILES)
    monkeypatch.setenv(cache_dir.ENV, str(root.parent))
    code, _, err = check(capsys, str(root))
    assert code == 2
    assert err == (f"error: {root.parent}: cannot be the cache folder ($MLREADY_CACHE_DIR): "
                   "it holds the project; give the cache a folder of its own\n")


def test_a_committed_symlink_to_a_parent_is_never_followed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fake_rules: tuple[Rule, ...]) -> None:
    """``.mlready_cache -> ..`` committed to a repository: the folder beside the checkout
    (another project, here with a month-old folder) must survive the first run."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (root / "train.py").write_text("print(1)\n", encoding="utf-8")
    (root / ".mlready_cache").symlink_to("..")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a symlinked cache")
    sibling = tmp_path / "other-project" / "src"
    sibling.mkdir(parents=True)
    (sibling / "main.py").write_text("x = 1\n", encoding="utf-8")
    age(sibling / "main.py", sibling, sibling.parent)
    code, _, err = check(capsys, str(root))
    assert code == 2
    assert err == (f"error: {root / '.mlready_cache'}: cannot be the cache folder (the default "
                   "cache folder): it is a symbolic link, which mlready does not follow for "
                   "its cache\n")
    assert (sibling / "main.py").read_text("utf-8") == "x = 1\n"
    assert not (tmp_path / "CACHEDIR.TAG").exists() and not (tmp_path / ".gitignore").exists()


def test_links_inside_the_cache_are_never_followed(
        project: Make, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fake_rules: tuple[Rule, ...]) -> None:
    """A salt folder, ``runs``, ``bases`` or the prune marker that is a link: no write
    goes through it, and pruning neither deletes nor creates anything at its target."""
    root = project(FILES)
    assert check(capsys, str(root))[0] == 1
    cache = root / ".mlready_cache"
    (salt,) = [p for p in cache.iterdir() if p.is_dir()]
    victim = tmp_path / "victim"
    (victim / "0123456789abcdef").mkdir(parents=True)
    (victim / f"{HEX32}.json").write_text("precious\n", encoding="utf-8")
    age(victim / f"{HEX32}.json", victim / "0123456789abcdef", victim)
    for entry in (salt / "runs").iterdir():
        entry.unlink()
    (salt / "runs").rmdir()
    (salt / "runs").symlink_to(victim)
    (cache / "bases").symlink_to(victim)
    (cache / ".pruned").unlink()
    (cache / ".pruned").symlink_to(victim / "marker")  # dangling: a touch would create it
    before = tree(victim)
    (root / "train.py").write_text("print(3)\n", encoding="utf-8")  # a run that writes
    assert check(capsys, str(root))[0] == 1
    assert tree(victim) == before == ["0123456789abcdef", f"{HEX32}.json"]
    assert (cache / ".pruned").is_file() and not (cache / ".pruned").is_symlink()
    # The salt folder itself a link: nothing is written into its target.
    target = tmp_path / "elsewhere"
    target.mkdir()
    for entry in salt.iterdir():
        entry.unlink()
    salt.rmdir()
    salt.symlink_to(target)
    (root / "train.py").write_text("print(4)\n", encoding="utf-8")
    assert check(capsys, str(root)) == check(capsys, "--no-cache", str(root))
    assert list(target.iterdir()) == []


def test_pruning_deletes_only_what_is_named_as_ours(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert cache_dir.ready(cache, cache)  # new: created and tagged
    salt = cache / "0123456789abcdef"
    (salt / "runs").mkdir(parents=True)
    files = {
        f"{HEX32}.json": True,                   # an entry
        f"0123456789abcdef/{HEX32}.json": True,  # an entry
        f"0123456789abcdef/runs/{HEX32}.json": True,  # a memo
        ".tmp-12-3-0badc0de": True,              # a temporary file a killed run left
        "tool-table.json": True,                 # an older release's settings memo
        "models/weights.json": False,            # not a name we give
        f"models/{HEX32}.json": False,           # ours by name, but not in our folder
        "0123456789abcdef/notes.txt": False,
        f"{HEX32}.json.bak": False,
        "README": False,
    }
    for name in files:
        (cache / name).parent.mkdir(parents=True, exist_ok=True)
        (cache / name).write_text("x\n", encoding="utf-8")
    empty_salt = cache / "fedcba9876543210"
    empty_salt.mkdir()
    (cache / "link.json").symlink_to(tmp_path / "outside.json")
    (tmp_path / "outside.json").write_text("x\n", encoding="utf-8")
    age(*(cache / n for n in files), empty_salt, salt / "runs", salt, cache / "models",
        cache / "link.json", tmp_path / "outside.json")
    cache_dir.prune(cache)
    assert {n: (cache / n).exists() for n in files} == {n: not ours for n, ours in
                                                         files.items()}
    assert not empty_salt.exists() and salt.is_dir()  # notes.txt keeps its folder
    assert not (salt / "runs").exists()
    assert (tmp_path / "outside.json").exists() and (cache / "link.json").is_symlink()
    # A folder without our tag is never pruned, whatever its names.
    untagged = tmp_path / "untagged"
    untagged.mkdir()
    (untagged / f"{HEX32}.json").write_text("x\n", encoding="utf-8")
    age(untagged / f"{HEX32}.json")
    cache_dir.prune(untagged)
    assert (untagged / f"{HEX32}.json").exists()


FOREIGN_TAG = (f"{cache_dir.SIGNATURE.decode()}\n"
               "# This file is a cache directory tag created by another tool.\n")


def test_another_tools_cachedir_tag_is_no_proof_the_folder_is_ours(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...]) -> None:
    """Every tool's tag starts with the spec's signature: only ours, word for word, lets
    mlready prune in a folder or write into one that holds other files."""
    theirs = tmp_path / "hub-cache"
    theirs.mkdir()
    (theirs / "CACHEDIR.TAG").write_text(FOREIGN_TAG, encoding="utf-8")
    stale = [theirs / f"{HEX32}.json", theirs / "0123456789abcdef" / f"{HEX32}.json"]
    stale[1].parent.mkdir()
    for path in stale:
        path.write_text("their model index\n", encoding="utf-8")
    age(*stale, stale[1].parent)
    cache_dir.prune(theirs)
    assert all(path.read_text("utf-8") == "their model index\n" for path in stale)
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.mlready]\ncache-dir = "../hub-cache"\n',
                                            encoding="utf-8")
    (project / "train.py").write_text("print(1)\n", encoding="utf-8")
    code, _, err = check(capsys, str(project))
    assert code == 2 and "it has no CACHEDIR.TAG of mlready's" in err
    assert tree(theirs) == sorted(["0123456789abcdef", f"0123456789abcdef/{HEX32}.json",
                                   "CACHEDIR.TAG", f"{HEX32}.json"])
    assert not cache_dir.ready(theirs, theirs / "0123456789abcdef")


def test_a_folder_with_other_files_is_refused_and_its_gitignore_kept(
        project: Make, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...]) -> None:
    root = project({**FILES, ".mlready_cache/.gitignore": "!keep-me\n",
                    ".mlready_cache/notes.txt": "mine\n"})
    code, _, err = check(capsys, str(root))
    assert code == 2 and "it has no CACHEDIR.TAG" in err
    assert tree(root / ".mlready_cache") == [".gitignore", "notes.txt"]
    assert (root / ".mlready_cache" / ".gitignore").read_text("utf-8") == "!keep-me\n"
    # An empty folder is taken (tagged); a tagged one keeps its own .gitignore.
    (root / ".mlready_cache" / ".gitignore").unlink()
    (root / ".mlready_cache" / "notes.txt").unlink()
    assert check(capsys, str(root))[0] == 1
    assert (root / ".mlready_cache" / ".gitignore").read_text("utf-8") == "*\n"
    (root / ".mlready_cache" / ".gitignore").write_text("# edited\n", encoding="utf-8")
    (root / "train.py").write_text("print(5)\n", encoding="utf-8")
    assert check(capsys, str(root))[0] == 1
    assert (root / ".mlready_cache" / ".gitignore").read_text("utf-8") == "# edited\n"


# ---------------------------------------------------------------- 2. never decides


def test_a_committed_settings_memo_is_not_read(repo: Make, capsys: pytest.CaptureFixture[str],
                                               fake_rules: tuple[Rule, ...]) -> None:
    """An older release kept ``[tool.mlready]`` in ``.mlready_cache/tool-table.json``,
    keyed by pyproject.toml's bytes alone: committing one silenced every rule."""
    pyproject = "[project]\nname = 'p'\n"
    forged = json.dumps({"digest": caching.digest(pyproject.encode()),
                         "table": {"ignore": ["ALL"]}})
    root = repo({**FILES, "pyproject.toml": pyproject,
                 ".mlready_cache/CACHEDIR.TAG": cache_dir.CACHEDIR_TAG,
                 ".mlready_cache/tool-table.json": forged})
    uncached = check(capsys, "--no-cache", str(root))
    assert uncached[0] == 1 and "MLR990" in uncached[1]
    assert check(capsys, str(root)) == uncached


def _emptied(text: str) -> tuple[str, int]:
    """An entry with its findings emptied, and how many lists of findings that emptied:
    a stored result's, a remembered run's, or each cross-file rule's in the project
    index's facts part (a line of facts and results, then the facts values)."""
    head, newline, values = text.partition("\n")
    data = json.loads(head)
    count = 0
    if isinstance(data, dict) and "finalized" in data:  # the project index's facts part
        for record in (data["finalized"] or {"rules": {}})["rules"].values():
            count += bool(record["found"])
            record["found"] = []
        return json.dumps(data) + newline + values, count
    found = data.get("result", data) if isinstance(data, dict) else None  # file or run
    if isinstance(found, dict) and found.get("diagnostics"):
        found["diagnostics"] = []
        count += 1
    return json.dumps(data), count


def _tamper(folder: Path) -> int:
    """Empty the findings of every stored result, remembered run and the project index's
    cross-file results under ``folder``."""
    count = 0
    for entry in folder.rglob("*.json"):
        text, emptied = _emptied(entry.read_text("utf-8"))
        if emptied:
            entry.write_text(text, encoding="utf-8")
            count += emptied
    return count


def test_a_cache_written_on_another_machine_decides_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        fake_rules: tuple[Rule, ...]) -> None:
    """Entries made by the real scheme on another machine, then doctored and committed:
    per-file results (every one) and the remembered run."""
    root = tmp_path / "repo"
    root.mkdir()
    for name, text in {**FILES, "pyproject.toml": "[project]\nname = 'p'\n"}.items():
        (root / name).write_text(str(text), encoding="utf-8")
    git(root, "init", "-q")
    truth = check(capsys, "--no-cache", str(root))
    assert truth[0] == 1 and truth[1].count("MLR99") == 4
    assert check(capsys, str(root)) == truth  # machine A writes its cache
    cache = root / ".mlready_cache"
    # the memo, 2 files, and the cross-file rule's result in the project index
    assert list(cache.rglob("runs/*.json")) and _tamper(cache) == 4
    assert check(capsys, str(root))[:2] == (0, "All checks passed!\n")  # A trusts its own
    git(root, "add", "-A", "-f")  # past the cache's own .gitignore
    git(root, "commit", "-qm", "a doctored cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-b"))
    assert check(capsys, str(root)) == truth  # B reads none of it
    assert check(capsys, str(root)) == truth  # nor its own entries, beside A's, wrongly


def test_a_base_report_from_another_machine_is_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_rules: tuple[Rule, ...]) -> None:
    from mlready.scorecard.baseline import static_at_merge_base

    root = tmp_path / "repo"
    root.mkdir()
    for name, text in {**FILES, "pyproject.toml": "[project]\nname = 'p'\n"}.items():
        (root / name).write_text(str(text), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    (root / "util.py").write_text("x = 1\n", encoding="utf-8")
    git(root, "commit", "-qam", "head")
    store = root / ".mlready_cache"

    def base_codes() -> list[str]:
        report, _ = static_at_merge_base(root, "main", store=store)
        return sorted(d.code for d in report.diagnostics)

    truth = ["MLR990", "MLR990", "MLR992", "MLR992"]
    assert base_codes() == truth
    (entry,) = store.glob("bases/*.json")
    assert _tamper(store / "bases") == 1
    assert base_codes() == []  # read back on the machine that wrote it
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-b"))
    assert base_codes() == truth
    assert len(list(store.glob("bases/*.json"))) == 2 and entry.exists()


def test_mlready_cache_dir_moves_the_cache_out_of_the_checkout(
        project: Make, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, fake_rules: tuple[Rule, ...]) -> None:
    """What the Action does: the checkout's own cache folder (here junk a pull request
    committed, which would be refused) is then neither read nor written."""
    root = project({**FILES, "pyproject.toml": '[tool.mlready]\ncache-dir = "mine"\n',
                    ".mlready_cache/tool-table.json": "{}", "mine/notes.txt": "x\n"})
    outside = tmp_path / "runner-temp" / "mlready-cache"
    monkeypatch.setenv(cache_dir.ENV, str(outside))
    truth = check(capsys, "--no-cache", str(root))
    assert check(capsys, str(root)) == truth and truth[0] == 1
    assert cache_dir.tagged(outside) and list(outside.rglob("runs/*.json"))
    assert tree(root / ".mlready_cache") == ["tool-table.json"]
    assert tree(root / "mine") == ["notes.txt"]
    # Relative to where the command runs, as RUFF_CACHE_DIR is.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(cache_dir.ENV, "rel-cache")
    assert check(capsys, str(root)) == truth
    assert cache_dir.tagged(tmp_path / "rel-cache")


def test_without_a_key_of_its_own_nothing_is_cached(
        project: Make, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, fake_rules: tuple[Rule, ...]) -> None:
    from mlready.hooks import machine_key

    root = project(FILES)
    truth = check(capsys, "--no-cache", str(root))
    # A key inside the project could have been committed with it: not used.
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / ".cache"))
    assert check(capsys, str(root)) == truth
    assert not (root / ".mlready_cache").exists()
    # A key that is a link (to a key anyone can read): not used.
    shared = tmp_path / "shared-key"
    shared.write_bytes(b"k" * machine_key.KEY_BYTES)
    linked = tmp_path / "machine-c"
    (linked / "mlready").mkdir(parents=True)
    (linked / "mlready" / "machine-key").symlink_to(shared)
    monkeypatch.setenv("XDG_CACHE_HOME", str(linked))
    assert check(capsys, str(root)) == truth
    assert not (root / ".mlready_cache").exists()
    # A fresh machine makes its key, readable by its owner alone.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-d"))
    assert check(capsys, str(root)) == truth
    key = tmp_path / "machine-d" / "mlready" / "machine-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.stat().st_size == 32
    assert (root / ".mlready_cache" / "CACHEDIR.TAG").is_file()


# ------------------------------------------------ 3. a folder another local user can write

NOBODY = 65534


def _as_another_user(path: Path) -> None:
    """Make ``path`` look written by someone else: another owner where this test may
    give one away (root, as in CI), and writable by all in any case (which it would
    have to be, or be in a folder that is, for someone else to have put it there)."""
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
    path.chmod(0o666 if path.is_file() else 0o777)


def _plant(folder: Path) -> dict[Path, str]:
    """What another user can do in a folder they can write: replace each stored result
    and remembered run with one of their own (findings emptied), under the same name."""
    planted = {}
    for entry in sorted(folder.rglob("*.json")):
        text, _ = _emptied(entry.read_text("utf-8"))
        entry.unlink()
        entry.write_text(text, encoding="utf-8")
        _as_another_user(entry)
        planted[entry] = entry.read_text("utf-8")
    return planted


def test_a_shared_cache_folder_that_others_can_write_is_neither_read_nor_pruned(
        project: Make, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...]) -> None:
    root = project(FILES)
    truth = check(capsys, "--no-cache", str(root))
    assert truth[0] == 1 and check(capsys, str(root)) == truth
    cache = root / ".mlready_cache"
    (salt,) = [p for p in cache.iterdir() if p.is_dir()]
    for folder in (cache, salt, salt / "runs"):
        folder.chmod(0o777)  # a folder shared with a group, say
    planted = _plant(cache)
    assert len([p for p in planted if p.parent.name != "runs"]) == 3  # the files' results
    assert check(capsys, str(root)) == truth
    age(*planted, salt / "runs", salt)
    cache_dir.prune(cache, now=time.time() + 2 * cache_dir.PRUNE_EVERY_S)
    assert {p: p.read_text("utf-8") for p in planted} == planted  # nothing deleted


def test_an_entry_someone_else_wrote_in_our_folder_is_not_read_replaced_or_pruned(
        project: Make, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...]) -> None:
    root = project(FILES)
    truth = check(capsys, "--no-cache", str(root))
    assert check(capsys, str(root)) == truth
    planted = _plant(root / ".mlready_cache")
    assert check(capsys, str(root)) == truth  # computed again, not read
    assert check(capsys, str(root)) == truth
    assert {p: p.read_text("utf-8") for p in planted} == planted  # and never written over
    age(*planted)
    cache_dir.prune(root / ".mlready_cache", now=time.time() + 2 * cache_dir.PRUNE_EVERY_S)
    assert all(p.exists() for p in planted)


def test_entry_names_are_keyed_by_the_machine_key(tmp_path: Path) -> None:
    """A name anyone could compute (a plain hash of path and content) would let whoever
    can write the folder put an entry exactly where this machine will look."""
    a = caching.Cache(tmp_path, "0123456789abcdef", b"a" * 32)
    b = caching.Cache(tmp_path, "0123456789abcdef", b"b" * 32)
    for cache in (a, b):
        assert cache_dir.ours(cache._entry("train.py", "python", HEX32).name, folder=False)
    assert a._entry("train.py", "python", HEX32) != b._entry("train.py", "python", HEX32)
    plain = caching.digest(f"train.py\0python\0{HEX32}".encode())
    assert a._entry("train.py", "python", HEX32).stem != plain
    assert a.name("slot") != b.name("slot")


# ------------------------------------------------------- 4. the checker never reads itself


def test_a_cache_folder_inside_the_project_is_never_checked(
        project: Make, repo: Make, capsys: pytest.CaptureFixture[str],
        fake_rules: tuple[Rule, ...]) -> None:
    """Outside git nothing hides a ``cache-dir`` of another name than the default: its
    entries are JSON, which would be read, and counted, as the project's configs."""
    root = project({**FILES, "pyproject.toml": '[tool.mlready]\ncache-dir = "store"\n',
                    "conf.json": "{}\n"})
    first = engine.check([root])
    second = engine.check([root])
    assert list((root / "store").rglob("*.json"))
    assert first.files_checked == second.files_checked == 4
    assert engine.check([root / "store"]).files_checked == 0
    (entry,) = [p for p in (root / "store").rglob("*.json") if "runs" not in p.parts][:1]
    assert engine.check([entry]).files_checked == 0
    # An old cache folder (ours by its tag) is skipped too; another tool's is not ours.
    (root / "store").rename(root / "old-store")
    (root / "hub").mkdir()
    (root / "hub" / "CACHEDIR.TAG").write_text(FOREIGN_TAG, encoding="utf-8")
    (root / "hub" / "index.json").write_text("{}\n", encoding="utf-8")
    assert engine.check([root]).files_checked == 5


def test_a_committed_cache_folder_is_not_checked_in_git(
        repo: Make, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...]) -> None:
    root = repo({**FILES, "pyproject.toml": '[tool.mlready]\ncache-dir = "store"\n'})
    truth = check(capsys, "--no-cache", str(root))
    assert check(capsys, str(root)) == truth
    git(root, "add", "-A", "-f")  # past the cache's own .gitignore
    git(root, "commit", "-qm", "the cache, by mistake")
    assert (root / "store" / "CACHEDIR.TAG").is_file()
    assert check(capsys, str(root)) == truth
    assert check(capsys, "--no-cache", str(root)) == truth
    assert engine.check([root]).files_checked == 3


# ------------------------------------------------------ 5. a link on the way to the cache


def test_a_cache_dir_through_a_symlinked_parent_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...]) -> None:
    """A committed ``link -> ../elsewhere`` under ``cache-dir = "link/cache"`` would let
    the project pick where on this machine mlready writes and prunes."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "p"
    project.mkdir()
    (project / "link").symlink_to(elsewhere)
    (project / "pyproject.toml").write_text('[tool.mlready]\ncache-dir = "link/cache"\n',
                                            encoding="utf-8")
    (project / "train.py").write_text("print(1)\n", encoding="utf-8")
    code, out, err = check(capsys, str(project))
    assert (code, out) == (2, "")
    assert err == (f"error: {project / 'link' / 'cache'}: cannot be the cache folder "
                   f"(cache-dir in {project / 'pyproject.toml'}): its path goes through a "
                   f"symbolic link (to {elsewhere / 'cache'}); name the real folder\n")
    assert list(elsewhere.iterdir()) == []


def test_mlready_cache_dir_through_a_link_is_resolved_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        fake_rules: tuple[Rule, ...]) -> None:
    """This machine's own choice: followed, and the real path used for every write."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    monkeypatch.setenv(cache_dir.ENV, str(tmp_path / "alias" / "cache"))
    project = tmp_path / "p"
    project.mkdir()
    (project / "train.py").write_text("print(1)\n", encoding="utf-8")
    assert cache_dir.locate(project, None, "x") == real / "cache"
    assert check(capsys, str(project))[0] == 1
    assert cache_dir.tagged(real / "cache")


def test_a_committed_tag_beside_code_does_not_hide_the_code(
        repo: Make, capsys: pytest.CaptureFixture[str], fake_rules: tuple[Rule, ...]) -> None:
    """The tag is a file anyone can commit: a pull request that adds mlready's own
    CACHEDIR.TAG to ``src/`` must not take ``src/train.py`` out of the check."""
    root = repo({**FILES, "src/train.py": "def train():\n    print(3)\n",
                 "src/CACHEDIR.TAG": cache_dir.CACHEDIR_TAG})
    assert engine.check([root]).files_checked == 3
    assert engine.check([root / "src" / "train.py"]).files_checked == 1
    code, out = check(capsys, "--no-cache", str(root))[:2]
    assert code == 1 and "src/train.py" in out


def test_a_cache_folder_another_run_is_tagging_is_not_refused(tmp_path: Path) -> None:
    # pre-commit runs one hook in several processes: one has made the default folder and
    # is writing its tag through a temporary file when the next one looks at it.
    from mlready.hooks import cache_dir

    root = tmp_path / "proj"
    (root / cache_dir.DEFAULT).mkdir(parents=True)
    (root / cache_dir.DEFAULT / ".tmp-4242-0-0123abcd").write_text("# Signature", "utf-8")
    assert cache_dir.locate(root, None, root / "pyproject.toml") == \
        (root / cache_dir.DEFAULT).resolve()
    (root / cache_dir.DEFAULT / "notes.txt").write_text("mine", "utf-8")  # a user's folder
    with pytest.raises(ConfigError, match="holds files that are not mlready's cache"):
        cache_dir.locate(root, None, root / "pyproject.toml")


def test_a_cache_folder_tagged_while_it_is_looked_at_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two pool workers of one run, the cache folder new: the first links its tag (its
    ``.gitignore`` still a temporary file) between the second's looks. The second took
    that for someone else's folder and dropped every entry it computed (the cause of
    test_memo's "a pool was started": the next run found half the project uncached)."""
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / ".tmp-4242-0-0123abcd").write_text(cache_dir.CACHEDIR_TAG, "utf-8")
    real_empty = cache_dir._empty

    def other_process_finishes_its_tag(folder: Path) -> bool:
        found = real_empty(folder)
        (folder / ".tmp-4242-0-0123abcd").replace(folder / cache_dir.TAG)
        (folder / ".tmp-4242-1-0123abcd").write_text("*\n", "utf-8")
        return found

    monkeypatch.setattr(cache_dir, "_empty", other_process_finishes_its_tag)
    assert cache_dir.ready(directory, directory / "0123456789abcdef")
    assert (directory / "0123456789abcdef").is_dir() and cache_dir.tagged(directory)
