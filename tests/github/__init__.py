"""Tests for the GitHub surfaces: the REST client, the comment, the Action, `mlready init`."""
