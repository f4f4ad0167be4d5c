"""MLR901 `missing-docstring`: a public function, method or class without a docstring.

## What it does
Flags every public module-level function and class, and every public method of a
public class, that has no docstring (a blank one counts as none). Off by default: a
docstring on every definition is a house style, not a defect. Select it
(``extend-select = ["MLR901"]``) to enforce it.

Not checked: tests (``tests/``, ``testing/``, ``test_*.py``, ``conftest.py``), notebooks, private
names and everything inside a private class, private modules (``pkg/_impl.py``),
generated files, ``setup.py``, dunder methods (``__init__`` is documented by its
class docstring), nested functions, ``@overload`` stubs, ``@override`` methods (the
base class documents them) and property setters and deleters.

The same definitions make the docstring coverage that MLR603 `undocumented-entrypoint`
(on by default) reports for the scorecard, so the score does not depend on selecting
this rule.

## Why is this bad?
Research code is read far more often than it is written: the next person needs to
know what ``forward`` expects (shapes, units, value ranges), what a helper returns and
why it exists. Without docstrings that knowledge stays in the author's head, and
every reader reconstructs it from call sites.

## Example
```python
def masked_mean(x, mask):
    return (x * mask).sum(-1) / mask.sum(-1).clamp(min=1)
```

## Use instead
```python
def masked_mean(x: Tensor, mask: Tensor) -> Tensor:
    \"\"\"Mean of ``x`` over the last axis, counting only positions where ``mask`` is 1.

    Rows with an empty mask give 0 rather than NaN.
    \"\"\"
    return (x * mask).sum(-1) / mask.sum(-1).clamp(min=1)
```

## References
- [PEP 257: Docstring Conventions](https://peps.python.org/pep-0257/)
- [ruff: pydocstyle rules D101-D103](https://docs.astral.sh/ruff/rules/#pydocstyle-d)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.docs import docstrings

CODE = "MLR901"
NAME = "missing-docstring"
KINDS = ("python",)
DEFAULT = False


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    for definition in docstrings.definitions(ctx):
        if not definition.documented:
            yield ctx.diagnostic(
                CODE, (definition.line, definition.col),
                f"`{definition.qualname}`: public {definition.kind} has no docstring",
                fix=f"add a docstring saying what the {definition.kind} does and why "
                    "(arguments, shapes, return value)")
