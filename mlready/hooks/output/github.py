"""``github``: GitHub Actions workflow commands, one ``::error`` per finding.

The escaping is the Actions toolkit's (``@actions/core`` ``command.ts``): in the
message, ``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D`` and ``%0A``; in property
values ``:`` and ``,`` are escaped too (``%3A``, ``%2C``), since they delimit
properties. A finding in a notebook cell has no line of the ``.ipynb`` file to point
at, so it becomes a file-level annotation whose message names the cell and line.
"""

from __future__ import annotations

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import printable


def escape_data(text: str) -> str:
    """The toolkit's escaping, after `printable` has written out the other control
    characters (``%0A`` still stands for a newline the message itself holds)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(diagnostic: Diagnostic) -> str:
    props: list[tuple[str, object]] = [("file", diagnostic.path)]
    message = diagnostic.message
    if diagnostic.cell is None:
        props += [("line", diagnostic.line), ("col", diagnostic.col)]
        if diagnostic.end_line is not None:
            props.append(("endLine", diagnostic.end_line))
            if diagnostic.end_col is not None:
                props.append(("endColumn", diagnostic.end_col))
    else:
        message = f"cell {diagnostic.cell}, line {diagnostic.line}: {message}"
    props.append(("title", diagnostic.code))
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::error {rendered}::{escape_data(message)}"


def render(report: Report) -> str:
    return "".join(command(d) + "\n" for d in report.diagnostics)
