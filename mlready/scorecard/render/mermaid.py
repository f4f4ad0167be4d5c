"""The smoke run's loss curve as a mermaid ``xychart-beta`` block (GitHub renders it).

Only numbers and a sanitised label reach the chart source: the series name comes from
the user's metrics file, and mermaid has no escaping for quotes inside a quoted label,
so the label keeps letters, digits and a few punctuation marks and nothing else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

MAX_POINTS = 50
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9 _.\-/]")


def label(name: str, max_len: int = 40) -> str:
    """A chart label: safe characters only, never empty."""
    cleaned = " ".join(_LABEL_UNSAFE.sub("", name).split())[:max_len]
    return cleaned or "value"


def number(value: float) -> str:
    """A plain decimal mermaid accepts (no exponent, no NaN)."""
    text = f"{value:.6g}"
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def downsample(points: Sequence[Sequence[float]],
               max_points: int = MAX_POINTS) -> list[tuple[float, float]]:
    """Finite (x, y) points, at most ``max_points``, evenly spaced, first and last kept."""
    clean = [(float(p[0]), float(p[1])) for p in points
             if len(p) >= 2 and all(isinstance(v, int | float) and not isinstance(v, bool)
                                   and math.isfinite(v) for v in p[:2])]
    if len(clean) <= max_points:
        return clean
    if max_points < 2:
        return clean[-max_points:] if max_points > 0 else []
    step = (len(clean) - 1) / (max_points - 1)
    return [clean[round(i * step)] for i in range(max_points)]


def xychart(points: Sequence[Sequence[float]], series: str = "loss",
            title: str = "Smoke run", x_label: str = "step") -> str | None:
    """The chart source without the fence, or None with fewer than two finite points."""
    data = downsample(points)
    if len(data) < 2:
        return None
    xs = ", ".join(f'"{number(x)}"' for x, _ in data)
    ys = ", ".join(number(y) for _, y in data)
    name = label(series)
    return "\n".join([
        "xychart-beta",
        f'    title "{label(title)}: {name}"',
        f'    x-axis "{label(x_label)}" [{xs}]',
        f'    y-axis "{name}"',
        f"    line [{ys}]",
    ])
