"""The facts a cross-file rule's finalize sees: every file's value for its code, in path
order, each read (from the project index, decoded) only when the rule asks for it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from mlready.hooks.finalize import RuleFacts
from mlready.hooks.results import FileResult
from mlready.hooks.suppression import Noqa


class Recording(Mapping[str, Any]):
    """A file's facts that record which codes' values were read (as the index's are
    decoded on read, `mlready.hooks.stored_facts.StoredFacts`)."""

    def __init__(self, path: str, values: dict[str, Any], read: list[str]) -> None:
        self.path, self.values, self.read = path, values, read

    def __getitem__(self, code: str) -> Any:
        self.read.append(f"{self.path} {code}")
        return self.values[code]

    def __contains__(self, code: object) -> bool:  # presence, no value read
        return code in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def results(read: list[str]) -> dict[str, FileResult]:
    facts = {"b.py": {"MLR001": "b seeds", "MLR801": "b logs"}, "a.py": {"MLR001": "a seeds"},
             "c.py": {"MLR801": "c logs"}}
    return {path: FileResult(path, "d" * 32, False, (), Recording(path, values, read),
                             Noqa({}))
            for path, values in facts.items()}  # not in path order, as workers finish


def test_a_rule_sees_its_own_facts_of_every_file_in_path_order() -> None:
    read: list[str] = []
    seeds, logs = RuleFacts("MLR001", results(read)), RuleFacts("MLR801", results(read))
    assert list(seeds) == ["a.py", "b.py"] and len(logs) == 2 and read == []
    assert dict(seeds) == {"a.py": "a seeds", "b.py": "b seeds"}
    assert list(logs.items()) == [("b.py", "b logs"), ("c.py", "c logs")]


def test_looking_up_one_file_reads_no_other_files_value() -> None:
    read: list[str] = []
    seeds = RuleFacts("MLR001", results(read))
    assert "c.py" not in seeds and "b.py" in seeds and "x.py" not in seeds and 1 not in seeds
    assert read == []
    assert seeds["b.py"] == "b seeds" and seeds.get("c.py") is None
    assert read == ["b.py MLR001"]
    with pytest.raises(KeyError):
        seeds["c.py"]  # facts of that file, but none for this rule
