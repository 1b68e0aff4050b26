"""Stable seed derivation: the same inputs give the same seed in any process."""

from __future__ import annotations

import zlib

import numpy as np


def stable_hash(text: str) -> int:
    """A 32-bit hash of ``text`` that, unlike ``hash``, is the same in every process."""
    return zlib.crc32(text.encode("utf-8"))


def derive_seed(*parts: int | str) -> int:
    """Mix integers and strings into one 31-bit seed, stable across processes.

    Args:
        *parts: The ingredients, e.g. a study seed, a trial number and a parameter name.

    Returns:
        An integer in ``[0, 2**31)``.
    """
    entropy = [stable_hash(p) if isinstance(p, str) else int(p) & 0xFFFFFFFFFFFFFFFF for p in parts]
    return int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint32)[0] >> 1)


def rng_for(*parts: int | str) -> np.random.Generator:
    """A generator seeded by :func:`derive_seed` of ``parts``."""
    return np.random.default_rng(derive_seed(*parts))
