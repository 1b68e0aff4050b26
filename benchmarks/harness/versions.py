"""Installed library versions: part of the cache key, and the stamp under every table."""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import platform
import subprocess
from collections.abc import Iterable
from pathlib import Path


@functools.cache
def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def library_versions(names: Iterable[str]) -> dict[str, str]:
    """Installed version of each distribution in ``names`` (``"absent"`` where missing),
    sorted by name; looked up once per process."""
    return {name: _version(name) for name in sorted(set(names))}


@functools.cache
def checkout() -> str:
    """The commit of the git checkout that the imported paretune comes from, with
    ``+modified`` when its package has uncommitted changes; ``""`` when it is not in a
    checkout. Provenance only: never part of a cache key."""
    spec = importlib.util.find_spec("paretune")
    if spec is None or spec.origin is None:
        return ""
    package = str(Path(spec.origin).parent)
    try:
        commit = subprocess.run(
            ["git", "-C", package, "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        changes = subprocess.run(
            ["git", "-C", package, "status", "--porcelain", "--", "."],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + ("+modified" if changes else "")


def version_stamp(names: Iterable[str]) -> str:
    """One line naming paretune's version and commit, each library in ``names`` with its
    version, and Python's, for the end of a benchmark's output."""
    paretune = library_versions(["paretune"])["paretune"]
    commit = f" ({checkout()})" if checkout() else ""
    others = library_versions(set(names) - {"paretune"})
    cells = [f"paretune {paretune}{commit}", *(f"{n} {v}" for n, v in others.items())]
    return f"Versions: {', '.join(cells)}; Python {platform.python_version()}"
