"""Maintainer commands: ``python -m mlready.dev generate`` and ``new-rule`` (see
`mlready.dev.__main__` and CONTRIBUTING.md). Not imported by the package itself."""
