"""Seed derivation is stable, spread out and uniform."""

from __future__ import annotations

import numpy as np
from scipy import stats

from paretune._seeding import derive_seed
from paretune._seeding import uniform


def test_known_values_never_change() -> None:
    # Pinned: changing these would change every seeded study's sequence.
    assert derive_seed(0, "trial", 0) == 488445375
    assert derive_seed(0, "trial", 1) == 1893591013
    assert uniform(3, 0, "x") == 0.08413363853527833
    assert derive_seed(1, "x") != derive_seed("1", "x")  # types are part of the key
    assert 0 <= derive_seed(2**40, "big") < 2**31


def test_uniforms_pass_a_kolmogorov_smirnov_test() -> None:
    values = np.array([uniform(7, n, "lr") for n in range(5000)])
    assert values.min() >= 0.0 and values.max() < 1.0
    assert stats.kstest(values, "uniform").pvalue > 0.01
    other = np.array([uniform(7, n, "depth") for n in range(5000)])
    assert abs(np.corrcoef(values, other)[0, 1]) < 0.05
