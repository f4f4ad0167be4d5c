"""Which files a check reads: the project root, the file list, and each file's kind.

Inside a git work tree the list comes from ``git ls-files -co --exclude-standard`` so
that ``.gitignore`` is honoured exactly as git reads it (nested ignore files, global
excludes); elsewhere, or when git is unusable, a plain walk with the default excludes.
Exclusion follows ruff: patterns without a slash match any file or folder name met
while walking, patterns with one match the root-relative path; a path given on the
command line is checked even when excluded, unless ``force-exclude`` is set (which is
what the pre-commit hooks pass, because pre-commit hands over every changed file).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import time
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from mlready.hooks.model import FileKind
from mlready.records import NamedTuple

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "node_modules", "__pycache__",
    "build", "dist", ".tox", ".nox", ".eggs", "*.egg-info", ".mlready_cache", "site-packages",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints",
    "mlready-results",  # what `mlready ci` and the Action write: results, not code
)
ROOT_MARKERS = ("pyproject.toml", ".git")
_GLOB_CHARS = frozenset("*?[")


class DiscoveryError(Exception):
    """A path given on the command line that cannot be checked (one line)."""


class SourceFile(NamedTuple):
    """A file to read: its POSIX path relative to the project root, and its kind."""

    path: str
    kind: FileKind


# A file's size, modification and status-change times (ns) and inode, as the project
# index (`mlready.hooks.project_index`) knows an unchanged file by.
Signature = tuple[int, int, int, int]


def signature_of(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class Listing(NamedTuple):
    """What `listing` found: the files, each one's signature from the stat that told it
    was a regular file (a one-file run stats each file of the project once, not once to
    list it and again to know it unchanged), and the wall-clock time before the first
    of those stats (a signature is trusted only for a file older than that by the
    index's racy margin)."""

    files: list[SourceFile]
    signatures: dict[str, Signature]
    taken: int


def classify(path: str) -> FileKind | None:
    """The kind of a file from its name alone, or None for files mlready does not read.
    String operations, not a `PurePosixPath` per file: discovery classifies every file
    of the project on every run, the one-file hook's included."""
    folders, _, name = path.rpartition("/")
    suffix = _suffix(name).lower()
    if suffix == ".py":
        return "python"
    if suffix == ".ipynb":
        return "notebook"
    if name == "pyproject.toml":
        return "pyproject"
    if name == "setup.cfg":
        return "setup_cfg"
    lower = name.lower()
    if suffix == ".txt" and (lower.startswith(("requirements", "constraints"))
                             or folders.rpartition("/")[2] == "requirements"):
        return "requirements"
    if suffix == ".in" and lower != "manifest.in":
        return "requirements"
    if suffix == ".json" and _is_json_with_comments(folders, name):
        return None
    if suffix in (".yaml", ".yml", ".json", ".toml"):
        return "config"
    return None


def _suffix(name: str) -> str:
    """``os.path.splitext(name)[1]`` (leading dots are no suffix's), without its
    generic-path machinery: once per file of the project."""
    dot = name.rfind(".")
    if dot <= 0 or not name[:dot].lstrip("."):
        return ""
    return name[dot:]


# Editor and TypeScript tooling files are JSON-with-comments (JSONC) by convention:
# strict JSON parsing would report them as broken, which they are not.
_JSONC_FOLDERS = frozenset({".vscode", ".devcontainer", ".idea"})
_JSONC_NAMES = ("tsconfig", "jsconfig", "devcontainer", ".eslintrc")


def _is_json_with_comments(folders: str, name: str) -> bool:
    if folders and _JSONC_FOLDERS.intersection(folders.split("/")):
        return True
    return name.lower().startswith(_JSONC_NAMES)


class Excluder:
    """Decides whether a walked file or folder is excluded; caches folder decisions.

    Plain names (most patterns: ``.git``, ``venv``) are a set look-up; the glob patterns
    are compiled into two regular expressions (one for names, one for paths), so a
    decision is one C-level match however many patterns there are. Compiling every
    default name as a regex cost a one-file hook run more than git itself.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        cleaned = [p.strip().removeprefix("./").rstrip("/") for p in patterns]
        names = [p for p in cleaned if p and "/" not in p]
        self._plain = frozenset(p for p in names if not _GLOB_CHARS.intersection(p))
        globs = [p for p in names if p not in self._plain]
        paths = [p for p in cleaned if "/" in p]
        self._names = re.compile("|".join(map(fnmatch.translate, globs))) if globs else None
        self._paths = re.compile("|".join(map(fnmatch.translate, paths))) if paths else None
        self._dirs: dict[str, int] = {}  # folder -> `_deepest`

    def matches(self, relpath: str) -> bool:
        """Whether this one entry (not its parents) matches a pattern."""
        name = relpath.rsplit("/", 1)[-1]
        if name in self._plain or (self._names is not None and self._names.match(name)):
            return True
        return self._paths is not None and self._paths.match(relpath) is not None

    def under(self, relpath: str, base: str) -> bool:
        """Whether ``relpath`` or one of its folders strictly below ``base`` is excluded."""
        start = base.count("/") + 1 if base not in ("", ".") else 0
        folder = relpath.rpartition("/")[0]
        return (bool(folder) and self._deepest(folder) > start) or self.matches(relpath)

    def _deepest(self, folder: str) -> int:
        """The depth of the deepest excluded folder among ``folder`` and its parents (0:
        none), worked out once per folder: a file's verdict is then one look-up, not a
        join per parent (discovery asks for every file of the project on every run)."""
        known = self._dirs.get(folder)
        if known is None:
            parent = folder.rpartition("/")[0]
            known = (folder.count("/") + 1 if self.matches(folder)
                     else self._deepest(parent) if parent else 0)
            self._dirs[folder] = known
        return known


def absolute(path: Path | str) -> Path:
    """An absolute, normalized path that does not resolve symlinks (names stay as given)."""
    return Path(os.path.normpath(Path(path).absolute()))


def find_root(paths: Sequence[Path]) -> Path:
    """The nearest folder at or above the common folder of ``paths`` holding a
    pyproject.toml or .git; the common folder itself when there is none."""
    folders = [p if p.is_dir() else p.parent for p in (absolute(q) for q in paths)]
    common = Path(os.path.commonpath([str(f) for f in folders])) if folders else Path.cwd()
    for folder in (common, *common.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return common


def relative(path: Path, root: Path) -> str:
    """POSIX path of ``path`` relative to ``root`` (absolute when it lies outside)."""
    rel = os.path.relpath(absolute(path), root)
    if rel.startswith(".."):
        return absolute(path).as_posix()
    return PurePosixPath(Path(rel)).as_posix()


def _in_git(root: Path) -> bool:
    return any((folder / ".git").exists() for folder in (root, *root.parents))


GIT_TIMEOUT = 60.0  # seconds


def _output(args: list[str], cwd: Path) -> bytes | None:
    """The standard output of a command that exits 0 within `GIT_TIMEOUT`, else None
    (stderr is discarded). Spawned with ``os.posix_spawnp`` where the OS has it: on a
    one-file hook run, importing `subprocess` cost more than running git itself."""
    if not hasattr(os, "posix_spawnp"):  # pragma: no cover - Windows
        import subprocess

        try:
            done = subprocess.run(args, cwd=cwd, capture_output=True, check=False,
                                  timeout=GIT_TIMEOUT)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None
    import select
    import time

    read_end, write_end = os.pipe()
    try:
        pid = os.posix_spawnp(args[0], args, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, write_end, 1),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    except OSError:  # git missing, not executable
        os.close(read_end)
        return None
    finally:
        os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + GIT_TIMEOUT
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                os.kill(pid, 9)  # SIGKILL, as subprocess.run does on a timeout
                os.waitpid(pid, 0)
                return None
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None


def _git_files(root: Path, folders: Sequence[str]) -> list[str] | None:
    """Tracked and untracked-not-ignored files under ``folders``; None when git fails."""
    # -C root: folders are relative to the root (posix_spawn has no working directory)
    args = ["git", "-C", str(root), "-c", "core.quotepath=off", "ls-files", "-co",
            "--exclude-standard", "-z", "--", *folders]
    stdout = _output(args, root)
    if stdout is None:
        return None
    return [p for p in stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _walk(root: Path, top: Path, excluder: Excluder) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(top):
        rel_folder = relative(Path(folder), root)
        prefix = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = sorted(d for d in dirs if not excluder.matches(prefix + d))
        found.extend(prefix + f for f in files if not excluder.matches(prefix + f))
    return found


_CACHE_FILES = frozenset({"CACHEDIR.TAG", ".gitignore", ".pruned"})


def _cache_like(inside: str) -> bool:
    """Whether a path inside a cache folder is one mlready writes there: a salt folder,
    ``runs``/``bases``, ``<hex>.json`` entries, the tag, ``.gitignore``, ``.pruned``."""
    from mlready.hooks.cache_dir import ours

    *folders, name = inside.split("/")
    return (len(folders) <= 2 and all(ours(f, folder=True) for f in folders)
            and (name in _CACHE_FILES or ours(name, folder=False)))


def _caches(root: Path, chosen: set[str], cache: Path | None) -> set[str]:
    """The folders among ``chosen``'s that are mlready's cache: the configured one, and
    any holding our own ``CACHEDIR.TAG`` (an older ``cache-dir``, a copied project). Their
    entries are JSON that the checker would otherwise read as the project's configs.

    A folder is skipped only while everything listed in it is named as mlready names its
    cache's files: the tag is a file anyone can commit, and a pull request that adds one
    beside its code (``src/CACHEDIR.TAG``) must not hide that code from the checker."""
    from mlready.hooks.cache_dir import TAG, tagged

    candidates = set()
    if cache is not None:
        rel = os.path.relpath(os.path.realpath(cache), os.path.realpath(root))
        if not rel.startswith(".."):
            candidates.add(PurePosixPath(Path(rel)).as_posix())
    for path in chosen:
        folder, _, name = path.rpartition("/")
        if name == TAG and folder and not folder.startswith("/") and tagged(root / folder):
            candidates.add(folder)
    return {folder for folder in candidates
            if all(_cache_like(path[len(folder) + 1:]) for path in chosen
                   if path.startswith(f"{folder}/"))}


def _outside(chosen: set[str], folders: set[str]) -> set[str]:
    """``chosen`` without the paths inside ``folders``."""
    prefixes = tuple(f"{folder}/" for folder in folders)
    return {path for path in chosen if not path.startswith(prefixes)}


def discover(root: Path, paths: Sequence[Path], excludes: Sequence[str], *,
             respect_gitignore: bool = True, force_exclude: bool = False,
             cache: Path | None = None) -> list[SourceFile]:
    """Every readable file of a known kind under ``paths`` (and each file ``paths`` names,
    of kind ``other`` when unknown), sorted, without duplicates, never one of mlready's
    own cache (``cache``, the cache folder, or a tagged one)."""
    return listing(root, paths, excludes, respect_gitignore=respect_gitignore,
                   force_exclude=force_exclude, cache=cache).files


def listing(root: Path, paths: Sequence[Path], excludes: Sequence[str], *,
            respect_gitignore: bool = True, force_exclude: bool = False,
            cache: Path | None = None) -> Listing:
    """`discover`'s files with their signatures."""
    taken = time.time_ns()
    excluder = Excluder(excludes)
    git = respect_gitignore and _in_git(root)
    chosen: set[str] = set()
    named: list[str] = []
    for path in paths:
        full_path = absolute(path)
        if not full_path.exists() and not full_path.is_symlink():
            raise DiscoveryError(f"{path}: no such file or directory")
        rel = relative(full_path, root)
        if force_exclude and rel != "." and excluder.under(rel, ""):
            continue
        if not full_path.is_dir():
            chosen.add(rel)
            named.append(rel)
            continue
        listed = _git_files(root, [rel]) if git and not rel.startswith("/") else None
        if not listed:  # not a git tree, git failed, or the folder itself is git-ignored
            chosen.update(_walk(root, full_path, excluder))
            continue
        chosen.update(p for p in listed if not excluder.under(p, rel))
    # A walk or git lists a cache's tag with its entries; a file named on the command
    # line may lie in a cache too: look for a tag in each folder above it.
    tags = {f"{'/'.join(parts[:n])}/CACHEDIR.TAG" for parts in (p.split("/") for p in named)
            for n in range(1, len(parts))}
    chosen = _outside(chosen, _caches(root, chosen | tags, cache))
    files: list[SourceFile] = []
    signatures: dict[str, Signature] = {}
    top = f"{os.fspath(root).rstrip(os.sep)}{os.sep}"
    given = set(named)
    for rel in sorted(chosen):
        # A file named on the command line is kept whatever its name: a rule may report on
        # its path (a committed checkpoint: MLR612) though none reads it (`other`).
        kind = classify(rel) or ("other" if rel in given else None)
        if kind is None:
            continue
        info = _regular(rel if rel.startswith("/") else top + rel, root)
        if info is not None:
            files.append(SourceFile(rel, kind))
            signatures[rel] = signature_of(info)
    return Listing(files, signatures, taken)


def _regular(path: str, root: Path) -> os.stat_result | None:
    """The stat of a regular file, or of a symlink's target inside the project, else
    None: skips broken symlinks, FIFOs, sockets, folders named ``x.py``,
    deleted-but-tracked files, and links that leave the project (their content is not
    the project's to report on). A string, not a `Path`: once per file of the project
    on every run."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            info = os.stat(path)  # noqa: PTH116 - a string, on purpose
            real, base = os.path.realpath(path), os.path.realpath(root)
            if not real.startswith(base.rstrip(os.sep) + os.sep):
                return None
    except (OSError, ValueError):
        return None
    return info if stat.S_ISREG(info.st_mode) else None
