"""MLR2xx dependencies: requirements files, pyproject/setup.cfg/conda manifests, lock files."""
