"""Scorecard: static findings and runtime results, weighted into categories and a level.

Importing this package imports neither torch nor gitpython; `baseline` loads gitpython
only when it computes a base scorecard from a git worktree.
"""
