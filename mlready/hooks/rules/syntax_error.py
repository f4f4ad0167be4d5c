"""MLR000 `syntax-error`: a file mlready cannot read or parse.

## What it does
Reports every file that mlready was asked to check but could not analyse: Python
with a syntax error (including syntax newer than the Python mlready runs on),
undecodable bytes (the PEP 263 coding cookie is honoured), null bytes, code nested
too deeply for the parser (or for a rule to analyse: the finding names the rules that
skipped the file), a notebook that is not valid JSON, an invalid
TOML/YAML/JSON/``setup.cfg`` file, or a file that cannot be read at all
(permission denied). The finding names the parser's complaint and its line.

No other rule runs on a file that failed to parse, so this finding is the only sign
that the rest of the file went unchecked.

## Why is this bad?
A file that does not parse does not run, and a linter that silently skips it gives
false confidence: every other rule is blind to it. Commit-time is the cheapest
moment to learn that a config file has a stray tab or that a script only parses on
a newer interpreter than the one in CI.

## Example
```python
def train(cfg)
    ...
```

## Use instead
```python
def train(cfg):
    ...
```

## References
- [PEP 263: Defining Python Source Code Encodings](https://peps.python.org/pep-0263/)
- [ruff: syntax errors are reported as diagnostics](https://docs.astral.sh/ruff/linter/#error-suppression)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic

CODE = "MLR000"
SEVERITY = "error"
NAME = "syntax-error"
KINDS = ("python", "notebook", "requirements", "pyproject", "setup_cfg", "config")


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if ctx.parse_error is not None:
        yield ctx.diagnostic(CODE, (ctx.parse_error_line or 1, 1), ctx.parse_error,
                             fix="fix the file so that it parses; no other rule checked it")
