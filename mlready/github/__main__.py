"""``python -m mlready.github``: the action's plumbing commands (see `plumbing`)."""

from __future__ import annotations

from mlready.github.plumbing import plumbing

if __name__ == "__main__":  # pragma: no cover - exercised through action.yml in the e2e test
    plumbing(prog_name="python -m mlready.github")
