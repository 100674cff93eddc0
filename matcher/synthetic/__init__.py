"""Synthetic cohorts (nobody real) for trying the tool and for the benchmarks; not on the core path."""
