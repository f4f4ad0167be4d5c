"""Scorecard: merges static findings and runtime results into weighted categories and a readiness level."""
