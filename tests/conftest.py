"""Suite-wide fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cache_where_the_project_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ``MLREADY_CACHE_DIR`` would move every test's cache out of its
    project (the variable wins over ``cache-dir``); tests that want it set it themselves."""
    monkeypatch.delenv("MLREADY_CACHE_DIR", raising=False)
