"""Pareto dominance, non-dominated sorting and crowding (all objectives minimised)."""
