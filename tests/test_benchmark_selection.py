"""The selection benchmark (``benchmarks/selection.py``) on a tiny setting: German credit,
two seeds, twelve trials; the printed table's structure, not its numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "selection.py"
RULES = ("naive", "paretune")


def test_the_table_has_a_row_per_rule_with_shares_and_extra_compute(tmp_path: Path) -> None:
    cache = tmp_path / "runs.jsonl"
    command = [sys.executable, str(BENCHMARK), "--datasets", "german", "--seeds", "2",
               "--trials", "12", "--top-k", "2", "--repeats", "2", "--rules", ",".join(RULES),
               "--cache", str(cache)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=True)
    out = done.stdout
    assert "german: train 600, validation 200, test 200 rows" in out
    assert "EO limit 0.1; 12 trials; 2 seeds" in out
    assert "paretune: 2 finalists x 2 re-splits, confidence 0.9" in out
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if (
            cells
            and cells[0] in RULES
            and re.fullmatch(r"\d+/2", cells[1] if len(cells) > 1 else "")
        ):
            rows[cells[0]] = line
    assert set(rows) == set(RULES)
    for rule, line in rows.items():
        cells = line.split()
        picked = int(cells[1].split("/")[0])
        meets = float(cells[2])
        assert 0 <= picked <= 2 and 0.0 <= meets <= 1.0 and meets <= picked / 2
        extra_fits, extra_seconds = cells[-2], cells[-1]
        assert extra_fits.endswith("%") and extra_seconds.endswith("%")
        if rule == "naive":
            assert (extra_fits, extra_seconds) == ("0%", "0%")
        else:
            assert extra_fits == "33%"  # 2 finalists x 2 re-splits over 12 trials
            same = line.split()[-3]
            assert 0.0 <= float(same) <= 1.0
    assert re.search(r"goal \(paretune\): meets \d+% \(naive \d+%; >= 90%\)", out)
    assert out.rstrip().splitlines()[-1].startswith("Versions: paretune")
    assert "0 runs reused, 4 to run" in done.stderr
    assert len(cache.read_text().splitlines()) == 4
