"""Which lines a PR changed: ``git diff --unified=0 base...head`` as {path: lines}.

Used to put the findings a reviewer can act on (those on lines the PR touched) first,
where GitHub's per-step annotation cap would otherwise show an arbitrary ten.
"""

from __future__ import annotations

import re
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            '"': '"', "\\": "\\"}


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths (``"a\\tb.py"``, octal UTF-8 bytes)."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(c in "01234567" for c in octal):
                out.append(int(octal, 8))
                i += 4
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode())
            i += 2
            continue
        out.extend(char.encode())
        i += 1
    return out.decode("utf-8", errors="replace")


def parse_unified_diff(text: str) -> dict[str, set[int]]:
    """Added or changed line numbers (in the new file) per path, from a ``-U0`` diff."""
    changed: dict[str, set[int]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = _unquote(line[4:].rstrip("\t"))
            if target == "/dev/null":
                current = None
            else:
                current = target[2:] if target.startswith("b/") else target
                changed.setdefault(current, set())
            continue
        match = _HUNK.match(line)
        if match and current is not None:
            start = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            changed[current].update(range(start, start + count))
    return changed


def changed_lines(root: Path, base: str, head: str = "HEAD", *, since_merge_base: bool = True
                  ) -> dict[str, set[int]]:
    """The lines ``head`` changed since its merge base with ``base`` (or, without
    ``since_merge_base``, since ``base`` itself: a commit that may share no history with
    ``head``), relative to the repository root. gitpython is imported here only."""
    import git  # lazy

    from mlready.scorecard.inputs import InputError

    try:
        repo = git.Repo(root, search_parent_directories=True)
        text = repo.git.diff("--unified=0", "--no-color", "--no-ext-diff", "--no-renames",
                             f"{base}{'...' if since_merge_base else '..'}{head}")
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(root, "not inside a git repository") from None
    except git.GitCommandError as exc:
        lines = str(exc.stderr or "").strip().splitlines()
        raise InputError(root, f"git diff {base}...{head} failed: "
                               f"{lines[-1].strip() if lines else 'git failed'}") from None
    return parse_unified_diff(str(text))
