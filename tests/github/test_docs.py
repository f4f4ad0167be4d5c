"""The security model is written down where a maintainer looks, and the README points at it.

The settings it names are the part no template can enforce, so a rewording that drops
one of them should fail review here, not surface as a GPU runner running a fork's code.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
ACTION_DOC = (ROOT / "docs" / "action.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.M | re.S)
    assert match is not None, f"no '## {title}' section"
    return match.group(1)


def test_the_security_model_names_the_settings_and_what_a_pr_can_influence() -> None:
    section = _section(ACTION_DOC, "Security model")
    for required in ("Require approval for all outside collaborators", "Selected workflows",
                     ".github/workflows/mlready-gpu.yml@refs/heads/main", "Ephemeral runners",
                     "runs-on: [self-hosted, gpu]", "MLREADY_CACHE_DIR"):
        assert required in section, required
    rows = re.findall(r"^\| (\w+) \|", section, re.M)
    assert {"config", "cache", "artifacts", "comment"} <= set(rows)


def test_the_readme_links_the_security_model_and_promises_nothing_it_cannot_keep() -> None:
    assert "(docs/action.md#security-model)" in README
    assert "require approval for all outside collaborators" in README
    assert "never executes code from a fork PR" not in README
