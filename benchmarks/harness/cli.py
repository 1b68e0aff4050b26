"""Command-line options every benchmark shares."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from harness.cache import RunCache
from harness.cache import default_cache_path


def make_parser(doc: str | None) -> argparse.ArgumentParser:
    """A parser whose description is the first line of the script's docstring."""
    return argparse.ArgumentParser(description=(doc or "").splitlines()[0])


def add_run_options(
    parser: argparse.ArgumentParser, benchmark: str, seeds: int, workers: int = 2
) -> None:
    """``--seeds``, ``--workers`` and ``--cache [FILE]`` for a benchmark that runs
    contenders x seeds."""
    parser.add_argument("--seeds", type=int, default=seeds, help=f"seeds 0..N-1 (default {seeds})")
    parser.add_argument(
        "--workers", type=int, default=workers, help=f"worker processes (default {workers})"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        nargs="?",
        const=default_cache_path(benchmark),
        default=None,
        metavar="FILE",
        help="reuse and store finished runs in FILE, one JSON line each (without FILE: "
        f"{default_cache_path(benchmark)}; see benchmarks/README.md)",
    )


def cache_of(args: argparse.Namespace) -> RunCache | None:
    """The cache ``--cache`` asks for, if any."""
    return RunCache(args.cache) if args.cache is not None else None


def choose(
    parser: argparse.ArgumentParser, text: str, known: Iterable[str], what: str
) -> list[str]:
    """The comma-separated names in ``text``; exits with an error naming the unknown ones."""
    names = [name for name in text.split(",") if name]
    options = list(known)
    unknown = sorted(set(names) - set(options))
    if unknown:
        parser.error(f"unknown {what} {unknown}; choose from {options}")
    return names
