"""Every example in a docstring runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import pytest

import paretune

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(paretune.__path__, "paretune.")
    if not m.name.startswith("paretune.testing")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write a database write it here
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    failures = []
    for test in finder.find(module, name):
        if test.examples and test.name.startswith(name):  # not re-exported ones twice
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = runner.run(test, out=failures.append)
            assert result.failed == 0, "".join(failures)
