"""The runtime half: runs a project's own training and evaluation commands briefly and
proves with numbers what only running can prove (smoke, reproducibility, resume, eval,
throughput, memory). torch is imported lazily, only to compare checkpoints."""
