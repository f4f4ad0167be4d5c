"""The console script and ``python -m mlready``: one command, then the process ends.

A module of its own, apart from `mlready.cli`, so that the collector is set for such a
process (`mlready.collector`) before click and the rest of the command are imported:
importing allocates nearly all that a one-file hook run ever holds, and under the
default thresholds the collector walks it again and again (3.4 million instructions of
``import click`` alone, 2% of that run; issue 14). `mlready.cli.main` leaves the
collector alone, for callers that live on (tests, editors' integrations).
"""

from __future__ import annotations

from mlready import collector


def entrypoint() -> None:
    collector.for_one_run()
    from mlready.cli import main  # after the collector is set: see the module docstring

    code = main()
    collector.before_exit()
    raise SystemExit(code)
