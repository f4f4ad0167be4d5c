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
than `MAX_BYTES` of files the project index (`mlready.hooks.project_index`) does not know
are not memoized that run: hashing them first would cost a cold run more than the memo
can save. The run indexes them, so the next one knows them by their stat.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlready.hooks.cache import Cache, digest, read_entry
from mlready.hooks.discovery import Listing, Signature, SourceFile
from mlready.hooks.facts_index import FactsRow
from mlready.hooks.model import Diagnostic
from mlready.hooks.probes import Answer, unchanged
from mlready.hooks.project_index import ProjectIndex, signature
from mlready.reading import read_regular
from mlready.records import NamedTuple

if TYPE_CHECKING:
    from mlready.hooks.settings import Settings

FORMAT = 1
MAX_BYTES = 4_000_000


class Recalled(NamedTuple):
    """A remembered report, minus what the caller knows already."""

    files_checked: int
    diagnostics: tuple[Diagnostic, ...]
    metrics: Mapping[str, Any]


def _key(inputs: list[Any], rows: Sequence[tuple[str, str, bool]],
         digests: Mapping[str, str]) -> str:
    """The memo key: the run's inputs, and each file read with its kind, whether it is
    reported, and its content digest."""
    key = [*inputs, *([path, kind, reported, digests[path]] for path, kind, reported in rows)]
    return digest(json.dumps(key, default=list).encode("utf-8", "surrogateescape"))


class Memo:
    """The memo slot of one run: `recall` it before the work, `remember` after."""

    def __init__(self, cache: Cache, slot: str, inputs: list[Any],
                 rows: Sequence[tuple[str, str, bool]], digests: dict[str, str] | None,
                 index: ProjectIndex, seen: dict[str, tuple[Signature, str]]) -> None:
        self.cache, self.slot, self.inputs, self.rows = cache, slot, inputs, rows
        self.digests = digests or {}  # path -> content digest, as keyed
        self.key = _key(inputs, rows, digests) if digests is not None else None
        self.index, self.seen = index, seen  # the project index; this run's signatures

    @classmethod
    def open(cls, cache: Cache, settings: Settings, files: Sequence[tuple[SourceFile, bool]],
             names: Sequence[str], listed: Listing | None = None) -> Memo | None:
        """The memo for reading ``files`` (each with whether it is reported) of a project
        whose files are ``names``, or None when a file cannot be read. A file whose
        signature the project index knows is not read (`mlready.hooks.project_index`); when
        the others hold too much source to hash before the run, it has no key (nothing
        to recall) and only indexes what the run reads. ``listed``: the signatures that
        discovery took (a file it has none for is stat'ed here)."""
        root = settings.root
        index = ProjectIndex.load(cache, listed.taken if listed is not None else None)
        taken = listed.signatures if listed is not None else {}
        top = f"{root}/"
        seen: dict[str, tuple[Signature, str]] = {}
        unknown = 0
        for file, _ in files:
            sig = taken.get(file.path) or signature(
                file.path if file.path.startswith("/") else top + file.path)
            if sig is None:
                return None
            known = index.known(file.path, sig)
            seen[file.path] = (sig, known or "")
            unknown += 0 if known else sig[0]
        named = sorted(file.path for file, reported in files if reported)
        slot = cache.name(json.dumps([str(root), named]))
        inputs: list[Any] = [FORMAT, str(root), sorted(settings.per_file_ignores.items()),
                             list(settings.excludes), list(names)]
        rows = [(file.path, file.kind, reported) for file, reported in files]
        if unknown > MAX_BYTES:  # keyed after the run, by the digests it read
            return cls(cache, slot, inputs, rows, None, index, seen)
        digests: dict[str, str] = {}
        for file, _ in files:
            sig, known = seen[file.path]
            if not known:
                try:
                    known = digest(read_regular(root / file.path, vetted=True))
                except OSError:
                    return None
                seen[file.path] = (sig, known)
            digests[file.path] = known
        return cls(cache, slot, inputs, rows, digests, index, seen)

    def recall(self) -> Recalled | None:
        """The remembered report, when the inputs and everything probed are unchanged."""
        if self.key is None:
            return None
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
        key = self.key
        if key is None and all(analysed.get(path) for path, _, _ in self.rows):
            key = _key(self.inputs, self.rows, analysed)  # what the report was computed from
        if key is None or any(analysed.get(path) != value
                              for path, value in self.digests.items()):
            return
        try:
            text = json.dumps({"format": FORMAT, "key": key, "disk": disk,
                               "files_checked": files_checked,
                               "diagnostics": [d.to_json() for d in diagnostics],
                               "metrics": metrics}, separators=(",", ":"))
        except (TypeError, ValueError):  # metrics that are not JSON: nothing to keep
            return
        self.cache.write(self.cache.run_entry(self.slot), text)

    def save_index(self, analysed: Mapping[str, str], names: Collection[str],
                   facts: Mapping[str, FactsRow], finalized: Any,
                   dropped: Collection[str] = ()) -> None:
        """Index each file's signature with the digest it was analysed at (content read
        after the signature was taken, so a file changed meanwhile is only read again),
        its ``facts`` (``dropped``: read, none to keep), and the cross-file rules' results."""
        seen = {path: (sig, analysed.get(path, "")) for path, (sig, _) in self.seen.items()}
        self.index.save(seen, names, facts, finalized, dropped)

    def known(self) -> dict[str, str]:
        """Each file's digest where this run knows it before reading it: by its stat
        (the project index), or hashed to key the memo."""
        return {path: value for path, (_, value) in self.seen.items() if value}
