"""The scorecard's surfaces. Each is a pure function of a `Scorecard` (and options)."""
