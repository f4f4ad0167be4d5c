"""The baseline: finding matching across commits, deltas, and a real git worktree."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlready.scorecard.baseline import compare, diff_findings, static_at_merge_base
from mlready.scorecard.inputs import InputError
from mlready.scorecard.scoring import build

from .conftest import git
from .factories import card, check, diag, run, static


def test_shifted_lines_are_neither_new_nor_fixed() -> None:
    head = [diag(line=12), diag("a.py", 3, "MLR001", "x"), diag("a.py", 9, "MLR001", "x")]
    base = [diag(line=7), diag("a.py", 3, "MLR001", "x"), diag("b.py", 1, "MLR201", "y")]
    introduced, fixed = diff_findings(head, base)
    assert introduced == (diag("a.py", 9, "MLR001", "x"),)  # a second copy is new
    assert fixed == (diag("b.py", 1, "MLR201", "y"),)


def test_deltas_only_between_measured_values() -> None:
    head = card(static(diag()), run(check("smoke")))  # smoke feeds testing and logging
    base = card(static())  # no runtime half on the base
    delta = compare(head, base, "main")
    assert delta.categories["testing"] is None  # measured on head only
    assert delta.categories["logging"] is None
    assert delta.categories["reproducibility"] == -25.0
    assert delta.categories["code"] == 0.0
    # the overall delta uses the categories both measured, not head's runtime-only ones
    assert delta.score_delta == pytest.approx((25 * -25.0) / 55)


def test_static_at_merge_base_with_the_real_engine(repo: Path) -> None:
    from mlready.hooks.engine import check
    from mlready.hooks.output.json_format import document
    from mlready.scorecard.inputs import static_from_json

    base_static, sha = static_at_merge_base(repo, "main")
    assert sha == git(repo, "rev-parse", "main").strip()
    assert "worktree" not in git(repo, "worktree", "list").split("\n", 1)[-1]
    assert len(git(repo, "worktree", "list").strip().splitlines()) == 1  # cleaned up
    head_static = static_from_json(document(check([repo])))
    head, base = build(head_static, None), build(base_static, None)
    delta = compare(head, base, "main", sha)
    assert [(d.path, d.line, d.code) for d in delta.introduced] == [("train.py", 8, "MLR102")]
    assert [(d.path, d.line, d.code) for d in delta.fixed] == [("requirements.txt", 1, "MLR201")]


def test_a_computed_base_is_kept_by_commit(repo: Path, tmp_path: Path) -> None:
    from mlready.scorecard.baseline import engine_runner

    runs: list[Path] = []

    def counting(directory: Path) -> dict[str, Any]:
        runs.append(directory)
        return engine_runner(directory)

    store = tmp_path / "cache"
    first, sha = static_at_merge_base(repo, "main", runner=counting, store=store)
    again, same = static_at_merge_base(repo, "main", runner=counting, store=store)
    assert len(runs) == 1 and (again, same) == (first, sha)
    (entry,) = (store / "bases").glob("*.json")
    assert (store / "CACHEDIR.TAG").is_file()
    for damaged in ("{", "[]", '{"format": 99}'):
        entry.write_text(damaged, encoding="utf-8")
        recomputed = static_at_merge_base(repo, "main", runner=counting, store=store)[0]
        # the same findings; only the (temporary, removed) worktree path differs
        assert replace(recomputed, root=first.root) == first
    assert len(runs) == 4
    git(repo, "checkout", "-qb", "other", "feature")  # another merge base: computed anew
    git(repo, "commit", "-q", "--allow-empty", "-m", "other")
    assert static_at_merge_base(repo, "feature", runner=counting, store=store)[1] != sha
    assert len(runs) == 5
    assert len(git(repo, "worktree", "list").strip().splitlines()) == 1


def test_a_base_that_failed_is_not_kept(repo: Path, tmp_path: Path) -> None:
    from mlready.scorecard.baseline import engine_runner

    def failing(directory: Path) -> dict[str, Any]:
        data = engine_runner(directory)
        return {**data, "errors": ["a.py: internal error: worker process failed"]}

    store = tmp_path / "cache"
    failed, _ = static_at_merge_base(repo, "main", runner=failing, store=store)
    assert failed.errors
    assert list(store.rglob("bases/*.json")) == []
    good, _ = static_at_merge_base(repo, "main", store=store)
    assert good.errors == ()


def test_unknown_ref_is_an_input_error(repo: Path) -> None:
    with pytest.raises(InputError, match="merge base"):
        static_at_merge_base(repo, "no-such-branch")
    assert len(git(repo, "worktree", "list").strip().splitlines()) == 1


def test_worktree_removed_when_the_engine_fails(repo: Path) -> None:
    def boom(directory: Path) -> dict[str, object]:
        assert (directory / "train.py").exists()
        raise RuntimeError("engine crashed")

    with pytest.raises(RuntimeError):
        static_at_merge_base(repo, "main", runner=boom)
    assert len(git(repo, "worktree", "list").strip().splitlines()) == 1


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not inside a git repository"):
        static_at_merge_base(tmp_path, "main")
