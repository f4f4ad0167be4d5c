"""The cache folder: where it is, whether it is ours, and keeping it small.

The folder is ``$MLREADY_CACHE_DIR`` when set (so CI can keep it outside the checkout),
else ``cache-dir`` of ``[tool.mlready]``, else ``.mlready_cache`` in the project root.
It may be anywhere, so nothing in it is trusted to be ours: mlready writes only into a
folder it created, or one that is empty, or one that carries its ``CACHEDIR.TAG`` (the
Cache Directory Tagging spec, https://bford.info/cachedir/), and deletes only files
named as it names them (`ours`) inside such a folder. It never follows a symbolic link
to write or delete, never writes a ``CACHEDIR.TAG`` or ``.gitignore`` over an existing
file, and refuses (`locate`, a one-line `ConfigError`) a folder that is the project
root or holds it, that is a symbolic link or not a folder, or that holds files without
the tag: a cache there would write among, and prune, files that are not its own. A
``cache-dir`` whose path goes through a symbolic link is refused too (the project would
choose where mlready writes); ``$MLREADY_CACHE_DIR``, this machine's choice, is resolved
once, and the resolved path is used throughout.

Pruning: a run that writes deletes, at most once a day, the entries nothing has written
for `PRUNE_AFTER_S` (the folders of older mlready versions or other interpreters, the
entries of files long since edited), then whichever of its own folders that leaves
empty. A pruned entry is only a miss.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from pathlib import Path

from mlready.config import ConfigError
from mlready.reading import NOFOLLOW, mine, read_own

ENV = "MLREADY_CACHE_DIR"
DEFAULT = ".mlready_cache"
TAG = "CACHEDIR.TAG"
SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"
CACHEDIR_TAG = (
    f"{SIGNATURE.decode()}\n"
    "# This file is a cache directory tag created by mlready.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_OUR_TAG = CACHEDIR_TAG.encode()
SALT_CHARS = 16  # hex digits of a salt folder's name (`mlready.hooks.cache.salt`)
ENTRY_CHARS = 32  # hex digits of an entry's name, before ".json"
SUBFOLDERS = ("runs", "bases")  # of a salt folder, and of the cache folder, respectively
_HEX = frozenset("0123456789abcdef")


def locate(root: Path, configured: str | None, origin: Path | str) -> Path:
    """The cache folder of a project (``configured`` is ``cache-dir`` of ``origin``, the
    configuration file), or a `ConfigError` naming it when it cannot be ours."""
    given = os.environ.get(ENV, "")
    if given:
        folder, source = Path(given), f"${ENV}"
    elif configured is not None:
        folder, source = root / configured, f"cache-dir in {origin}"
    else:
        folder, source = root / DEFAULT, "the default cache folder"
    folder = Path(os.path.normpath(folder.absolute()))  # "sub/.." is the root, sub or not
    problem = _problem(folder, root)
    real = os.path.realpath(folder)
    if not problem and not given:
        # Declared relative to the project: a link on the way (a committed ``link ->
        # ../elsewhere`` under ``cache-dir = "link/cache"``) would let the project
        # choose where on this machine mlready writes and prunes.
        declared = os.path.normpath(Path(os.path.realpath(root)) / (configured or DEFAULT))
        if real != declared:
            problem = (f"its path goes through a symbolic link (to {real}); "
                       "name the real folder")
    if problem:
        raise ConfigError(folder, f"cannot be the cache folder ({source}): {problem}")
    return Path(real)  # resolved once: every later write and prune uses this path


def _problem(folder: Path, root: Path) -> str | None:
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        info = None  # created on the first write
    except OSError as exc:
        return f"cannot look at it: {exc.strerror or exc}"
    if info is not None and stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link, which mlready does not follow for its cache"
    top = os.path.realpath(root)
    for candidate in (str(folder), os.path.realpath(folder)):
        if candidate == top:
            return "it is the project root; give the cache a folder of its own"
        if top.startswith(candidate.rstrip(os.sep) + os.sep):
            return "it holds the project; give the cache a folder of its own"
    if info is None:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if not _ours_or_becoming(folder):
        return (f"it holds files that are not mlready's cache (it has no {TAG} of mlready's); "
                "give the cache a new or empty folder")
    return None


def tagged(folder: Path) -> bool:
    """Whether ``folder`` carries mlready's own cache directory tag (a regular file, not
    a link, word for word as `ready` writes it). The spec's signature alone says only
    that some tool keeps a cache there: pip's, a model hub's, whose files are not ours
    to prune."""
    return read_own(folder / TAG, len(_OUR_TAG), owned=True) == _OUR_TAG


def _being_tagged(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but our own temporary files: another mlready
    process (pre-commit runs a hook in parallel processes) made the folder and is writing
    its tag through one, so the folder is ours a moment from now, not someone else's."""
    try:
        with os.scandir(folder) as entries:
            return all(ours(entry.name, folder=False) and entry.name.startswith(".tmp-")
                       for entry in entries)
    except OSError:
        return False


def _ours_or_becoming(folder: Path) -> bool:
    """Whether ``folder`` is tagged, empty, or being tagged by another process of ours.
    The tag is looked at again last: another process may finish tagging between the
    looks (its tag linked, its ``.gitignore`` still a temporary file), and a worker that
    took that moment for someone else's folder dropped every entry it computed."""
    return (tagged(folder) or _empty(folder) or _being_tagged(folder)
            or tagged(folder))


def _empty(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _own_folder(path: Path) -> bool:
    """A real folder (not a link to one) that is this user's alone (`mine`)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and mine(info)


def trusted(directory: Path, folder: Path) -> bool:
    """Whether what lies in ``folder`` (``directory`` or below it) may be read as ours:
    every level that exists is a real folder of this user's alone. In a folder someone
    else can write, an entry could be swapped for theirs between any check and the read."""
    levels = [directory]
    for part in folder.relative_to(directory).parts:
        levels.append(levels[-1] / part)
    for here in levels:
        try:
            info = os.lstat(here)
        except FileNotFoundError:
            return True  # nothing there yet: nothing to read, and ours once created
        except OSError:
            return False
        if not stat.S_ISDIR(info.st_mode) or not mine(info):
            return False
    return True


def replaceable(target: Path) -> bool:
    """Whether a write may rename over ``target``: nothing there, or an entry of ours. A
    file someone else put there is left as it is (never read, never replaced)."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and mine(info)


def ready(directory: Path, folder: Path) -> bool:
    """Make ``folder`` (``directory`` or a folder below it) exist for writing, and say
    whether it may be written: only below a tagged ``directory`` (tagged here when new
    or empty), and only through real folders, never a symbolic link."""
    with contextlib.suppress(OSError):
        directory.mkdir(mode=0o755, parents=True)
    if not _own_folder(directory):
        return False
    if not tagged(directory):
        if not _ours_or_becoming(directory):
            return False  # someone else's folder: not one file of ours goes in
        for name, text in ((TAG, CACHEDIR_TAG), (".gitignore", "*\n")):
            with contextlib.suppress(OSError):
                create(directory / name, text)
        if not tagged(directory):
            return False
    here = directory
    for part in folder.relative_to(directory).parts:
        here = here / part
        with contextlib.suppress(OSError):
            here.mkdir(mode=0o755)
        if not _own_folder(here):
            return False
    return True


_TEMPORARY = itertools.count()


def _temporary(target: Path, text: str) -> Path:
    """``text`` in a new file beside ``target``, named by process and a counter (unique
    without `tempfile`'s random names) and a random part (for containers that share the
    folder and may reuse pids); created exclusively, so never through a link."""
    temp = target.with_name(f".tmp-{os.getpid()}-{next(_TEMPORARY)}-{os.urandom(4).hex()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def atomic_write(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file, then rename it over ``target`` (which replaces
    a link there rather than following it), so that a concurrent reader sees the old
    entry or the new one, never half of one."""
    temp = _temporary(target, text)
    try:
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def create(target: Path, text: str) -> None:
    """Write a new file atomically; `FileExistsError` when there is one (never replaced)."""
    temp = _temporary(target, text)
    try:
        os.link(temp, target)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def ours(name: str, *, folder: bool) -> bool:
    """Whether a name is one mlready gives the things it writes in its cache: salt folders
    and ``runs``/``bases``; ``<hex>.json`` entries and the temporary files they are
    written through (``.tmp-<pid>-<count>-<hex>``)."""
    if folder:
        return name in SUBFOLDERS or (len(name) == SALT_CHARS and _HEX.issuperset(name))
    if name.startswith(".tmp-"):
        parts = name[5:].split("-")
        return (len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit()
                and len(parts[2]) == 8 and _HEX.issuperset(parts[2]))
    stem, _, suffix = name.partition(".")
    if name == "tool-table.json":  # an older release's settings memo, never read now
        return True
    return suffix == "json" and len(stem) == ENTRY_CHARS and _HEX.issuperset(stem)


PRUNE_AFTER_S = 30 * 24 * 3600  # unwritten this long: an old version's, or an old edit's
PRUNE_EVERY_S = 24 * 3600
_PRUNED = ".pruned"  # its modification time says when the folder was last pruned


def prune(directory: Path, keep: Path | None = None, now: float | None = None) -> None:
    """Delete what nothing has written into ``directory`` for `PRUNE_AFTER_S`, at most
    once every `PRUNE_EVERY_S`: our entries, then our folders left empty (never the one
    holding ``keep``, about to be written). Only in a tagged, real folder; never raises;
    a concurrent run that loses an entry just computes it again."""
    import time

    if not _own_folder(directory) or not tagged(directory):
        return
    now = time.time() if now is None else now
    marker = directory / _PRUNED
    with contextlib.suppress(OSError):
        info = os.lstat(marker)
        if stat.S_ISREG(info.st_mode) and now - info.st_mtime < PRUNE_EVERY_S:
            return
    with contextlib.suppress(OSError):
        atomic_write(marker, "")  # replaces whatever is there, a link included
        os.utime(marker, (now, now), follow_symlinks=False)
    busy = {keep, *keep.parents} if keep is not None else set()
    _prune(directory, now - PRUNE_AFTER_S, busy, depth=0)


def _prune(folder: Path, cutoff: float, busy: set[Path], depth: int) -> None:
    """Our stale files in ``folder``, then our sub-folders (the cache folder, a salt
    folder, its ``runs``: three levels at most), removed when stale and left empty."""
    try:
        with os.scandir(folder) as found:
            entries = list(found)
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not mine(info):
            continue  # someone else's, whatever its name: never deleted
        if stat.S_ISREG(info.st_mode) and ours(entry.name, folder=False) \
                and info.st_mtime < cutoff:
            with contextlib.suppress(OSError):
                Path(entry.path).unlink()
        elif stat.S_ISDIR(info.st_mode) and depth < 2 and ours(entry.name, folder=True):
            sub = Path(entry.path)
            _prune(sub, cutoff, busy, depth + 1)
            if sub not in busy and info.st_mtime < cutoff:
                with contextlib.suppress(OSError):
                    sub.rmdir()  # only when empty: a file not ours keeps it
