"""Whether git would ignore a path: the committed ``.gitignore`` files, as git reads them.

No subprocess (the fixtures and a fresh project are not git repositories yet, and a
`git check-ignore` answer would escape the run memo) and no dependency: the rules of
gitignore(5) that decide whether a path is ignored, on the ``.gitignore`` files of
the path's folders and of the folders above the project up to the top of the git work
tree, read through ``project.disk``. Supported: comments and blank lines, trailing
spaces, ``\\#``/``\\!`` escapes, negation (``!``), directory-only patterns (``dir/``),
anchored patterns (a ``/`` at the start or in the middle), ``*``, ``?``, ``[...]``
classes and ``**`` (leading, trailing, in the middle); deeper files and later lines
win; a path under an ignored folder stays ignored whatever a later ``!`` says, as in
git. Not read: ``.git/info/exclude`` and the user's global excludes file, on purpose:
they protect one clone, not the repository everyone else gets.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mlready.hooks.context import ProjectContext
from mlready.records import NamedTuple

MAX_BYTES = 1_000_000


class Pattern(NamedTuple):
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


def _translate(glob: str) -> str:
    """A gitignore glob (without its leading ``/`` or trailing ``/``) as a regex body."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i) and (i == 0 or glob[i - 1] == "/"):
            out.append("(?:[^/]*/)*")  # zero or more folders
            i += 3
        elif glob.startswith("**", i) and i + 2 == n and (i == 0 or glob[i - 1] == "/"):
            out.append(".*")  # everything inside
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1:i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
                continue
            body = glob[i + 1:end]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def parse(text: str) -> list[Pattern]:
    """The patterns of one ``.gitignore`` file, in order."""
    patterns: list[Pattern] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        while line.endswith(" ") and not line.endswith("\\ "):
            line = line[:-1]
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated or line.startswith(("\\#", "\\!")):
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        body = _translate(line)
        prefix = "" if anchored else "(?:[^/]*/)*"
        try:
            regex = re.compile(prefix + body + r"\Z")
        except re.error:  # a class git would read differently: skip the line
            continue
        patterns.append(Pattern(regex, negated, dir_only))
    return patterns


class Matcher:
    """Answers "is this root-relative path ignored?" for one project."""

    def __init__(self, project: ProjectContext, top: Path) -> None:
        self.project = project
        self.top = top  # the git work tree's top (or the root outside one)
        self._files: dict[str, list[Pattern]] = {}
        self.found: list[str] = []  # the .gitignore files read that exist (top-relative)

    def _patterns(self, folder: str) -> list[Pattern]:
        """The patterns of ``<folder>/.gitignore`` (folder relative to `top`)."""
        if folder not in self._files:
            path = self.top / folder / ".gitignore" if folder else self.top / ".gitignore"
            data = self.project.disk.read(path, MAX_BYTES)
            self._files[folder] = parse(data.decode("utf-8", "replace")) if data else []
            if data is not None:
                self.found.append(posixpath.join(folder, ".gitignore"))
        return self._files[folder]

    def _decide(self, path: str, is_dir: bool) -> bool | None:
        """The last matching pattern's verdict for ``path`` itself (not its folders)."""
        verdict: bool | None = None
        parts = path.split("/")
        for depth in range(len(parts)):  # the top's .gitignore first, the deepest last
            folder = "/".join(parts[:depth])
            rest = "/".join(parts[depth:])
            for pattern in self._patterns(folder):
                if pattern.dir_only and not is_dir:
                    continue
                if pattern.regex.match(rest):
                    verdict = not pattern.negated
        return verdict

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether git ignores ``path`` (top-relative): it, or a folder above it, is."""
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            here = "/".join(parts[:depth])
            if self._decide(here, depth < len(parts) or is_dir):
                return True
        return False
