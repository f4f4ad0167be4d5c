"""The only network code: the PR comment upsert against the GitHub REST API, step summary and outputs."""
