"""Two loaded checkpoints compared key by key, per category, in fixed-size chunks.

Chunking keeps the extra memory of a comparison to about one chunk on top of the
memory-mapped files (well under 2x the larger checkpoint). NaN equals NaN here: a
run that reproduces a NaN bit for bit has reproduced. Kept apart from `checkpoint`,
which loads and reads one file: the reproducibility and resume checks compare two,
the checkpoint check only reads one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mlready.gpu_runner.checkpoint import categorize, flatten, is_tensor, looks_like_state_dict

CHUNK = 1 << 20  # elements per comparison chunk


@dataclass(frozen=True)
class CategoryDiff:
    """Comparison of one category of two checkpoints."""

    compared: int = 0
    differing: int = 0
    max_abs_diff: float = 0.0
    first_key: str | None = None
    only_in_a: int = 0
    only_in_b: int = 0

    @property
    def bitwise(self) -> bool:
        return self.differing == 0 and self.max_abs_diff == 0.0 and not self.only_in_b \
            and not self.only_in_a


def _leaf_diff(a: Any, b: Any) -> tuple[bool, float]:
    """(bitwise equal, max abs difference) of two leaves, chunked for tensors."""
    if is_tensor(a) and is_tensor(b):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False, math.inf
        if a.numel() == 0:
            return True, 0.0
        flat_a = a.reshape(-1)
        flat_b = b.reshape(-1)
        equal = True
        worst = 0.0
        floating = a.is_floating_point() or a.is_complex()
        for start in range(0, flat_a.numel(), CHUNK):
            ca = flat_a[start:start + CHUNK]
            cb = flat_b[start:start + CHUNK]
            same = ca == cb
            if floating:
                same |= ca.isnan() & cb.isnan()
            if bool(same.all()):
                continue
            equal = False
            if floating or str(a.dtype) not in ("torch.bool",):
                diff = (ca.double() - cb.double()).abs()
                nan_mismatch = bool((ca.isnan() != cb.isnan()).any()) if floating else False
                value = math.inf if nan_mismatch else float(diff.nan_to_num(0.0).max())
                worst = max(worst, value)
            else:
                worst = max(worst, 1.0)
        return equal, worst
    if is_tensor(a) or is_tensor(b):
        return False, math.inf
    if isinstance(a, int | float) and isinstance(b, int | float) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        if a == b or (isinstance(a, float) and isinstance(b, float)
                      and math.isnan(a) and math.isnan(b)):
            return True, 0.0
        return False, abs(float(a) - float(b))
    return (a == b), 0.0 if a == b else math.inf


def compare(a: Any, b: Any) -> dict[str, CategoryDiff]:
    """Per category, how ``b`` differs from ``a`` (streaming over ``a``'s leaves)."""
    cats_a = _leaf_categories(a)
    cats_b = _leaf_categories(b)
    leaves_b = dict(flatten(b))
    seen: set[str] = set()
    acc: dict[str, dict[str, Any]] = {}
    for key, leaf in flatten(a):
        cat = cats_a.get(key.split(".", 1)[0], "model")
        entry = acc.setdefault(cat, {"compared": 0, "differing": 0, "max": 0.0, "first": None,
                                     "only_a": 0, "only_b": 0})
        if key not in leaves_b:
            entry["only_a"] += 1
            continue
        seen.add(key)
        equal, diff = _leaf_diff(leaf, leaves_b[key])
        entry["compared"] += 1
        if not equal:
            entry["differing"] += 1
            entry["max"] = max(entry["max"], diff)
            if entry["first"] is None:
                entry["first"] = key
    for key in leaves_b:
        if key not in seen:
            cat = cats_b.get(key.split(".", 1)[0], "model")
            entry = acc.setdefault(cat, {"compared": 0, "differing": 0, "max": 0.0,
                                         "first": None, "only_a": 0, "only_b": 0})
            entry["only_b"] += 1
    return {cat: CategoryDiff(e["compared"], e["differing"], e["max"], e["first"], e["only_a"],
                              e["only_b"]) for cat, e in acc.items()}


def _leaf_categories(obj: Any) -> dict[str, str]:
    if looks_like_state_dict(obj) or not isinstance(obj, dict):
        return {}
    return {str(k): categorize(str(k), v) for k, v in obj.items()}
