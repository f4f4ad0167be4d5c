"""`python -m mlready` runs the same CLI as the `mlready` console script."""

from mlready.console import entrypoint

if __name__ == "__main__":
    entrypoint()
