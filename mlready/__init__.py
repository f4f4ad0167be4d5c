"""mlready: production-readiness checks for ML and RL research code.

The top-level package stays import-cheap on purpose: the commit-time hooks start
from here, and `mlready.log_metrics` is meant to be called from users' training
scripts, so nothing heavy (torch, numpy, gitpython) may be imported at this level.
"""

from __future__ import annotations

from mlready._metrics_log import log_metrics

__version__ = "0.1.0"
__all__ = ["__version__", "log_metrics"]
