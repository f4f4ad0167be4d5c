"""MLR8xx logging: how a training run reports its progress, metrics, settings and code version."""
