"""Stable seed derivation: the same inputs give the same numbers in any process.

Seeds and uniforms are cut from a BLAKE2b hash of the inputs, which is fast (about a
microsecond), unaffected by Python's per-process hash randomisation, and uniform enough for
sampling.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np


def stable_hash(text: str) -> int:
    """A 32-bit hash of ``text`` that, unlike ``hash``, is the same in every process."""
    return zlib.crc32(text.encode("utf-8"))


def _digest(parts: tuple[int | str, ...]) -> int:
    key = "\x1f".join(f"{type(p).__name__}:{p}" for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")


def derive_seed(*parts: int | str) -> int:
    """Mix integers and strings into one 31-bit seed, stable across processes.

    Args:
        *parts: The ingredients, e.g. a study seed, a trial number and a parameter name.

    Returns:
        An integer in ``[0, 2**31)``.
    """
    return _digest(parts) >> 33


def uniform(*parts: int | str) -> float:
    """A number in ``[0, 1)`` determined by ``parts`` alone (53 random bits)."""
    return (_digest(parts) >> 11) / float(1 << 53)


def rng_for(*parts: int | str) -> np.random.Generator:
    """A generator seeded by :func:`derive_seed` of ``parts``."""
    return np.random.default_rng(derive_seed(*parts))
