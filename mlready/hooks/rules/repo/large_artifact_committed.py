"""MLR612 `large-artifact-committed`: TODO, one line on what it flags.

## What it does
TODO: what the rule flags, precisely enough that a reader can predict each finding.

## Why is this bad?
TODO: what goes wrong in a training run or for a reader of the code.

## Example
```python
TODO = "the code the rule flags"
```

## Use instead
```python
TODO = "the code it accepts"
```

## Options
None.

## References
- TODO: the checklist item or the library documentation.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic

CODE = "MLR612"
NAME = "large-artifact-committed"
KINDS = ("python",)


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    """TODO: yield ``ctx.diagnostic(CODE, node, "`construct`: what is wrong", fix=...)``."""
    return iter(())
