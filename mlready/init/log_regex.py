"""A metrics regex for the runner, derived from lines a training run actually printed.

Scripts print their progress in a few shapes (``step 10 | loss 2.31``, ``iter 10: loss
2.31, time 12ms``, ``{'loss': 2.31, 'epoch': 0.1}``, ``Epoch [1/10], Loss: 0.23``). Each
line is read as ``key value`` pairs; the objective is the most printed loss (else a
reward, return or accuracy, maximised), the step is an integer-valued counter printed on
the same lines. The regex names both (``step`` and the objective's key), keeps them in
the order they appear, and is checked against the same log before it is proposed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf"
_PAIR = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9_]*(?:[ _/.-][A-Za-z][A-Za-z0-9_]*){0,2})"
                   r"[\"']?\s*[:=\[(|,]{0,3}\s*(?P<num>" + NUMBER + r")(?![\w.])")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STEP_KEYS = ("step", "steps", "global_step", "iter", "iteration", "it", "update", "updates",
              "epoch", "episode", "timesteps", "num timesteps", "total_timesteps", "batch")
_MAXIMISE = re.compile(r"reward|return|acc|score|success|win", re.I)
# Between a key and its number (``loss 2.3``, ``'loss': 2.3``, ``| LossPi |   0.01 |``,
# ``Loss [0.2]``); never a sign, which belongs to the number.
SEPARATOR = r"[\"']?\s*[:=\[(|,]{0,3}\s*"
_MAX_LINES = 5000


@dataclass(frozen=True)
class Derived:
    """The regex and what it found: objective group name, its direction, sample line."""

    regex: str
    objective: str
    direction: str
    sample: str


def _pairs(line: str) -> list[tuple[str, str, int]]:
    """(key, number text, position) of every ``key value`` pair, the key's last word
    kept when a longer phrase precedes it (``train loss`` stays, ``| loss`` is ``loss``)."""
    return [(m.group("key").strip(), m.group("num"), m.start("key"))
            for m in _PAIR.finditer(line)]


def _last_word(key: str) -> str:
    return re.split(r"[ /.-]", key)[-1].lower()


def _group_name(key: str) -> str:
    name = re.sub(r"\W+", "_", key.strip().lower()).strip("_")
    return name if name and not name[0].isdigit() else f"m_{name}"


def _key_pattern(key: str) -> str:
    return r"\b" + r"\s+".join(re.escape(word) for word in key.split())


def _objective_key(counts: Counter[str]) -> str | None:
    losses = [k for k in counts if "loss" in k.lower()]
    if losses:  # the plain "loss" first, then the most printed one
        return max(losses, key=lambda k: (_last_word(k) == "loss" and " " not in k,
                                          counts[k], -len(k)))
    others = [k for k in counts if _MAXIMISE.search(k)]
    return max(others, key=lambda k: ("mean" in k.lower(), counts[k], -len(k))) \
        if others else None


def derive(lines: list[str]) -> Derived | None:
    """A regex over ``lines`` naming the step and the objective, or None when no line
    prints anything loss- or reward-like."""
    clean = [_ANSI.sub("", line).strip() for line in lines[:_MAX_LINES]]
    parsed = [(line, _pairs(line)) for line in clean if len(line) < 2000]
    counts: Counter[str] = Counter()
    for _, pairs in parsed:
        counts.update({key for key, _, _ in pairs})
    objective = _objective_key(counts)
    if objective is None:
        return None
    rows = [(line, pairs) for line, pairs in parsed if any(k == objective for k, _, _ in pairs)]
    seen: dict[str, set[str]] = {}
    for _, pairs in rows:
        for key, number, _ in pairs:
            if key.lower() in _STEP_KEYS and re.fullmatch(r"\d+", number):
                seen.setdefault(key, set()).add(number)
    # The counter whose values change most (a step beats the epoch it lies in).
    step_key = max(seen, key=lambda k: (len(seen[k]), -_STEP_KEYS.index(k.lower())),
                   default=None)
    sample, pairs = rows[-1]
    positions = {key: pos for key, _, pos in pairs}
    name = _group_name(objective)
    parts = [(positions[objective], _key_pattern(objective) + SEPARATOR
              + f"(?P<{name}>{NUMBER})")]
    if step_key is not None and step_key in positions:
        parts.append((positions[step_key], _key_pattern(step_key) + SEPARATOR
                      + r"(?P<step>\d+)"))
    regex = ".*?".join(part for _, part in sorted(parts))
    direction = "minimize" if "loss" in objective.lower() else "maximize"
    return Derived(regex, name, direction, sample)
