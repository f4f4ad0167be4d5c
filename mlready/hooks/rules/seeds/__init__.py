"""MLR0xx reproducibility: unseeded random sources and nondeterministic training, followed
from each entry point through the project (`flow`)."""
