"""`python -m mlready` runs the same CLI as the `mlready` console script."""

from mlready.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
