"""The static half's findings model: one `Diagnostic` per finding."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One finding. Lines and columns are 1-based; ``path`` is POSIX, relative to the root.

    Ordering is (path, line, col, code), which is the order every surface prints in.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    end_line: int | None = None
    end_col: int | None = None
    fix: str | None = None  # a one-line hint of what to do, shown by the `full` format

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__})
