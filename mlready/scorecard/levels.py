"""Readiness levels, from the scoring table of the research checklist (checklist 000).

90 and above: production-ready; 75 to 89: nearly ready; 60 to 74: solid research code;
below 60: prototype. Boundaries are inclusive at the bottom: 89.99 is "nearly ready",
90 is "production-ready". Scores are compared unrounded, so a 89.996 that prints as
"90.0" is still "nearly ready"; the renderers print one decimal and never round up
across a boundary (see `display_score`).
"""

from __future__ import annotations

import enum
import math


class Level(enum.StrEnum):
    PRODUCTION_READY = "production-ready"
    NEARLY_READY = "nearly-ready"
    SOLID_RESEARCH = "solid-research-code"
    PROTOTYPE = "prototype"
    NOT_MEASURED = "not-measured"

    @property
    def label(self) -> str:
        return _TITLES[self]


_TITLES = {
    Level.PRODUCTION_READY: "Production-ready",
    Level.NEARLY_READY: "Nearly ready",
    Level.SOLID_RESEARCH: "Solid research code",
    Level.PROTOTYPE: "Prototype",
    Level.NOT_MEASURED: "Not measured",
}

# (lowest score of the level, level), highest first.
THRESHOLDS: tuple[tuple[float, Level], ...] = (
    (90.0, Level.PRODUCTION_READY),
    (75.0, Level.NEARLY_READY),
    (60.0, Level.SOLID_RESEARCH),
    (0.0, Level.PROTOTYPE),
)


def level_for(score: float | None) -> Level:
    """The level of a 0-100 score; `Level.NOT_MEASURED` when there is no score."""
    if score is None:
        return Level.NOT_MEASURED
    for lowest, level in THRESHOLDS:
        if score >= lowest:
            return level
    return Level.PROTOTYPE


def display_score(score: float) -> str:
    """One decimal, truncated rather than rounded, so the shown number and the level
    always agree (89.96 shows as 89.9, never 90.0)."""
    return f"{math.floor(score * 10 + 1e-9) / 10:.1f}"


def score_text(score: float | None) -> str:
    """A score as every surface shows it (`display_score`), or ``not measured``: the
    card, the badge, the CLI lines and the Action's output print the same number."""
    return "not measured" if score is None else display_score(score)
