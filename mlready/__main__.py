"""`python -m mlready` runs the same CLI as the `mlready` console script."""

from mlready.cli import entrypoint

if __name__ == "__main__":
    entrypoint()
