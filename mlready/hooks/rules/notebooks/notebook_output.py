"""MLR501 `notebook-output`: a notebook committed with outputs or execution counts.

## What it does
Flags a Jupyter notebook whose code cells hold outputs or execution counts, at the
first such cell, with how many cells are affected. It follows nbstripout's rules for
what to keep: a cell (or the whole notebook) with ``"keep_output": true`` metadata, a
``keep_output`` tag, or an ``init_cell`` keeps its outputs.

A notebook that ``.gitattributes`` (or ``.git/info/attributes``) routes through the
``nbstripout`` git filter is not reported while the filter can still strip it: when
what git holds for it (its entry in the index) differs from the file read, or it is
not in the index yet. git runs a filter's ``clean`` command when it takes a file in
(``git add``, ``git commit -a``), and a filter whose driver is not defined in the git
config is no error but a no-op passthru (gitattributes(5), "filter"). The driver
(``filter.nbstripout.clean``) is what ``nbstripout --install`` writes into the local git
config, which a fresh clone or a CI checkout does not have. So when the file read *is* the
staged blob (the same git blob id, as in any fresh checkout), the outputs are
committed whatever the attributes say, and the notebook is reported: a pull request
cannot hide the finding by adding the attributes line. Outside a git work tree the
attributes mean nothing and the notebook is reported too; when the index cannot be
read (a split index), the filter is trusted. In a commit hook the index read is the one
git is committing (``git commit -a`` and ``git commit <paths>`` stage into a temporary
index and name it in ``GIT_INDEX_FILE``), so outputs such a commit takes are reported.

## Why is this bad?
Outputs make every re-run a diff of thousands of lines of base64 images and numbers,
so reviews stop being possible; they bloat the history forever; they can leak data,
paths and tokens; and a notebook whose outputs were produced by an older version of
the code looks like evidence it no longer is. Execution counts alone make diffs noisy
and hide the order cells were really run in. A filter line in ``.gitattributes`` is no
proof that they are gone: it strips only in clones whose git config defines the
driver, so a notebook committed from any other clone keeps everything.

## Example
A code cell of the ``.ipynb`` file:
```json
{"cell_type": "code", "execution_count": 12, "metadata": {}, "source": ["train()"],
 "outputs": [{"output_type": "stream", "name": "stdout", "text": ["loss 0.41\\n"]}]}
```

## Use instead
```json
{"cell_type": "code", "execution_count": null, "metadata": {}, "source": ["train()"],
 "outputs": []}
```
Run ``nbstripout notebook.ipynb`` once, then ``nbstripout --install --attributes
.gitattributes`` (or the ``nbstripout`` pre-commit hook) so it never comes back.

## Fix safety
The fix strips outputs and execution counts through nbstripout's own
``strip_output``, with the same keep-output metadata (notebook, cell, tag,
``init_cell``) this rule honours; cell ids and other metadata stay. The notebook is
written back in the JSON layout it had (indent, key order, trailing newline, escaped
or raw non-ASCII). The fix is safe when re-writing the notebook as it is reproduces it
byte for byte (so only the outputs and counts change); otherwise, and when
nbstripout refuses the metadata (``keep_output`` false yet tagged), it is unsafe or
not offered.

## References
- [nbstripout](https://github.com/kynan/nbstripout)
- [The Jupyter notebook format](https://nbformat.readthedocs.io/en/latest/format_description.html)
- [gitattributes: filter](https://git-scm.com/docs/gitattributes#_filter)
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic, Edit, Fix
from mlready.hooks.rules.notebooks.staged import Staged, read_staged

CODE = "MLR501"
SEVERITY = "warning"
NAME = "notebook-output"
KINDS = ("notebook",)

_ATTRIBUTE_FILES = (".gitattributes", ".git/info/attributes")
_FIX = ("run `nbstripout {path}`, then `nbstripout --install --attributes .gitattributes` or "
        "add the nbstripout pre-commit hook")


def _keeps_output(cell: Mapping[str, Any], default: bool) -> bool:
    """nbstripout's ``determine_keep_output``, on plain JSON."""
    metadata = cell.get("metadata")
    if not isinstance(metadata, Mapping):
        return default
    if "init_cell" in metadata:
        return bool(metadata["init_cell"])
    tags = metadata.get("tags")
    tagged = isinstance(tags, list) and "keep_output" in tags
    if "keep_output" in metadata or tagged:
        return bool(metadata.get("keep_output", False)) or tagged
    return default


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The first code cell (1-based, among all cells) with outputs or counts, and totals."""
    data = ctx.data if isinstance(ctx.data, Mapping) else {}
    cells = data.get("cells")
    metadata = data.get("metadata")
    default = isinstance(metadata, Mapping) and bool(metadata.get("keep_output", False))
    first: int | None = None
    outputs = counts = 0
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code" \
                or _keeps_output(cell, default):
            continue
        has_output = bool(cell.get("outputs"))
        has_count = cell.get("execution_count") is not None
        outputs += has_output
        counts += has_count
        if (has_output or has_count) and first is None:
            first = number
    if first is None:
        return None
    return {"cell": first, "outputs": outputs, "counts": counts, "blobs": _blob_ids(ctx.source)}


# What the ``ident`` attribute's checkout writes for ``$Id$``, and git's clean undoes
# (convert.c: from ``$Id:`` to the next ``$`` on the line).
_IDENT = re.compile(rb"\$Id:[^$\n]*\$")


def _blob_ids(source: str) -> list[str]:
    """The git blob ids the file read may have in the index: its bytes (the engine
    decoded them as UTF-8, a BOM dropped), with and without the BOM, with LF line ends,
    as ``core.autocrlf`` stores a CRLF checkout, and with ``$Id: ...$`` collapsed, as
    ``ident`` stores it (a checkout that expands it is no file the filter cleaned)."""
    data = source.encode("utf-8")
    variants = {data, b"\xef\xbb\xbf" + data, data.replace(b"\r\n", b"\n")}
    variants |= {_IDENT.sub(b"$Id$", each) for each in variants}
    return sorted(hashlib.sha1(b"blob %d\0" % len(each) + each, usedforsecurity=False)
                  .hexdigest() for each in variants)


def _stripped_patterns(project: ProjectContext) -> list[str]:
    """Patterns that git attributes send through the nbstripout filter."""
    patterns: list[str] = []
    for name in _ATTRIBUTE_FILES:
        data = project.disk.read(project.root / name, 1_000_000)
        if data is None:
            continue
        text = data.decode("utf-8", "replace")
        for line in text.splitlines():
            parts = line.split()
            if len(parts) > 1 and not parts[0].startswith("#") and "filter=nbstripout" in parts:
                patterns.append(parts[0])
    return patterns


def _matches(path: str, pattern: str) -> bool:
    if "/" not in pattern.rstrip("/"):
        return fnmatch.fnmatchcase(posixpath.basename(path), pattern)
    return fnmatch.fnmatchcase(path, pattern.lstrip("/")) or \
        fnmatch.fnmatchcase(path, pattern.lstrip("/").replace("**/", ""))


def _what(facts: Mapping[str, Any]) -> str:
    parts = []
    if facts["outputs"]:
        parts.append(f"outputs in {facts['outputs']} cell{'s' * (facts['outputs'] > 1)}")
    if facts["counts"]:
        parts.append(f"execution counts in {facts['counts']} cell{'s' * (facts['counts'] > 1)}")
    return " and ".join(parts)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    reported = [path for path in sorted(project.facts) if path in project.targets
                and isinstance(project.facts[path], Mapping)]
    if not reported:
        return
    # Read here rather than per file: the filter decides what git commits.
    patterns = _stripped_patterns(project)
    staged: Staged | None = None
    for path in reported:
        if any(_matches(path, pattern) for pattern in patterns):
            staged = staged or read_staged(project)  # the index: only on this rare path
            if staged.may_strip(path, project.facts[path].get("blobs", ())):
                continue
        facts = project.facts[path]
        yield Diagnostic(path, 1, 1, CODE,
                         f"`{posixpath.basename(path)}`: notebook is committed with "
                         f"{_what(facts)}", fix=_FIX.format(path=path), cell=facts["cell"])


def _layouts(text: str) -> list[dict[str, Any]]:
    """``json.dumps`` arguments that may write this notebook's JSON the way it is
    written: its own indent (nbformat writes one space), else compact."""
    indent = re.match(r"\{\r?\n([ \t]*)\S", text)
    ascii_only = text.isascii()
    if indent:
        return [{"indent": indent[1], "ensure_ascii": ascii_only, "separators": (",", ": ")}]
    return [{"indent": None, "ensure_ascii": ascii_only, "separators": separators}
            for separators in ((", ", ": "), (",", ":"), (",", ": "))]


def _dump(book: Any, text: str, layout: dict[str, Any]) -> str:
    out = json.dumps(book, **layout)
    if "\r\n" in text:
        out = out.replace("\n", "\r\n")
    return out + text[len(text.rstrip()):]


def _keep_kept_counts(data: Mapping[str, Any], stripped: Any) -> None:
    """nbstripout clears the counts of a cell whose outputs it keeps too; this rule does
    not flag such a cell, so its fix leaves it exactly as it was (the original cell)."""
    metadata = data.get("metadata")
    default = isinstance(metadata, Mapping) and bool(metadata.get("keep_output", False))
    cells = stripped.get("cells") or []
    for number, cell in enumerate(data.get("cells") or []):
        if isinstance(cell, Mapping) and cell.get("cell_type") == "code" \
                and _keeps_output(cell, default) and number < len(cells):
            cells[number] = cell


def autofix(diagnostic: Diagnostic, source: str) -> Fix | None:
    """Strip with nbstripout's API, write back in the notebook's own layout."""
    import nbformat
    from nbstripout import MetadataError, strip_output

    try:
        data = json.loads(source)
        layouts = _layouts(source)
        # The layout that writes the notebook as it is; none: the fix may re-format it.
        layout = next((each for each in layouts if _dump(data, source, each) == source), None)
        book = nbformat.from_dict(data)  # type: ignore[no-untyped-call]
        # keep_output=None: the notebook's own ``keep_output`` metadata decides (as here);
        # cell ids are kept, only outputs and counts go.
        stripped = strip_output(book, keep_output=None, keep_count=False, keep_id=True)
        _keep_kept_counts(data, stripped)
    except (ValueError, MetadataError, TypeError, AttributeError, KeyError):
        return None
    after = _dump(stripped, source, layout or layouts[0])
    if after == source:
        return None
    return Fix("safe" if layout is not None else "unsafe", (Edit(0, len(source), after),),
               "strip outputs and execution counts with nbstripout")
