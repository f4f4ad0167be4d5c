"""mlready: production-readiness checks for ML and RL research code.

The top-level package stays import-cheap on purpose: the commit-time hooks start
from here, and `mlready.log_metrics` is meant to be called from users' training
scripts, so nothing heavy (torch, numpy, gitpython) may be imported at this level.
``log_metrics`` itself is loaded on first access (PEP 562): the hooks never need it,
and its json import is a measurable part of a one-file hook run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlready._metrics_log import log_metrics

__version__ = "0.1.0"
# Where mlready lives (OWNER/NAME on GitHub): every URL we print, write or link derives
# from it (the pre-commit `repo:`, workflow `uses:`, SARIF, docs links). RELEASING.md.
REPOSITORY = "org/mlready-action"
REPOSITORY_URL = f"https://github.com/{REPOSITORY}"
__all__ = ["REPOSITORY", "REPOSITORY_URL", "__version__", "log_metrics"]


def __getattr__(name: str) -> object:
    if name == "log_metrics":
        from mlready._metrics_log import log_metrics

        return log_metrics
    raise AttributeError(f"module 'mlready' has no attribute {name!r}")
