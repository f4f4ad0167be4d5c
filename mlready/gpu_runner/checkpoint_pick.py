"""Which of several checkpoints a glob matched is the run's latest, and why.

A script that keeps ``ckpt_10.pt`` and ``ckpt_20.pt``, or ``last.pt`` beside
``best.pt``, leaves the checks more than one file. The step each holds decides when all
hold one under the same key; else the modification time does (then the number in the
name). Pure but for the files' stat: `Session.single_checkpoint` loads the files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

MAX_PICK_LOADS = 32  # more matches than this are told apart by modification time only


def pick_checkpoint(paths: Sequence[Path],
                    held_step: Callable[[Path], tuple[str, float] | None]) -> tuple[Path, str]:
    """The latest of several checkpoints a glob matched, and why it is that one.

    By the step each holds (``held_step``: its step counter's key and value) when every
    one holds one, as a script that keeps ``ckpt_10.pt`` and ``ckpt_20.pt`` does; else
    by modification time. Ties go to the newer file, then the name with the higher
    number (``ckpt_10`` after ``ckpt_9``).
    """
    def mtime(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return -math.inf

    count = len(paths)
    steps: dict[Path, tuple[str, float]] = {}
    if count <= MAX_PICK_LOADS:
        for path in paths:
            held = held_step(path)
            if held is None:
                break
            steps[path] = held
    keys = sorted({key for key, _ in steps.values()})
    if len(steps) == count and len(keys) == 1:
        best = max(paths, key=lambda p: (steps[p][1], mtime(p), _natural(p.name)))
        key, value = steps[best]
        tied = sum(1 for _, v in steps.values() if v == value)
        if tied > 1:
            return best, (f"the newest by modification time of the {tied} files matching the "
                          f"glob that hold the highest step (`{key}` = {value:g})")
        below = max(v for p, (_, v) in steps.items() if p != best)
        return best, (f"the latest of {count} files matching the glob by the step it holds "
                      f"(`{key}` = {value:g}; the next holds {below:g})")
    best = max(paths, key=lambda p: (mtime(p), _natural(p.name)))
    # Counters under different keys (one file's `epoch` matched the logged step, another's
    # `step` was taken by name) are not one scale: 50 steps is not later than epoch 4.
    why = (f"more than {MAX_PICK_LOADS} to load" if count > MAX_PICK_LOADS else
           "not every one holds a readable step counter" if len(steps) < count else
           "their step counters are not one key: " + ", ".join(f"`{k}`" for k in keys))
    return best, (f"the newest of {count} files matching the glob by modification time "
                  f"({why})")


def _natural(name: str) -> tuple[tuple[int, str], ...]:
    """``ckpt_10`` after ``ckpt_9``: digit runs compare as numbers."""
    return tuple((int(part), "") if part.isdigit() else (-1, part)
                 for part in re.split(r"(\d+)", name) if part)
