"""Exact hypervolume: 2-D and 3-D sweeps, WFG for more objectives, and contributions."""
