"""Automatic fixes: attach them to findings, apply them to files, show them as a diff.

A fix (`mlready.hooks.model.Fix`) is a list of edits on a file's decoded text. Rules
that see the text in ``check`` attach it there; cross-file rules, whose ``finalize``
sees only facts, define ``autofix(diagnostic, source) -> Fix | None`` in their module
and `attach` calls it on the text of the files with their findings. Applying follows
ruff: fixes sorted by position, one that overlaps a fix already taken waits for the
next pass (the caller re-checks and tries again, a few passes at most).

Writing is careful, because it is the user's code: only regular files inside the
project, never through a symbolic link, never a file whose bytes changed since the
check read them (the digest), never a result that no longer parses, and always by a
temporary file renamed over the original, so that a crash leaves the old file or the
new one, never half of each.
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import io
import itertools
import json
import os
import re
import stat
import tokenize
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlready.hooks import patterns
from mlready.hooks.cache import digest
from mlready.hooks.model import Diagnostic, Edit, Fix
from mlready.records import NamedTuple

if TYPE_CHECKING:
    from mlready.hooks.rules import Rule

MAX_PASSES = 4  # ruff iterates too: a fix that overlapped another is retried on the result
_LINE_END = patterns.compile(r"\r\n|\r|\n")
AutoFix = Callable[[Diagnostic, str], "Fix | None"]


def line_starts(source: str) -> list[int]:
    """The offset of each line's first character (index 0 is line 1), splitting where
    Python's tokenizer does (``\\r\\n``, ``\\r``, ``\\n``; not ``\\f`` or ``\\u2028``)."""
    return [0, *(match.end() for match in _LINE_END.finditer(source))]


def offset(source: str, line: int, col: int, starts: Sequence[int] | None = None) -> int:
    """The character offset of a 1-based ``line`` and 0-based character ``col``."""
    starts = starts if starts is not None else line_starts(source)
    return starts[line - 1] + col


def node_offset(source: str, line: int, byte_col: int,
                starts: Sequence[int] | None = None) -> int:
    """The character offset of an AST position (``lineno``, ``col_offset`` in UTF-8 bytes)."""
    starts = starts if starts is not None else line_starts(source)
    begin = starts[line - 1]
    text = source[begin:begin + byte_col]
    if text.isascii():
        return begin + byte_col
    line_text = source[begin:starts[line] if line < len(starts) else len(source)]
    return begin + len(line_text.encode("utf-8", "surrogatepass")[:byte_col]
                       .decode("utf-8", "ignore"))


# ---- attaching the fixes of cross-file rules -------------------------------------------

def _autofixers(rules: Iterable[Rule], codes: set[str]) -> dict[str, AutoFix]:
    found: dict[str, AutoFix] = {}
    for rule in rules:
        if rule.code in codes:
            function = getattr(rule.module, "autofix", None)
            if callable(function):
                found[rule.code] = function
    return found


def attach(diagnostics: Sequence[Diagnostic], rules: Sequence[Rule], root: Path,
           digests: Mapping[str, str]) -> tuple[Diagnostic, ...]:
    """``diagnostics`` with the fixes of rules that define ``autofix`` filled in, each
    computed on the file's text as it was checked (a file that changed since: none)."""
    codes = {d.code for d in diagnostics if d.autofix is None}
    fixers = _autofixers(rules, codes) if codes else {}
    if not fixers:
        return tuple(diagnostics)
    texts: dict[str, str | None] = {}
    out = []
    for diagnostic in diagnostics:
        fixer = fixers.get(diagnostic.code)
        if fixer is not None and diagnostic.autofix is None:
            if diagnostic.path not in texts:
                texts[diagnostic.path] = _checked_text(root, diagnostic.path, digests)
            text = texts[diagnostic.path]
            fix = fixer(diagnostic, text) if text is not None else None
            if fix is not None:
                diagnostic = diagnostic._replace(autofix=fix)
        out.append(diagnostic)
    return tuple(out)


def _checked_text(root: Path, path: str, digests: Mapping[str, str]) -> str | None:
    try:
        data = _read(root, path)
    except OSError:
        return None
    if digests.get(path) != digest(data):
        return None
    decoded = decode(path, data)
    return decoded[0] if decoded is not None else None


# ---- reading and writing ---------------------------------------------------------------

def _read(root: Path, path: str) -> bytes:
    from mlready.reading import read_regular

    target = root / path
    if target.is_symlink():
        raise OSError(f"{path}: is a symbolic link")
    return read_regular(target, root)


def decode(path: str, data: bytes) -> tuple[str, str] | None:
    """(text, codec) as the parser decodes it (PEP 263 for Python, UTF-8 else; a BOM
    kept through the ``utf-8-sig`` codec), or None when it does not decode."""
    if path.endswith(".py"):
        try:
            codec, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            return None
    else:
        codec = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        return data.decode(codec), codec
    except (UnicodeError, LookupError):
        return None


def still_parses(path: str, text: str) -> str | None:
    """Why the fixed text no longer parses as its kind of file, or None when it does."""
    try:
        if path.endswith(".py"):
            ast.parse(text, filename=path)
        elif path.endswith((".ipynb", ".json")):
            json.loads(text)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def apply_edits(text: str, fixes: Sequence[tuple[Diagnostic, Fix]]
                ) -> tuple[str, list[Diagnostic]]:
    """Apply non-overlapping fixes in order of position; the others wait (ruff's rule).
    Returns the new text and the findings whose fix was applied."""
    ordered = sorted(fixes, key=lambda pair: (min((e.start for e in pair[1].edits), default=0),
                                              pair[0].sort_key()))
    pieces: list[str] = []
    done: list[Diagnostic] = []
    last = 0
    for diagnostic, fix in ordered:
        edits = sorted(fix.edits)
        if not edits or edits[0].start < last or any(
                b.start < a.end for a, b in itertools.pairwise(edits)) \
                or any(e.end > len(text) or e.start > e.end for e in edits):
            continue
        for edit in edits:
            pieces.append(text[last:edit.start])
            pieces.append(edit.content)
            last = edit.end
        done.append(diagnostic)
    pieces.append(text[last:])
    return "".join(pieces), done


def write_atomic(target: Path, data: bytes, expected: str) -> None:
    """Replace ``target`` by ``data`` through a temporary file in the same folder, unless
    its bytes are no longer those of digest ``expected`` (raises OSError then)."""
    info = target.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file")
    if digest(target.read_bytes()) != expected:
        raise OSError("changed since it was checked; not fixed")
    import tempfile  # here: a run with nothing to fix never pays for its imports

    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".mlready-fix")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).chmod(stat.S_IMODE(info.st_mode))
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


class FileFix(NamedTuple):
    """One file's fixes: the text before and after, and the findings fixed."""

    path: str
    before: str
    after: str
    fixed: tuple[Diagnostic, ...]

    def diff(self) -> str:
        import difflib

        lines = difflib.unified_diff(self.before.splitlines(keepends=True),
                                     self.after.splitlines(keepends=True),
                                     fromfile=f"a/{self.path}", tofile=f"b/{self.path}")
        out = []
        for line in lines:
            out.append(line if line.endswith(("\n", "\r")) else
                       f"{line}\n\\ No newline at end of file\n")
        return "".join(out)


class Outcome(NamedTuple):
    files: tuple[FileFix, ...]
    errors: tuple[str, ...]

    @property
    def fixed(self) -> tuple[Diagnostic, ...]:
        return tuple(d for f in self.files for d in f.fixed)


def fix(root: Path, diagnostics: Sequence[Diagnostic], digests: Mapping[str, str], *,
        unsafe: bool = False, write: bool = True) -> Outcome:
    """Apply the applicable fixes of ``diagnostics`` (``write=False``: compute only)."""
    by_path: dict[str, list[tuple[Diagnostic, Fix]]] = {}
    for diagnostic in diagnostics:
        if diagnostic.autofix is not None and diagnostic.fixable(unsafe):
            by_path.setdefault(diagnostic.path, []).append((diagnostic, diagnostic.autofix))
    files: list[FileFix] = []
    errors: list[str] = []
    for path, fixes in sorted(by_path.items()):
        try:
            result = _fix_file(root, path, fixes, digests.get(path), write)
        except OSError as exc:
            errors.append(f"{path}: cannot fix: {exc.strerror or exc}")
            continue
        except _Unparsable as exc:
            errors.append(f"{path}: internal error: the fixes ({exc.codes}) would leave the "
                          f"file unparsable ({exc.why}); not written")
            continue
        if result is not None:
            files.append(result)
    return Outcome(tuple(files), tuple(errors))


class _Unparsable(Exception):
    def __init__(self, codes: str, why: str) -> None:
        super().__init__(why)
        self.codes, self.why = codes, why


def _fix_file(root: Path, path: str, fixes: Sequence[tuple[Diagnostic, Fix]],
              expected: str | None, write: bool) -> FileFix | None:
    data = _read(root, path)
    if expected is None or digest(data) != expected:
        raise OSError("changed since it was checked; not fixed")
    decoded = decode(path, data)
    if decoded is None:
        return None
    before, codec = decoded
    after, done = apply_edits(before, fixes)
    if not done or after == before:
        return None
    why = still_parses(path, after)
    if why is not None:
        codes = ", ".join(sorted({d.code for d in done}))
        raise _Unparsable(codes, " ".join(why.split())[:200])
    if write:
        write_atomic(root / path, after.encode(codec), expected)
    return FileFix(path, before, after, tuple(done))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def show_fixes(fixed: Sequence[Diagnostic], names: Mapping[str, str]) -> str:
    """ruff's ``--show-fixes`` block: per file, how many findings of each rule were fixed."""
    if not fixed:
        return ""
    lines = [f"Fixed {_plural(len(fixed), 'error')}:"]
    per_file: dict[str, dict[str, int]] = {}
    for diagnostic in fixed:
        codes = per_file.setdefault(diagnostic.path, {})
        codes[diagnostic.code] = codes.get(diagnostic.code, 0) + 1
    for path, codes in sorted(per_file.items()):
        lines.append(f"- {path}:")
        lines += [f"    {count} \N{MULTIPLICATION SIGN} {code} ({names.get(code, '')})"
                  for code, count in sorted(codes.items())]
    return "\n".join(lines) + "\n"


def edit_replacing(source: str, start: int, end: int, content: str) -> Edit:
    """An edit, checked against the text it applies to (a rule's bug is caught here)."""
    if not 0 <= start <= end <= len(source):
        raise ValueError(f"edit {start}:{end} outside the text ({len(source)} characters)")
    return Edit(start, end, content)


# ---- --add-noqa ------------------------------------------------------------------------

_NOQA_KINDS = (".py", ".txt", ".in")  # files whose `#` comments mlready reads as noqa
_EXISTING = patterns.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[ \t,]+[A-Z]+[0-9]*)*))?",
                             re.IGNORECASE)


def _unsafe_lines(source: str) -> set[int]:
    """Lines of Python source whose end a comment cannot follow: inside a multi-line
    string, or continued with a backslash (the tokenizer's view, not a regex's)."""
    bad: set[int] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return {-1}  # cannot tell: the caller adds nothing to this file
    for token in tokens:
        if token.start[0] != token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE):
            bad.update(range(token.start[0], token.end[0]))
    for number, text in enumerate(source.splitlines(), start=1):
        if text.rstrip().endswith("\\"):
            bad.add(number)
    return bad


def noqa_edits(path: str, source: str, findings: Sequence[Diagnostic]) -> list[Diagnostic]:
    """One finding per line that gets a ``# noqa: CODES`` comment (or more codes on the
    one it has), each carrying that edit as a safe fix: ruff's ``--add-noqa``."""
    # A line continued with a backslash (Python, or a requirements file's continuation)
    # cannot end in a comment: the comment would split the statement or the requirement.
    unsafe = _unsafe_lines(source) if path.endswith(".py") else {
        number for number, text in enumerate(source.splitlines(), start=1)
        if text.rstrip().endswith("\\")}
    if -1 in unsafe:
        return []
    starts = line_starts(source)
    wanted: dict[int, list[str]] = {}
    for finding in findings:
        for line in dict.fromkeys((finding.line, finding.end_line or finding.line)):
            if 0 < line <= len(starts) and line not in unsafe:
                codes = wanted.setdefault(line, [])
                if finding.code not in codes:
                    codes.append(finding.code)
                break
    out = []
    for line, codes in sorted(wanted.items()):
        begin = starts[line - 1]
        stop = starts[line] if line < len(starts) else len(source)
        text = source[begin:stop].rstrip("\r\n")
        existing = _EXISTING.search(text)
        if existing is not None and not existing["codes"]:
            continue  # a bare noqa comment already silences everything
        if existing is not None:
            have = re.split(r"[\s,]+", existing["codes"].strip())
            more = [c for c in codes if c not in have]
            edit = Edit(begin + existing.end("codes"), begin + existing.end("codes"),
                        "".join(f", {c}" for c in more))
        else:
            more = codes
            edit = Edit(begin + len(text), begin + len(text), f"  # noqa: {', '.join(codes)}")
        if more:
            out.append(Diagnostic(path, line, 1, more[0], "add noqa",
                                  autofix=Fix("safe", (edit,), "add a noqa comment")))
    return out


def add_noqa(root: Path, diagnostics: Sequence[Diagnostic],
             digests: Mapping[str, str]) -> Outcome:
    """Append ``# noqa: CODE`` to every reported line (merged with a noqa already there)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.cell is None and diagnostic.path.endswith(_NOQA_KINDS) \
                and diagnostic.code not in ("MLR000", "MLR900"):  # syntax, unused-noqa
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    edits: list[Diagnostic] = []
    errors: list[str] = []
    for path, found in sorted(by_path.items()):
        text = _checked_text(root, path, digests)
        if text is None:
            errors.append(f"{path}: cannot add noqa: changed since it was checked, or unreadable")
            continue
        edits.extend(noqa_edits(path, text, found))
    outcome = fix(root, edits, digests)
    return Outcome(outcome.files, (*errors, *outcome.errors))
