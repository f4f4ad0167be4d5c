"""MLR613 `hardcoded-user-path`: a path that exists only on the author's machine.

## What it does
Reports a string literal in Python code (docstrings aside; test files skipped) that
holds an absolute path into one person's home or drive: ``/home/<name>/...``,
``/Users/<name>/...`` (macOS), ``C:\\Users\\<name>\\...`` (any drive letter, either
slash), or ``/content/drive/...`` (Google Drive mounted in Colab). ``/home/user/`` and
the like (``user``, ``username``, ``<user>``, ``$USER``) are the home of a container
or a placeholder, not a person's machine, and are not reported.

Off by default: the corpus of real projects holds no instance outside docstrings and
container paths, so its precision could not be judged against the 95% bar.

## Why is this bad?
The script runs on one laptop. Everyone else edits the path before the first run (and
then commits their own), a cluster job fails after waiting in the queue, and the
results cannot be reproduced from the repository alone.

## Example
```python
dataset = load_dataset("/home/alice/datasets/cifar10")
```

## Use instead
```python
dataset = load_dataset(cfg.data_dir)  # or os.environ["DATA_DIR"], a CLI flag
```

## Options
None.

## References
- Research Code Production-Readiness Checklist: "Configuration Management" (all
  settings in config files; easy to launch experiments with config variations)
- [The Twelve-Factor App: Config](https://12factor.net/config)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlready.hooks import patterns
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.repo.strings import value_strings

CODE = "MLR613"
SEVERITY = "warning"
NAME = "hardcoded-user-path"
KINDS = ("python",)
DEFAULT = False

# One pass, no nested quantifiers: the home folder and the name right after it.
_USER_PATH = patterns.compile(
    r"(?:^|[\s\"'=(,:;])("
    r"/home/[A-Za-z0-9._-]{1,64}/"
    r"|/Users/[A-Za-z0-9._ -]{1,64}/"
    r"|[A-Za-z]:[\\/]{1,2}Users[\\/]{1,2}[^\\/\s\"']{1,64}[\\/]"
    r"|/content/drive/)")
_PLACEHOLDERS = frozenset({"user", "username", "<user>", "<username>", "$user", "${user}",
                           "you", "yourname", "your_name", "name", "me", "xxx", "shared",
                           "public", "guest", "runner", "default"})


def _person(found: str) -> str | None:
    """The user name in a matched prefix (None for Colab's drive, which has none)."""
    if found.startswith("/content/"):
        return None
    parts = [p for p in re.split(r"[\\/]+", found) if p]
    return parts[-1] if parts else None


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if is_test_path(ctx.path):
        return
    for node, text in value_strings(ctx):
        match = _USER_PATH.search(text)
        if match is None:
            continue
        found = match.group(1)
        person = _person(found)
        if person is not None and person.lower() in _PLACEHOLDERS:
            continue
        where = "a Colab Google Drive mount" if person is None else f"the home of `{person}`"
        yield ctx.diagnostic(
            CODE, node,
            f"`{found}...`: an absolute path into {where}; the code runs only on that machine",
            fix="read the path from the config, a command-line flag or an environment "
                "variable")
