"""MLR6xx and MLR901 documentation: the README, entry-point and public docstrings."""
