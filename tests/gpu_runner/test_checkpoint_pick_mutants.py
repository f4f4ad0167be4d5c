"""`pick_checkpoint`'s every branch on synthetic files: the load limit, a file that
vanished, ties, the next step named, the stop at the first unreadable counter.

test_checkpoint_pick.py shows the common cases and the session on real torch files;
these pin the boundaries and the exact reason texts.
"""

from __future__ import annotations

import os
from pathlib import Path

from mlready.gpu_runner.checkpoint_pick import MAX_PICK_LOADS, _natural, pick_checkpoint

from .helpers import written_in_order


def test_the_load_limit() -> None:
    assert MAX_PICK_LOADS == 32


def test_at_the_load_limit_steps_decide(tmp_path: Path) -> None:
    paths = written_in_order(tmp_path, *(f"c{i}.pt" for i in range(MAX_PICK_LOADS)))
    held = {p: ("step", float(-i)) for i, p in enumerate(paths)}  # the oldest holds most
    assert pick_checkpoint(paths, held.get) == (
        paths[0], f"the latest of {MAX_PICK_LOADS} files matching the glob by the step it "
                  "holds (`step` = 0; the next holds -1)")


def test_at_the_load_limit_a_missing_counter_is_named_not_the_limit(tmp_path: Path) -> None:
    paths = written_in_order(tmp_path, *(f"c{i}.pt" for i in range(MAX_PICK_LOADS)))
    assert pick_checkpoint(paths, lambda _: None) == (
        paths[-1], f"the newest of {MAX_PICK_LOADS} files matching the glob by modification "
                   "time (not every one holds a readable step counter)")


def test_past_the_load_limit_nothing_is_loaded(tmp_path: Path) -> None:
    paths = written_in_order(tmp_path, *(f"c{i}.pt" for i in range(MAX_PICK_LOADS + 1)))
    loaded: list[Path] = []

    def held(path: Path) -> tuple[str, float]:
        loaded.append(path)
        return ("step", 1.0)

    assert pick_checkpoint(paths, held) == (
        paths[-1], f"the newest of {MAX_PICK_LOADS + 1} files matching the glob by "
                   f"modification time (more than {MAX_PICK_LOADS} to load)")
    assert loaded == []


def test_loading_stops_at_the_first_file_without_a_counter(tmp_path: Path) -> None:
    a, b, c = written_in_order(tmp_path, "a.pt", "b.pt", "c.pt")
    loaded: list[Path] = []

    def held(path: Path) -> tuple[str, float] | None:
        loaded.append(path)
        return None if path == a else ("step", 3.0)

    best, why = pick_checkpoint([a, b, c], held)
    assert (best, loaded) == (c, [a])
    assert why.endswith("(not every one holds a readable step counter)")


def test_a_file_gone_since_the_glob_is_the_oldest(tmp_path: Path) -> None:
    a, b = written_in_order(tmp_path, "ckpt_1.pt", "ckpt_2.pt")
    gone = tmp_path / "ckpt_9.pt"  # the higher number, but no modification time at all
    assert pick_checkpoint([gone, a, b], lambda _: None)[0] == b
    assert pick_checkpoint([b, gone], lambda _: None)[0] == b
    # with equal steps too, a vanished file loses the tie to any file that is there
    assert pick_checkpoint([gone, a], lambda _: ("step", 5.0))[0] == a


def test_ties_name_how_many_hold_the_highest_step(tmp_path: Path) -> None:
    a, b, c = written_in_order(tmp_path, "x.pt", "y.pt", "z.pt")
    held = {a: ("step", 7.0), b: ("step", 7.0), c: ("step", 2.5)}
    assert pick_checkpoint([c, b, a], held.get) == (
        b, "the newest by modification time of the 2 files matching the glob that hold the "
           "highest step (`step` = 7)")
    held[c] = ("step", 7.0)
    assert pick_checkpoint([a, b, c], held.get)[1].startswith(
        "the newest by modification time of the 3 files")


def test_the_next_step_is_the_highest_below_the_pick(tmp_path: Path) -> None:
    a, b, c = written_in_order(tmp_path, "new.pt", "mid.pt", "old.pt")
    held = {a: ("step", 1.5), b: ("step", 40.0), c: ("step", 30.0)}
    assert pick_checkpoint([a, b, c], held.get) == (
        b, "the latest of 3 files matching the glob by the step it holds "
           "(`step` = 40; the next holds 30)")
    two = pick_checkpoint([a, c], held.get)
    assert two == (c, "the latest of 2 files matching the glob by the step it holds "
                      "(`step` = 30; the next holds 1.5)")


def test_different_keys_are_named_in_sorted_order(tmp_path: Path) -> None:
    a, b, c = written_in_order(tmp_path, "a.pt", "b.pt", "c.pt")
    held = {a: ("step", 9.0), b: ("epoch", 1.0), c: ("step", 2.0)}
    assert pick_checkpoint([a, b, c], held.get) == (
        c, "the newest of 3 files matching the glob by modification time (their step "
           "counters are not one key: `epoch`, `step`)")


def test_names_compare_digit_runs_as_numbers() -> None:
    assert _natural("ckpt_10.pt") == ((-1, "ckpt_"), (10, ""), (-1, ".pt"))
    assert _natural("ckpt_10.pt") > _natural("ckpt_9.pt")
    assert _natural("b") > _natural("a")
    assert _natural("7") > _natural("x")  # a number sorts after text in the same place
    assert _natural("0") > _natural("x")
    assert _natural("") == ()


def test_same_time_goes_to_the_higher_number_in_the_name(tmp_path: Path) -> None:
    nine, ten = written_in_order(tmp_path, "ckpt_9.pt", "ckpt_10.pt")
    os.utime(nine, (7000, 7000))
    os.utime(ten, (7000, 7000))
    assert pick_checkpoint([ten, nine], lambda _: ("step", 1.0))[0] == ten
    assert pick_checkpoint([ten, nine], lambda _: None)[0] == ten
