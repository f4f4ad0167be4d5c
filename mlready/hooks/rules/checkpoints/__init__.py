"""MLR3xx checkpoints and serialization."""
