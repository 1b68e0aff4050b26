"""Finished runs on disk, so that a table can be reprinted or resumed without rerunning.

Each run is one JSON line, appended as soon as it finishes, and is reused when its
:class:`RunKey` matches: the benchmark, the problem and its settings, the contender and
its settings, the seed, the budget, and the installed versions of the libraries that
decide the run (the contender's and the problem's). No hash of source files is part of
the key, so editing ``src/`` or refactoring the benchmarks keeps stored runs valid. A
change that alters what a run does without changing a version or a setting (a fix in
paretune between releases, a new definition of a problem) must say so: add or bump a
``"revision"`` entry in the contender's or the problem's settings, or use another file.

The default location is ``benchmarks/runs/<benchmark>.jsonl`` (ignored by git), or
``$PARETUNE_BENCH_CACHE/<benchmark>.jsonl`` when that variable names a directory.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from harness.versions import checkout

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root."""
ENVIRONMENT = "PARETUNE_BENCH_CACHE"
"""Environment variable naming the directory of the default cache files."""
DEFAULT_DIRECTORY = ROOT / "benchmarks" / "runs"
"""Where the default cache files live when :data:`ENVIRONMENT` is unset."""


def default_cache_path(benchmark: str) -> Path:
    """The file ``--cache`` without a name uses for ``benchmark``."""
    directory = os.environ.get(ENVIRONMENT)
    return (Path(directory).expanduser() if directory else DEFAULT_DIRECTORY) / f"{benchmark}.jsonl"


def canonical_json(value: Any) -> str:
    """``value`` as JSON with sorted keys and no spaces: equal settings, equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _number(value: float) -> int | float:
    """A budget as JSON writes it: ``12.0`` and ``12`` are the same budget."""
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class RunKey:
    """What makes two runs the same run. Settings and versions are canonical JSON."""

    benchmark: str
    problem: str
    problem_settings: str
    contender: str
    settings: str
    seed: int
    budget: int | float
    versions: str

    @classmethod
    def of(
        cls,
        benchmark: str,
        problem: str,
        problem_settings: Mapping[str, Any],
        contender: str,
        settings: Mapping[str, Any],
        seed: int,
        budget: float,
        versions: Mapping[str, str],
    ) -> RunKey:
        """The key of a run; settings and versions as mappings."""
        return cls(
            benchmark, problem, canonical_json(problem_settings), contender,
            canonical_json(settings), int(seed), _number(budget), canonical_json(versions),
        )  # fmt: skip

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunKey:
        """The key of a stored row (:meth:`to_row`'s fields)."""
        return cls.of(
            row["benchmark"], row["problem"], row["problem_settings"], row["contender"],
            row["settings"], row["seed"], row["budget"], row["versions"],
        )  # fmt: skip

    def to_row(self) -> dict[str, Any]:
        """The key's fields for a stored row, settings and versions as JSON objects."""
        return {
            "benchmark": self.benchmark,
            "problem": self.problem,
            "problem_settings": json.loads(self.problem_settings),
            "contender": self.contender,
            "settings": json.loads(self.settings),
            "seed": self.seed,
            "budget": self.budget,
            "versions": json.loads(self.versions),
        }

    @property
    def group(self) -> tuple[str, str, str]:
        """(benchmark, problem, contender): stored runs compared with this one to say why
        they are stale."""
        return self.benchmark, self.problem, self.contender


@dataclass
class Lookup:
    """What a cache file holds for the wanted keys.

    Attributes:
        hits: The stored row of each wanted key found.
        stale: Stored runs of a wanted (benchmark, problem, contender) whose settings,
            problem settings or versions differ from the wanted ones.
        other_settings: Contenders and problems whose stored settings differ.
        other_versions: ``"name stored (installed version)"`` for each library whose
            version in a stale run differs from the installed one.
        skipped: Lines that are not a stored run of this format.
    """

    hits: dict[RunKey, dict[str, Any]] = field(default_factory=dict)
    stale: int = 0
    other_settings: set[str] = field(default_factory=set)
    other_versions: set[str] = field(default_factory=set)
    skipped: int = 0

    def summary(self, path: Path, to_run: int) -> str:
        """One line: runs reused, runs to run, and why stored runs were ignored."""
        reasons = ""
        if self.other_settings:
            reasons += f"; other settings of {', '.join(sorted(self.other_settings))}"
        if self.other_versions:
            versions = ", ".join(sorted(self.other_versions))
            reasons += f"; they ran with other library versions: {versions}"
        if self.skipped:
            reasons += f"; {self.skipped} lines of another format skipped"
        return (
            f"Cache {path}: {len(self.hits)} runs reused, {to_run} to run "
            f"({self.stale} stored runs of other settings or versions ignored{reasons})"
        )


class RunCache:
    """A JSON-lines file of finished runs (created on the first :meth:`store`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lookup(self, keys: Iterable[RunKey]) -> Lookup:
        """The stored runs of ``keys``, and why other stored runs of their contenders
        on their problems do not count."""
        wanted = set(keys)
        by_group = {key.group: key for key in wanted}
        found = Lookup()
        if not self.path.exists():
            return found
        for line in self.path.read_text().splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                key = RunKey.from_row(row)
            except (ValueError, KeyError, TypeError):
                found.skipped += 1  # a line cut short, or an older format
                continue
            if key in wanted:
                found.hits.setdefault(key, row)
                continue
            like = by_group.get(key.group)
            if like is None or (
                (key.settings, key.problem_settings, key.versions)
                == (like.settings, like.problem_settings, like.versions)
            ):
                continue  # another benchmark, problem or contender; or another seed
            found.stale += 1
            if key.settings != like.settings:
                found.other_settings.add(key.contender)
            if key.problem_settings != like.problem_settings:
                found.other_settings.add(key.problem)
            installed = json.loads(like.versions)
            found.other_versions.update(
                f"{name} {version} (installed {installed[name]})"
                for name, version in json.loads(key.versions).items()
                if name in installed and installed[name] != version
            )
        return found

    def store(self, key: RunKey, history: Any, seconds: float) -> None:
        """Append one finished run (one line, written at once), with when and from which
        commit it was recorded (provenance, not part of the key)."""
        row = {
            **key.to_row(),
            "history": history,
            "seconds": round(seconds, 3),
            "recorded": {"date": datetime.date.today().isoformat(), "commit": checkout()},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as stream:
            stream.seek(0, os.SEEK_END)
            if stream.tell():  # after a line cut short by a kill, start a new one
                stream.seek(-1, os.SEEK_END)
                if stream.read(1) != b"\n":
                    stream.write(b"\n")
            stream.write((json.dumps(row) + "\n").encode())
