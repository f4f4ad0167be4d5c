"""MLR603 `undocumented-entrypoint`: a command-line script without a module docstring.

## What it does
Flags a command-line entry point that does not start with a docstring. A module is an
entry point when it is run as a program (a ``__main__.py``, or a module with a
top-level ``if __name__ == "__main__":`` block) *and* reads its command line (it imports
``argparse``, ``click``, ``typer``, ``fire``, ``hydra``, ``absl``, ``jsonargparse``,
``tyro``, ``simple_parsing``, ``docopt`` or ``optparse``, or reads ``sys.argv``). A
``model.py`` whose ``__main__`` block is a quick shape check is not an entry point, nor
is a ``__main__.py`` that only calls ``main()`` from a module documented elsewhere, or
one that dispatches subcommands to imported functions (``{"train": train_fn, ...}``:
each command is documented where it is defined, and CLIs such as jsonargparse build
their help from there). A script that opens with a comment block describing it (what
it does, its usage) is documented, just not with a docstring; a licence or copyright
header alone does not count. Tests, notebooks, private and generated modules are not
checked.

The rule also measures *docstring coverage*: the share of public functions, classes
and methods that have a docstring, per file and for the project (the scope is the one
of MLR401's type-hint coverage; see MLR901 `missing-docstring` for what is counted).
The scorecard scores the Documentation category with it. The engine computes the
coverage whether or not the rule is selected (the rule itself is off by default, like
MLR401), so the score never depends on the selection; flagging every undocumented
function is the stricter MLR901, and this rule only reports the one docstring every
project needs.

## Why is this bad?
The entry point is where every reader starts: what the script trains, on what data,
with which command. Its docstring is also what ``argparse.ArgumentParser(
description=__doc__)`` and ``python -m pydoc`` show. Without it, the way to run the
project lives only in its author's shell history.

## Example
```python
import argparse

def main() -> None:
    parser = argparse.ArgumentParser()
    ...

if __name__ == "__main__":
    main()
```

## Use instead
```python
\"\"\"Train the model described by a YAML config and write <out>/checkpoint.pt.

    python train.py --config configs/default.yaml --out runs/a
\"\"\"

import argparse
...
```

## References
- [PEP 257: Docstring Conventions](https://peps.python.org/pep-0257/#what-is-a-docstring)
- [argparse: description](https://docs.python.org/3/library/argparse.html#description)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from mlready.hooks import patterns
from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules import _coverage
from mlready.hooks.rules.docs import docstrings
from mlready.hooks.syntax import is_main_guard

CODE = "MLR603"
SEVERITY = "note"
DEFAULT = False  # as ruff's ANN rules: its family selector turns it on
NAME = "undocumented-entrypoint"
KINDS = ("python",)

_CLI_MODULES = frozenset({"argparse", "click", "typer", "fire", "hydra", "absl",
                          "jsonargparse", "tyro", "simple_parsing", "docopt", "optparse"})


def _reads_command_line(ctx: FileContext) -> bool:
    modules = [alias.name for node in ctx.nodes(ast.Import) for alias in node.names]
    modules += [node.module for node in ctx.nodes(ast.ImportFrom)
                if node.module and node.level == 0]
    if any(module.split(".", 1)[0] in _CLI_MODULES for module in modules):
        return True
    if any(node.module == "sys" and any(alias.name == "argv" for alias in node.names)
           for node in ctx.nodes(ast.ImportFrom)):
        return True
    return any(node.attr == "argv" and isinstance(node.value, ast.Name)
               and node.value.id == "sys" for node in ctx.nodes(ast.Attribute))


def is_entrypoint(ctx: FileContext) -> bool:
    """A ``__main__.py`` or ``__main__``-guarded module that reads its command line."""
    if ctx.tree is None:
        return False
    runs = ctx.path.rsplit("/", 1)[-1] == "__main__.py" or any(
        is_main_guard(node) for node in ctx.tree.body)
    return runs and _reads_command_line(ctx)


_LICENCE_WORDS = patterns.compile(r"copyright|licen[cs]e|spdx|rights reserved|warrant|\(c\)",
                                  re.IGNORECASE)


def _header_paragraphs(lines: list[str]) -> Iterator[list[str]]:
    """The comment block before the first statement, split into paragraphs at blank
    lines and rule lines (``#####``); shebang and encoding lines are skipped."""
    paragraph: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if number < 2 and (stripped.startswith("#!") or "coding" in stripped[:30]):
            continue
        if stripped and not stripped.startswith("#"):
            break
        text = stripped.lstrip("#").strip()
        if text:
            paragraph.append(text)
        elif paragraph:
            yield paragraph
            paragraph = []
    if paragraph:
        yield paragraph


def has_comment_header(lines: list[str]) -> bool:
    """A leading comment paragraph that is prose about the script, not a licence
    notice and not commented-out code."""
    for paragraph in _header_paragraphs(lines):
        text = " ".join(paragraph)
        words = [word for word in text.split() if word.isalpha()]
        if paragraph[0].startswith("///") or len(words) < 4 or _LICENCE_WORDS.search(text):
            continue  # PEP 723 script metadata, a rule, a licence notice
        try:
            ast.parse("\n".join(paragraph))
        except SyntaxError:
            return True
    return False


def dispatches_subcommands(ctx: FileContext) -> bool:
    """A ``__main__.py`` with a module-level table of subcommand names to imported
    functions (``PARSER_DATA = {"download": download_fn, ...}``)."""
    if ctx.tree is None or ctx.path.rsplit("/", 1)[-1] != "__main__.py":
        return False
    imported = {(alias.asname or alias.name).split(".")[0]
                for node in ctx.tree.body if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names}
    for node in ctx.tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Dict) and len(value.keys) >= 2 and all(
                isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys) \
                and all(isinstance(v, ast.Name) and v.id in imported for v in value.values):
            return True
    return False


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if ctx.tree is None or not docstrings.in_scope(ctx):
        return
    if docstrings.has_docstring(ctx.tree) or not is_entrypoint(ctx):
        return
    if has_comment_header(ctx.lines) or dispatches_subcommands(ctx):
        return
    yield ctx.diagnostic(
        CODE, (1, 1),
        f"`{ctx.path}`: command-line entry point has no module docstring saying what it "
        "does and how to run it",
        fix="start the file with a docstring: one line on what it does, then an example "
            "command")


def collect(ctx: FileContext) -> dict[str, int] | None:
    """Documented and total public definitions of one file; None when out of scope."""
    found = docstrings.definitions(ctx)
    if not found:
        return None
    return {"documented": sum(d.documented for d in found), "total": len(found)}


def summarize(project: ProjectContext) -> dict[str, Any]:
    """Docstring coverage per file (files with a public definition) and for the project.

    ``ratio`` is ``null`` when the project has no public definition.
    """
    return _coverage.summarize(project, "documented")
