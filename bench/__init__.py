"""Benchmarks: `python -m bench.<name>` prints the figures a claim in the docs rests on."""
