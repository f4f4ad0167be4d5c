"""Regular expressions declared at module level and compiled on first use.

A one-file hook run imports every rule that reads the named file's kind, and with them
every pattern they declare; most of those patterns serve other kinds of input (a
README's headings, a requirements line, a conda spec) and are never matched in that
run. Compiling them all at import cost about a tenth of the run (issue 14). So the hook
half declares its patterns with `compile` below, exactly as it would with `re.compile`,
and the first match, search or substitution compiles the pattern, once per process
(the compiled pattern is kept on the object: a cache, no other state).

    _FENCE = patterns.compile(r"^ {0,3}(```|~~~)", re.IGNORECASE)
    if _FENCE.match(line): ...

A pattern built at run time (from settings, from a file) is compiled where it is built,
with `re.compile`: only module-level declarations pay for inputs they never see.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any


class Pattern:
    """A `re.Pattern` that is compiled when first used; the methods are `re.Pattern`'s."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize
              ) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize
                  ) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize
               ) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled.findall(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize
                 ) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str,
            count: int = 0) -> str:
        return self.compiled.sub(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled.split(string, maxsplit)

    def __repr__(self) -> str:
        return f"patterns.compile({self.pattern!r}, {self.flags!r})"


def compile(pattern: str, flags: int = 0) -> Pattern:
    """Declare a pattern as `re.compile` would; it is compiled on first use."""
    return Pattern(pattern, flags)
