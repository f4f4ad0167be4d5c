"""The project index's facts in two entries (`mlready.hooks.project_index`): a base with
every file's facts and a recent part with what changed since, so that a one-file run
writes what changed, not the whole project's facts. What must hold: a run sees each
file's latest facts whichever entry holds them, a base is folded anew only when the
recent part has grown, and a base gone or replaced under a recent part is never mistaken
for the one it was written beside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlready.hooks.cache import Cache
from mlready.hooks.facts_index import FOLD_ROWS, FactsRow
from mlready.hooks.project_index import ProjectIndex


def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache", "salt", b"machine key")


def fact(value: object, file_digest: str = "d" * 32) -> FactsRow:
    line = json.dumps(value).encode()
    return ("python", file_digest, {"MLR001": (line, f"{hash(line) & 0xFFFF:032x}")})


def project(count: int) -> dict[str, FactsRow]:
    return {f"m{n}.py": fact({"n": n}) for n in range(count)}


def base_files(c: Cache) -> list[Path]:
    """The facts entries on disk besides the stat and recent parts."""
    others = {ProjectIndex._path(c, "stat"), ProjectIndex._path(c, "recent")}
    return sorted(p for p in (c.directory / c.salt / "runs").glob("*.json") if p not in others)


def value(index: ProjectIndex, path: str, file_digest: str = "d" * 32) -> object:
    stored = index.facts_of(path, "python", file_digest)
    return None if stored is None else stored["MLR001"]


def test_a_one_file_run_writes_the_recent_part_and_leaves_the_base(tmp_path: Path) -> None:
    c = cache(tmp_path)
    rows = project(200)
    ProjectIndex.load(c).save({}, rows, rows, {"rules": {}})
    [base] = base_files(c)
    written = base.stat()
    ProjectIndex.load(c).save({}, rows, {"m7.py": fact({"n": "edited"}, "e" * 32)},
                              {"rules": {"MLR001": 1}})
    assert base_files(c) == [base] and base.stat().st_mtime_ns == written.st_mtime_ns
    index = ProjectIndex.load(c)
    assert value(index, "m7.py", "e" * 32) == {"n": "edited"}  # the recent part's
    assert value(index, "m7.py") == {"n": 7}  # the old content's facts are still its own
    assert value(index, "m8.py") == {"n": 8}  # the base's
    assert index.finalized == {"rules": {"MLR001": 1}}


def test_a_recent_part_grown_past_its_share_is_folded_into_a_new_base(tmp_path: Path) -> None:
    c = cache(tmp_path)
    rows = project(200)
    ProjectIndex.load(c).save({}, rows, rows)
    [old] = base_files(c)
    changed = {p: fact({"n": p}, "e" * 32) for p in list(rows)[:FOLD_ROWS + 1]}
    ProjectIndex.load(c).save({}, rows, changed)
    # The other slot: the old base stays for a run that has just read the recent part
    # naming it, and the next fold writes over it, so there are never more than two.
    [new] = [path for path in base_files(c) if path != old]
    assert base_files(c) == sorted([old, new])
    index = ProjectIndex.load(c)
    assert index.recent.rows == {} and index.recent.base_rows == 200
    assert value(index, "m0.py", "e" * 32) == {"n": "m0.py"}
    assert value(index, "m199.py") == {"n": 199}
    again = {p: fact({"n": p}, "f" * 32) for p in list(rows)[:FOLD_ROWS + 1]}
    ProjectIndex.load(c).save({}, rows, again)
    assert base_files(c) == sorted([old, new]) and ProjectIndex.load(c).recent.base_rows == 200


def test_a_run_reading_a_slot_rewritten_since_finds_no_wrong_facts(tmp_path: Path) -> None:
    """Two folds by other runs while one run holds the recent part it read: the base
    it names has been rewritten. A file changed since is unknown, not given the facts
    of its old content; an unchanged one is still found."""
    c = cache(tmp_path)
    rows = project(200)
    ProjectIndex.load(c).save({}, rows, rows)
    reader = ProjectIndex.load(c)
    assert reader.recent.base is not None  # read; the base itself is read on first need
    for content in ("e", "f"):
        changed = {p: fact({"n": content}, content * 32) for p in list(rows)[:FOLD_ROWS + 1]}
        ProjectIndex.load(c).save({}, rows, changed)
    assert value(reader, "m0.py") is None  # its old content's facts are gone, not wrong
    assert value(reader, "m0.py", "f" * 32) == {"n": "f"}
    assert value(reader, "m199.py") == {"n": 199}


def test_files_gone_from_the_project_are_dropped_when_folding(tmp_path: Path) -> None:
    c = cache(tmp_path)
    rows = project(200)
    ProjectIndex.load(c).save({}, rows, rows)
    kept = {p: r for p, r in rows.items() if p != "m3.py"}
    ProjectIndex.load(c).save({}, kept, {p: fact({"n": p}, "e" * 32) for p in list(kept)[:100]})
    index = ProjectIndex.load(c)
    assert value(index, "m3.py") is None and value(index, "m150.py") == {"n": 150}
    assert len(index.base) == 199


def test_rows_the_index_holds_already_are_not_written_again(tmp_path: Path) -> None:
    """A run whose files' facts came back the same (a warm run of the whole project
    reads every file from the per-file cache) changes no entry."""
    c = cache(tmp_path)
    rows = project(200)
    ProjectIndex.load(c).save({}, rows, rows, {"rules": {}})
    recent = ProjectIndex._path(c, "recent")
    before = recent.stat().st_mtime_ns
    [base] = base_files(c)
    ProjectIndex.load(c).save({}, rows, rows, {"rules": {}})
    assert recent.stat().st_mtime_ns == before and base_files(c) == [base]


def test_a_missing_base_leaves_its_facts_unknown_not_wrong(tmp_path: Path) -> None:
    c = cache(tmp_path)
    rows = project(200)
    ProjectIndex.load(c).save({}, rows, rows)
    ProjectIndex.load(c).save({}, rows, {"m1.py": fact("recent", "e" * 32)})
    for base in base_files(c):
        base.unlink()
    index = ProjectIndex.load(c)
    assert value(index, "m2.py") is None  # read again from its own entry, or parsed
    assert value(index, "m1.py", "e" * 32) == "recent"


def test_a_base_written_by_a_run_that_stopped_before_its_recent_part_is_not_read(
        tmp_path: Path) -> None:
    """The recent part names its base: a newer base beside it (the run that wrote it
    stopped before naming it) is not the one its rows and results were written with."""
    c = cache(tmp_path)
    rows = project(200)
    ProjectIndex.load(c).save({}, rows, rows, {"rules": {"kept": True}})
    [base] = base_files(c)
    orphan = ProjectIndex._path(c, "facts b")  # the slot the next fold writes
    orphan.write_bytes(base.read_bytes().replace(b'{"n": 5}', b'{"n": 6}'))
    index = ProjectIndex.load(c)
    assert value(index, "m5.py") == {"n": 5} and index.finalized == {"rules": {"kept": True}}


def test_a_malformed_recent_part_is_read_as_empty(tmp_path: Path) -> None:
    c = cache(tmp_path)
    rows = project(3)
    ProjectIndex.load(c).save({}, rows, rows, {"rules": {}})
    recent = ProjectIndex._path(c, "recent")
    recent.write_bytes(recent.read_bytes()[:40])
    index = ProjectIndex.load(c)
    assert index.finalized is None and value(index, "m1.py") is None


def test_an_older_releases_base_is_removed_by_the_first_fold(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Releases before the slots named each base by a random id: the recent part naming
    one is folded into a slot, and that base, ours and named by our recent part, goes."""
    from mlready.hooks import facts_index

    c = cache(tmp_path)
    rows = project(200)
    with monkeypatch.context() as patched:
        patched.setattr(facts_index, "SLOTS", ("0123456789abcdef", "fedcba9876543210"))
        ProjectIndex.load(c).save({}, rows, rows)
    [old] = base_files(c)
    assert old == ProjectIndex._path(c, "facts 0123456789abcdef")
    ProjectIndex.load(c).save({}, rows, {p: fact({"n": p}, "e" * 32)
                                         for p in list(rows)[:FOLD_ROWS + 1]})
    assert base_files(c) == [ProjectIndex._path(c, "facts a")]
