"""MLR101-MLR106 hard-coded hyper-parameters: literals passed to training APIs."""
