"""``pt.mitigation`` loads on first use; ``import paretune`` stays light."""

from __future__ import annotations

import subprocess
import sys


def test_mitigation_loads_lazily() -> None:
    code = (
        "import sys, paretune as pt; "
        "heavy = ('sklearn', 'fairlearn', 'paretune.mitigation'); "
        "light = not any(m in sys.modules for m in heavy); "
        "print(light, pt.mitigation.Reduction.__name__, 'mitigation' in dir(pt))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "Reduction", "True"]


def test_unknown_names_raise_attribute_error() -> None:
    import pytest

    import paretune as pt

    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        pt.mitigation.Nothing  # noqa: B018
