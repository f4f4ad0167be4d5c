"""`mlready check` and `mlready rule`: the command-line face of the static half.

Flags mirror ruff's, so that users do not learn a second vocabulary. Everything a
user can get wrong (a bad flag, an unknown key in ``[tool.mlready]``, a missing path)
ends as one ``error:`` line on stderr and exit code 2, never a traceback.

One job per module: `check` (the command: flags, settings, what to run), `printing`
(printing a report and its exit code), `fixing` (``--fix``, ``--diff``, ``--add-noqa``),
`stdin` (``mlready check -``), `rule` (``mlready rule``) and `messages` (the one-line
errors all of them print). This file imports none of them: `mlready.cli` loads the
command it runs, and only that one.
"""
