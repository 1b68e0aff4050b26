"""The mitigation benchmark (``benchmarks/mitigation.py``) on a tiny setting: German credit,
one seed, six trials; the printed table's structure, not its numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "mitigation.py"
CONTENDERS = ("plain", "mitigated", "fairlearn")
COLUMNS = (
    ("contender", 9), ("trials", 6), ("failed", 6), ("front", 5), ("val HV", 19), ("HV", 19),
    ("HV / plain", 19), ("acc @ EO<=0.05", 19), ("qualify", 7), ("search s", 8), ("test s", 6),
)  # fmt: skip
"""The table's columns and widths: one space between columns, two before the first."""
CELL = re.compile(r"(\d+\.\d{3}) \[(\d+\.\d{3})-(\d+\.\d{3})\]")
"""A median [IQR] cell."""


def cells(line: str) -> dict[str, str]:
    """A table row's cells by column title."""
    out, start = {}, 2
    for title, width in COLUMNS:
        out[title] = line[start : start + width].strip()
        start += width + 1
    return out


def test_the_table_has_a_row_per_contender_and_the_goal_lines(tmp_path: Path) -> None:
    cache = tmp_path / "runs.jsonl"
    command = [sys.executable, str(BENCHMARK), "--datasets", "german", "--seeds", "1",
               "--trials", "6", "--cache", str(cache)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    out = done.stdout
    assert "german: train 600, validation 200, test 200 rows; groups sex" in out
    assert "6 trials; 1 seeds" in out
    lines = out.splitlines()
    (title, width), *others = COLUMNS
    header = "  " + " ".join([f"{title:<{width}}", *(f"{t:>{w}}" for t, w in others)])
    assert header in lines
    rows = {
        line[2:11].strip(): cells(line)
        for line in lines
        if line[2:11].strip() in CONTENDERS and ":" not in line  # not the lines below
    }
    assert set(rows) == set(CONTENDERS)
    for name, row in rows.items():
        study = name != "fairlearn"
        assert row["trials"] == ("6" if study else "-")
        assert row["failed"].isdigit() if study else row["failed"] == "-"
        assert int(row["front"]) >= 1
        for title in ("val HV", "HV"):
            match = CELL.fullmatch(row[title])
            assert match and all(0.0 <= float(v) <= 1.0 for v in match.groups())
        assert row["HV / plain"] == "-" or CELL.fullmatch(row["HV / plain"])
        if name == "plain" and row["HV / plain"] != "-":
            assert row["HV / plain"] == "1.000 [1.000-1.000]"
        assert row["acc @ EO<=0.05"] == "-" or CELL.fullmatch(row["acc @ EO<=0.05"])
        assert 0.0 <= float(row["qualify"]) <= 1.0
        assert float(row["search s"]) >= 0 and float(row["test s"]) >= 0
    assert re.search(r"mitigated front members by method \(all seeds\): \w+ \d+", out)
    ratio = r"(\d+\.\d{3}|nan)"
    goal = rf"goal \(mitigated vs plain\): HV ratio {ratio} \(>= 1\.05\): (not )?met"
    assert re.search(goal, out)
    assert re.search(rf"won \d, lost \d, tied \d of 1 seeds: (not )?met \(HV ratio {ratio}\)", out)
    assert lines[-1].startswith("Versions: paretune")
    assert "0 runs reused, 3 to run" in done.stderr
    assert len(cache.read_text().splitlines()) == 3
