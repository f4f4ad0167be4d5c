"""The static half: fast commit-time checks over a research repository.

Never imports torch, numpy or gitpython at start-up: it parses code, it never runs it.
"""
