"""MLR5xx notebooks."""
