"""The only network code: the PR comment upsert (GitHub REST), step summary and outputs."""
