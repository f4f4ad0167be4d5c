"""MLR110-MLR112 experiment config files: missing, absent or with repeated keys."""
