"""The run memo: a check over a project that has not changed since the last one is read
back whole, without importing a rule, reading a cached file result or finalizing.

The per-file cache already spares parsing, but a warm run would still import every
rule, load every file's cached facts and redo each cross-file rule's ``finalize``, about
half of a one-file pre-commit run. The report of a run is a function of its inputs: the
content of every file it reads (and which of them are reported), the rules and their
options (the cache folder's salt), ``per-file-ignores`` and the exclude patterns, and
whatever the rules' finalize looked at on disk (recorded by `mlready.hooks.probes`). A
memo stores the report under a key of all but the last, with the disk questions and their
answers beside it; it is used only when the key matches and every answer still holds.

One memo per project root and set of named files (pre-commit names the changed files),
overwritten by each run; only runs without internal errors are remembered. It lives in
the cache's salt folder, whose name only this machine can compute, so a memo anyone
else wrote (committed to the repository, say) is never read. Projects with more source
than `MAX_BYTES` are not memoized: hashing them on every run would cost a cold run more
than the memo can save (the per-file cache still serves them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from mlready.hooks.cache import Cache, digest, read_entry
from mlready.hooks.discovery import SourceFile
from mlready.hooks.model import Diagnostic
from mlready.hooks.probes import Answer, unchanged
from mlready.reading import read_regular

if TYPE_CHECKING:
    from mlready.hooks.settings import Settings

FORMAT = 1
MAX_BYTES = 4_000_000


class Recalled(NamedTuple):
    """A remembered report, minus what the caller knows already."""

    files_checked: int
    diagnostics: tuple[Diagnostic, ...]
    metrics: Mapping[str, Any]


class Memo:
    """The memo slot of one run: `recall` it before the work, `remember` after."""

    def __init__(self, cache: Cache, slot: str, key: str, digests: dict[str, str]) -> None:
        self.cache, self.slot, self.key = cache, slot, key
        self.digests = digests  # path -> content digest, as keyed

    @classmethod
    def open(cls, cache: Cache, settings: Settings, files: Sequence[tuple[SourceFile, bool]],
             names: Sequence[str]) -> Memo | None:
        """The memo for reading ``files`` (each with whether it is reported) of a project
        whose files are ``names``, or None when one cannot be kept: a file cannot be
        read, or there is too much source."""
        root = settings.root
        key: list[Any] = [FORMAT, str(root), sorted(settings.per_file_ignores.items()),
                          list(settings.excludes), list(names)]
        digests: dict[str, str] = {}
        total = 0
        for file, reported in files:
            try:
                data = read_regular(root / file.path, vetted=True)
            except OSError:
                return None
            total += len(data)
            if total > MAX_BYTES:
                return None
            digests[file.path] = digest(data)
            key.append([file.path, file.kind, reported, digests[file.path]])
        named = sorted(file.path for file, reported in files if reported)
        slot = cache.name(json.dumps([str(root), named]))
        text = json.dumps(key, default=list).encode("utf-8", "surrogateescape")
        return cls(cache, slot, digest(text), digests)

    def recall(self) -> Recalled | None:
        """The remembered report, when the inputs and everything probed are unchanged."""
        data = read_entry(self.cache.run_entry(self.slot))
        if data is None:
            return None
        try:
            entry = json.loads(data)
            if entry["format"] != FORMAT or entry["key"] != self.key:
                return None
            if not unchanged(entry["disk"]):
                return None
            return Recalled(int(entry["files_checked"]),
                            tuple(Diagnostic.from_json(d) for d in entry["diagnostics"]),
                            dict(entry["metrics"]))
        except Exception:  # missing, truncated or foreign: recompute
            return None

    def remember(self, files_checked: int, diagnostics: Sequence[Diagnostic],
                 metrics: Mapping[str, Any], disk: Mapping[str, Answer],
                 analysed: Mapping[str, str]) -> None:
        """Keep a report, unless a file changed between keying and analysis (an editor
        saved it meanwhile): ``analysed`` maps paths to the digests the report came from,
        and a report is never stored under content it was not computed from."""
        if any(analysed.get(path) != value for path, value in self.digests.items()):
            return
        try:
            text = json.dumps({"format": FORMAT, "key": self.key, "disk": disk,
                               "files_checked": files_checked,
                               "diagnostics": [d.to_json() for d in diagnostics],
                               "metrics": metrics}, separators=(",", ":"))
        except (TypeError, ValueError):  # metrics that are not JSON: nothing to keep
            return
        self.cache.write(self.cache.run_entry(self.slot), text)
