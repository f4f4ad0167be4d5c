"""MLR610-MLR615 repo: repository hygiene (secrets, ignored outputs, artefacts, paths,
tests, CI)."""
