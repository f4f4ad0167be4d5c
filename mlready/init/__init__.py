"""`mlready init`: set a project up for mlready, one job per module.

`command` (the click command), `setup_files` (pre-commit config, workflow, pyproject
edits that keep the user's text and line endings), `entrypoints` (which scripts train,
ranked, from the static half's own call graph), `cli_reader` and `flags` (their command
line, mapped to the runner's placeholders), `proposal` (the runner table and its TOML),
`probe` and `log_regex` (what a short run shows: metrics regex, objective, checkpoint).
"""
