"""Tree-structured Parzen estimator sampler."""
