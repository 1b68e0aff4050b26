"""``import paretune`` stays light: heavy dependencies load only when used."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_pull_heavy_dependencies() -> None:
    code = (
        "import sys, paretune; "
        "print(sorted(m for m in ('sqlalchemy', 'pandas', 'scipy', 'psycopg', 'torch', 'sklearn', "
        "'fairlearn', 'botorch', 'plotly', 'paretune.evaluate', 'paretune.datasets', "
        "'paretune.analysis', 'ray', 'paretune.executors') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_are_documented() -> None:
    import inspect

    import paretune as pt

    for name in pt.__all__:
        obj = getattr(pt, name)
        if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj):
            assert obj.__doc__, f"paretune.{name} has no docstring"


def test_executors_load_lazily_and_without_ray() -> None:
    code = (
        "import sys, paretune as pt; base = pt.executors.BaseExecutor; "
        "print('paretune.executors' in sys.modules, 'ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
