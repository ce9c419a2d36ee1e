"""Benchmarks: each script prints a figure (a ratio, a rate, a latency); `--quick` keeps it from rotting."""
