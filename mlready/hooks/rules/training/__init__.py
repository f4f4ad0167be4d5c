"""MLR7xx training: the training loop (evaluation with gradients on, gradients never
cleared, graphs kept alive by accumulated losses, deprecated mixed-precision APIs)."""
