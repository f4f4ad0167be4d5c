"""The project index (`mlready.hooks.project_index`) on its own: what it trusts, what it
keeps, what it writes and what it refuses to read. A wrong answer here is a missed
edit (a changed file taken for unchanged), so each rule is pinned on real files and a
real cache folder in a temp dir.

test_memo.py covers the index through whole hook runs; these are the boundaries those
runs do not reach. Written against the surviving mutants of ``bench/mutation.py`` on
hooks/project_index.py.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from mlready.hooks.cache import Cache, read_entry
from mlready.hooks.project_index import FORMAT, RACY_NS, ProjectIndex, Signature, signature

DIGEST = "d" * 32
HOUR_NS = 3600 * 10**9


def cache(tmp_path: Path, key: bytes = b"machine key") -> Cache:
    return Cache(tmp_path / "cache", "salt", key)


def written(c: Cache, data: object) -> None:
    """An index file as another run (or something else) left it."""
    text = data if isinstance(data, str) else json.dumps(data)
    c.write(ProjectIndex._path(c, "stat"), text)


def later(c: Cache) -> ProjectIndex:
    """The index as a run 20 s from now loads it: every file here is settled by then."""
    index = ProjectIndex.load(c)
    index.taken += 10 * RACY_NS
    return index


def sig_of(path: Path) -> Signature:
    found = signature(path)
    assert found is not None
    return found


def test_the_index_file_is_named_under_the_machine_key(tmp_path: Path) -> None:
    one = ProjectIndex._path(cache(tmp_path, b"a"), "stat")
    other = ProjectIndex._path(cache(tmp_path, b"b"), "stat")
    assert one.parent == other.parent and one != other
    assert "index" not in one.name  # a MAC, not a name anyone can write without the key


def test_a_settled_file_is_known_by_its_signature_and_written_compactly(tmp_path: Path) -> None:
    c = cache(tmp_path)
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    sig = sig_of(f)
    later(c).save({"a.py": (sig, DIGEST)}, ["a.py"])
    assert ProjectIndex.load(c).known("a.py", sig) == DIGEST
    fields = ",".join(map(str, sig))
    assert read_entry(ProjectIndex._path(c, "stat")) == (
        f'{{"format":{FORMAT},"files":{{"a.py":[{fields},"{DIGEST}"]}}}}').encode()


def test_a_file_whose_time_was_put_back_is_not_trusted_yet(tmp_path: Path) -> None:
    """``cp -p`` / ``touch -r``: an old modification time, but the status change is now."""
    c = cache(tmp_path)
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    old = time.time_ns() - HOUR_NS
    os.utime(f, ns=(old, old))
    sig = sig_of(f)
    assert sig[1] == old
    ProjectIndex.load(c).save({"a.py": (sig, DIGEST)}, ["a.py"])
    assert ProjectIndex.load(c).known("a.py", sig) is None


def test_a_file_stamped_in_the_future_is_not_trusted(tmp_path: Path) -> None:
    c = cache(tmp_path)
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    ahead = time.time_ns() + HOUR_NS
    os.utime(f, ns=(ahead, ahead))
    sig = sig_of(f)
    later(c).save({"a.py": (sig, DIGEST)}, ["a.py"])  # its status change has settled
    assert ProjectIndex.load(c).known("a.py", sig) is None


def test_a_change_exactly_at_the_cutoff_is_ambiguous(tmp_path: Path) -> None:
    c = cache(tmp_path)
    index = ProjectIndex.load(c)
    cutoff = index.taken - RACY_NS
    at, before = (5, cutoff, cutoff, 1), (5, cutoff - 1, cutoff - 1, 2)
    index.save({"at.py": (at, DIGEST), "before.py": (before, DIGEST)}, [])
    loaded = ProjectIndex.load(c)
    assert (loaded.known("at.py", at), loaded.known("before.py", before)) == (None, DIGEST)


def test_a_file_not_read_this_run_is_not_indexed(tmp_path: Path) -> None:
    c = cache(tmp_path)
    later(c).save({"a.py": ((1, 2, 3, 4), "")}, ["a.py"])
    assert ProjectIndex.load(c).entries == {}
    assert read_entry(ProjectIndex._path(c, "stat")) is None  # nothing changed: nothing written


def test_earlier_entries_are_kept_only_for_files_still_there_and_not_looked_at(
        tmp_path: Path) -> None:
    c = cache(tmp_path)
    old = {"kept.py": [1, 2, 3, 4, "a" * 32], "gone.py": [1, 2, 3, 5, "b" * 32],
           "seen.py": [1, 2, 3, 6, "c" * 32]}
    written(c, {"format": FORMAT, "files": old})
    index = later(c)
    racy = (1, index.taken, index.taken, 6)  # seen.py changed just now: its old entry goes
    index.save({"seen.py": (racy, "e" * 32)}, ["kept.py", "seen.py"])
    assert ProjectIndex.load(c).entries == {"kept.py": old["kept.py"]}
    assert index.entries == {"kept.py": old["kept.py"]}


def test_one_index_saves_twice(tmp_path: Path) -> None:
    c = cache(tmp_path)
    index = later(c)
    index.save({"a.py": ((1, 2, 3, 4), DIGEST)}, [])
    index.save({"b.py": ((1, 2, 3, 5), DIGEST)}, ["a.py"])
    assert sorted(ProjectIndex.load(c).entries) == ["a.py", "b.py"]


def test_only_well_formed_entries_are_read(tmp_path: Path) -> None:
    c = cache(tmp_path)
    written(c, {"format": FORMAT, "files": {
        "good.py": [1, 2, 3, 4, DIGEST], "short.py": [1, 2, 3, 4],
        "long.py": [1, 2, 3, 4, DIGEST, 0], "text.py": "12345", "map.py": dict.fromkeys("abcde"),
        "number.py": [1, 2, 3, 4, 5]}})
    index = ProjectIndex.load(c)
    assert sorted(index.entries) == ["good.py", "number.py"]
    assert index.known("good.py", (1, 2, 3, 4)) == DIGEST
    assert index.known("good.py", (1, 2, 3, 9)) is None
    assert index.known("number.py", (1, 2, 3, 4)) is None  # a digest is text
    assert index.known("short.py", (1, 2, 3, 4)) is None


def test_another_format_is_read_as_empty(tmp_path: Path) -> None:
    c = cache(tmp_path)
    written(c, {"format": FORMAT + 1, "files": {"a.py": [1, 2, 3, 4, DIGEST]}})
    assert ProjectIndex.load(c).entries == {}


def test_files_that_are_not_a_table_are_read_as_empty(tmp_path: Path) -> None:
    c = cache(tmp_path)
    written(c, {"format": FORMAT, "files": [["a.py", 1, 2, 3, 4, DIGEST]]})
    assert ProjectIndex.load(c).entries == {}


def test_a_truncated_index_is_read_as_empty_and_then_replaced(tmp_path: Path) -> None:
    c = cache(tmp_path)
    written(c, '{"format":1,"files":{"a.py":[1,2,')
    index = ProjectIndex.load(c)
    assert index.entries == {} and index.known("a.py", (1, 2, 3, 4)) is None
    index.taken += 10 * RACY_NS
    index.save({"a.py": ((1, 2, 3, 4), DIGEST)}, [])
    assert ProjectIndex.load(c).known("a.py", (1, 2, 3, 4)) == DIGEST
