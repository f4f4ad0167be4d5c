"""Bytes to contexts: decode and parse one file, once, without ever raising.

Whatever is wrong with a file (bad encoding, null bytes, syntax from a newer Python,
nesting too deep for the parser, invalid JSON/TOML/YAML) ends up in the context's
``parse_error`` and ``parse_error_line``, which the ``syntax-error`` rule reports as
a finding on that file; the engine runs no other rule on a context that failed.
"""

from __future__ import annotations

import ast
import functools
import io
import json
import re
import sys
import tokenize
import warnings
from collections.abc import Collection
from pathlib import Path
from typing import Any

from mlready.hooks import notebook as nb
from mlready.hooks.context import FileContext
from mlready.hooks.model import FileKind
from mlready.records import NamedTuple

_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


class Parsed(NamedTuple):
    """A file's contexts (a notebook has two) and, for notebooks, the cell line map."""

    contexts: tuple[FileContext, ...]
    cells: nb.CellMap | None = None


def decode_python(data: bytes) -> tuple[str | None, str | None, int]:
    """Text of a Python file per PEP 263 (coding cookie, BOM), or (None, why, line)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc.msg):
            return None, f"cannot decode file: {exc.msg}", 1
        encoding = "utf-8"  # no usable cookie: the bytes are simply not UTF-8
    try:
        return data.decode(encoding), None, 0
    except UnicodeDecodeError as exc:
        return (None, f"cannot decode file as {encoding}: {exc.reason} (byte {exc.start})",
                _line_of_byte(data, exc.start))
    except LookupError as exc:
        return None, f"cannot decode file: {exc}", 1
    except Exception as exc:  # a codec the cookie names may fail any way it likes:
        # `punycode` and `undefined` raise plain UnicodeError, others TypeError...
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        return None, f"cannot decode file as {encoding}: {detail}", 1


def _line_of_byte(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, max(offset, 0)) + 1


def parse_python(ctx: FileContext) -> None:
    """Parse ``ctx.source`` into ``ctx.tree``, or set ``parse_error``."""
    if "\0" in ctx.source:  # SyntaxError or ValueError depending on the Python, no line
        ctx.parse_error = "SyntaxError: source code cannot contain null bytes"
        ctx.parse_error_line = ctx.source.count("\n", 0, ctx.source.index("\0")) + 1
        return
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" is not ours to print
            warnings.simplefilter("ignore")
            ctx.tree = ast.parse(ctx.source, filename=ctx.path)
    except SyntaxError as exc:
        # Newer syntax (PEP 695 generics, ...) fails on an older interpreter: say which.
        ctx.parse_error = f"SyntaxError: {exc.msg} (parsed as Python {_PYTHON})"
        ctx.parse_error_line = exc.lineno or 1
    except ValueError as exc:  # defensive: other "invalid source" complaints
        ctx.parse_error = f"SyntaxError: {exc}"
        ctx.parse_error_line = 1
    except RecursionError:
        ctx.parse_error = "SyntaxError: code is nested too deeply to parse"
        ctx.parse_error_line = 1
    except MemoryError:
        ctx.parse_error = "SyntaxError: the parser ran out of memory (nested too deeply?)"
        ctx.parse_error_line = 1


@functools.cache
def _yaml_loader() -> Any:
    """A safe loader that accepts any tag and builds plain data from the tagged node.

    Valid YAML often carries application tags (``!!python/name:`` in mkdocs.yml,
    ``!!python/tuple`` in Lightning's hparams.yaml, CloudFormation's ``!Ref``). The safe
    loader refuses to construct them, which is a question of trust, not of syntax: we
    only need to know that the file parses, so such files must not be reported as broken.
    """
    import yaml  # imported only when a YAML file is read: start-up stays cheap

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class TagTolerantLoader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_any(loader: Any, _suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    TagTolerantLoader.add_multi_constructor("", construct_any)
    return TagTolerantLoader


def _yaml(text: str) -> Any:
    import yaml

    documents = list(yaml.load_all(text, Loader=_yaml_loader()))
    if not documents:
        return None
    return documents[0] if len(documents) == 1 else documents


def _setup_cfg(text: str) -> dict[str, dict[str, str]]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ValueError(str(exc)) from None
    return {name: dict(parser[name]) for name in parser.sections()}


def _error_line(exc: Exception) -> int:
    """The line a parser error points at, whatever the parser."""
    for attr in ("lineno",):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    mark = getattr(exc, "problem_mark", None)  # yaml
    if mark is not None:
        return int(getattr(mark, "line", 0)) + 1
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else 1


def parse_data(ctx: FileContext) -> None:
    """Parse a structured file into ``ctx.data``, or set ``parse_error``."""
    suffix = Path(ctx.path).suffix.lower()
    try:
        if ctx.kind == "requirements":
            return
        if ctx.kind == "setup_cfg":
            ctx.data = _setup_cfg(ctx.source)
        elif suffix == ".toml":
            import tomllib

            ctx.data = tomllib.loads(ctx.source)
        elif suffix == ".json":
            ctx.data = json.loads(ctx.source)
        elif suffix in (".yaml", ".yml"):
            ctx.data = _yaml(ctx.source)
    except (ValueError, RecursionError, MemoryError) as exc:
        ctx.parse_error = f"invalid {suffix.lstrip('.').upper() or 'file'}: {_first_line(exc)}"
        ctx.parse_error_line = _error_line(exc)
    except Exception as exc:  # yaml.YAMLError and friends, without importing yaml here
        if type(exc).__module__.split(".")[0] != "yaml":
            raise
        ctx.parse_error = f"invalid YAML: {_first_line(exc)}"
        ctx.parse_error_line = _error_line(exc)


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def failed(path: str, kind: FileKind, root: Path, why: str, line: int = 1) -> FileContext:
    """A context for a file that could not be read or decoded at all."""
    return FileContext(path=path, kind=kind, source="", root=root, parse_error=why,
                       parse_error_line=line)


def parse(path: str, kind: FileKind, data: bytes, root: Path,
          wanted: Collection[FileKind], max_size: int | None = None) -> Parsed:
    """The contexts of one file that some selected rule reads (``wanted`` kinds).

    Never raises: whatever a file's content makes a parser do (a codec's own error, a
    recursion or memory limit, a bug of ours that only this file triggers) is MLR000 on
    that file, so that one bad file never costs the whole run its findings. Source over
    ``max_size`` bytes is not parsed at all (``ast.parse`` takes some 300 bytes of memory
    per byte of source): a notebook counts its code cells, not its outputs.
    """
    try:
        return _parse(path, kind, data, root, wanted, max_size)
    except Exception as exc:
        detail = " ".join(str(exc).split())[:200]
        why = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        return Parsed((failed(path, kind, root, f"cannot parse file ({why})"),))


def too_large(size: int, max_size: int) -> str:
    """The MLR000 message for source over the size limit."""
    from mlready.reading import megabytes

    return f"too large to check ({megabytes(size)} > {megabytes(max_size)})"


def _parse(path: str, kind: FileKind, data: bytes, root: Path,
           wanted: Collection[FileKind], max_size: int | None) -> Parsed:
    if max_size is not None and kind != "notebook" and len(data) > max_size:
        return Parsed((failed(path, kind, root, too_large(len(data), max_size)),))
    if kind == "python":
        text, why, line = decode_python(data)
        if text is None:
            return Parsed((failed(path, kind, root, why or "cannot decode file", line),))
        ctx = FileContext(path=path, kind="python", source=text, root=root)
        parse_python(ctx)
        return Parsed((ctx,))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = _line_of_byte(data, exc.start)
        return Parsed((failed(path, kind, root, f"cannot decode file as UTF-8: {exc.reason}",
                              line),))
    if kind == "notebook":
        return _notebook(path, text, root, wanted, max_size)
    ctx = FileContext(path=path, kind=kind, source=text, root=root)
    parse_data(ctx)
    return Parsed((ctx,))


def _notebook(path: str, text: str, root: Path, wanted: Collection[FileKind],
              max_size: int | None) -> Parsed:
    try:
        book = nb.load(text)
    except nb.NotebookError as exc:
        return Parsed((failed(path, "notebook", root, str(exc), exc.line or 1),))
    contexts: list[FileContext] = []
    if "python" in wanted:
        code_size = len(book.source.encode("utf-8", "surrogatepass"))
        if max_size is not None and code_size > max_size:
            code = failed(path, "python", root, too_large(code_size, max_size))
            code.notebook = True
        else:
            code = FileContext(path=path, kind="python", source=book.source, root=root,
                               notebook=True)
            parse_python(code)
        contexts.append(code)
    if "notebook" in wanted:
        contexts.append(FileContext(path=path, kind="notebook", source=text, root=root,
                                    data=book.data))
    return Parsed(tuple(contexts), book.cells)
