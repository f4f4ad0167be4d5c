"""``[tool.mlready]`` of a pyproject.toml, remembered for the bytes it was parsed from.

Every run reads its project's pyproject.toml, and parsing it was about 4% of a one-file
hook run (importing `tomllib` compiles its regular expressions: 11M instructions of
290M; issue 14). The table is a function of the file's bytes alone (under one Python
and one mlready), so this remembers it: a hit is exactly what parsing would give.

Nothing a repository commits can be read back. The memo lives beside this machine's
key (`mlready.hooks.machine_key`), outside every project, never in the cache folder a
project may choose; there is one entry per configuration file, named by a MAC of the
file's path under that key, and an entry is used only when it holds the MAC of the
bytes just read, and only if this user alone could have written it
(`mlready.reading.read_own`). Only a successful parse is remembered (an invalid file is
parsed, and reported, by every run), and only a table JSON carries exactly: strings,
numbers, booleans, arrays and tables, not TOML's dates. With ``--no-cache``, before this
machine has a key (the cache creates it) or where the key cannot be trusted, the file is
simply parsed.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from mlready import __version__
from mlready.config import read_bytes, tool_table
from mlready.hooks.cache import mac
from mlready.hooks.cache_dir import atomic_write
from mlready.hooks.machine_key import key_path, machine_key
from mlready.reading import read_own

FOLDER = "configs"  # beside the machine key
MAX_ENTRY = 1 << 20  # bytes: a larger entry is a miss
_PARSER = f"{sys.version}\0mlready {__version__}\0".encode()  # what the table depends on


def remembered_table(path: Path, root: Path, use: bool) -> dict[str, Any]:
    """`mlready.config.tool_table` of ``path`` (the configuration of the project at
    ``root``), from the memo when it holds these bytes; ``use`` false parses."""
    raw = read_bytes(path)
    where = key_path()
    try:  # an unsearchable cache folder raises here (Python 3.11): parse, never crash
        present = where is not None and where.is_file()
    except OSError:
        present = False
    key = machine_key(root) if use and present else None
    if key is None or where is None:
        return tool_table(path, raw)
    name = mac(key, b"config\0" + bytes(path.absolute()))  # the file, not its bytes
    entry = where.parent / FOLDER / f"{name}.json"
    stamp = mac(key, _PARSER + raw)
    found = _recall(entry, stamp)
    if found is not None:
        return found
    table = tool_table(path, raw)
    if _plain(table):
        with contextlib.suppress(OSError, ValueError):
            entry.parent.mkdir(mode=0o700, exist_ok=True)
            atomic_write(entry, json.dumps({"stamp": stamp, "table": table}))
    return table


def _recall(entry: Path, stamp: str) -> dict[str, Any] | None:
    data = read_own(entry, MAX_ENTRY, owned=True)
    if data is None:
        return None
    try:
        found = json.loads(data)
    except ValueError:  # damaged (or an integer past the digit limit): a miss
        return None
    if not isinstance(found, dict) or found.get("stamp") != stamp:
        return None
    table = found.get("table")
    return table if isinstance(table, dict) else None


def _plain(value: object) -> bool:
    """Whether JSON gives ``value`` back equal and of the same types (bool before int:
    JSON keeps them apart, and so does this check)."""
    if isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False
