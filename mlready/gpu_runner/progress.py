"""A one-line-per-run progress display on stderr, silent when stderr is not a terminal.

CI logs get the final table only; a person at a terminal sees which run is going
and how long each took, so a 2-minute wait never looks like a hang.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """Prints ``[i/n] purpose ... status (seconds)`` lines; no-op unless enabled."""

    def __init__(self, total: int, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._total = max(total, 1)
        self._done = 0

    def start(self, label: str) -> None:
        if not self._enabled:
            return
        self._done += 1
        self._stream.write(f"[{self._done}/{max(self._total, self._done)}] {label} ... ")
        self._stream.flush()

    def end(self, status: str, seconds: float) -> None:
        if not self._enabled:
            return
        self._stream.write(f"{status} ({seconds:.1f}s)\n")
        self._stream.flush()

    def note(self, text: str) -> None:
        if self._enabled:
            self._stream.write(text + "\n")
            self._stream.flush()
