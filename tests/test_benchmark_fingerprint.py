"""The samplers benchmark's cache fingerprint covers every paretune file a sampler run calls.

``benchmarks/samplers.py`` leaves the evaluation layer, data loaders, demo and command
line out of the fingerprint of paretune's runs, so that work on them keeps ten hours of
cached runs valid. This pins the premise: every paretune contender, on a constrained and
a conditional problem (the default and NSGA-III also on a three-objective one), calls
functions only in the files the fingerprint hashes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# Runs in a fresh interpreter so that the profiler sees every call, imports included.
_PROFILED_RUNS = """
import json, sys, threading
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
import samplers
from problems import PROBLEMS
import paretune

package = Path(paretune.__file__).resolve().parent
called = set()

def hook(frame, event, arg):
    if event == "call" and frame.f_code.co_name != "<module>":
        called.add(frame.f_code.co_filename)

sys.setprofile(hook)
threading.setprofile(hook)
for contender, sampler_name in samplers.PARETUNE.items():
    model_based = sampler_name in (None, "GPSampler")  # the default starts with GPs
    for problem in ("BNH", "Mixed", "DTLZ2") if contender in ("pt-default", "pt-nsga3") \
            else ("BNH", "Mixed"):
        budget = 11 if model_based else 20  # a 10-point Sobol start, then the model
        samplers.run_paretune(PROBLEMS[problem], sampler_name, 0, budget,
                              samplers.OPTIONS.get(contender))
sys.setprofile(None)
threading.setprofile(None)
inside = sorted(str(Path(f).resolve().relative_to(package)) for f in called
                if Path(f).resolve().is_relative_to(package))
hashed = sorted(str(p.relative_to(samplers.ROOT / "src" / "paretune"))
                for p in samplers.paretune_sources())
print(json.dumps({{"called": inside, "hashed": hashed}}))
"""


def test_sampler_runs_call_only_fingerprinted_paretune_files() -> None:
    pytest.importorskip("botorch")  # the default and the GP contenders fit GPs
    script = _PROFILED_RUNS.format(benchmarks=str(BENCHMARKS))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    called, hashed = set(report["called"]), set(report["hashed"])
    # The profiler saw the runs: the default's GP and TPE, NSGA-III, the study loop.
    assert {"samplers/_gp.py", "samplers/_auto.py", "samplers/_nsga3.py"} <= called
    assert any(name.startswith("samplers/_tpe/") for name in called)
    assert any(name.startswith("study/") for name in called)
    assert called - hashed == set(), "a sampler run calls files the fingerprint leaves out"
    # What is left out is the evaluation layer and friends, not something a run calls.
    assert not any(name.startswith("evaluate/") for name in hashed)
    assert "datasets/_loaders.py" not in hashed
    assert {"demo.py", "cli.py", "_thresholded.py"}.isdisjoint(hashed)
