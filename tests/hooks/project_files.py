"""Writing small projects to disk: one helper for the engine's and the rules' tests.

A plain module rather than a fixture so that rule tests can call it with their own
roots; tests/hooks is on sys.path through its conftest, as for fixture_harness.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

Files = Mapping[str, str | bytes]

# A one-cell notebook whose cell kept its output (what MLR501 reports).
NOTEBOOK_WITH_OUTPUT = json.dumps({
    "cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["x = 1"],
               "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1"]}]}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def write(root: Path, files: Files) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``; return ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
