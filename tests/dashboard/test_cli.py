"""``paretune dashboard``: refuses a missing database, warns about non-loopback hosts."""

from __future__ import annotations

import pathlib
import re
import sys

import pytest
from click.testing import CliRunner

from paretune.cli import main


def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "runs.db"
    result = CliRunner().invoke(main, ["dashboard", "--storage", f"sqlite:///{missing}"])
    assert result.exit_code == 1
    assert f"Error: There is no database at {missing}" in result.output
    assert not missing.exists()


def test_the_storage_comes_from_the_environment(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "env.db"
    result = CliRunner(env={"PARETUNE_STORAGE": f"sqlite:///{missing}"}).invoke(main, ["dashboard"])
    assert result.exit_code == 1 and f"no database at {missing}" in result.output


def test_a_non_loopback_host_is_warned_about(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path}/runs.db"  # missing: the command stops before binding
    result = CliRunner().invoke(main, ["dashboard", "--storage", url, "--host", "0.0.0.0"])
    assert "Warning: 0.0.0.0 is not a loopback address" in result.stderr
    assert "no database at" in result.stderr and result.exit_code == 1
    quiet = CliRunner().invoke(main, ["dashboard", "--storage", url, "--host", "localhost"])
    assert "Warning" not in quiet.stderr


def test_help_describes_the_options() -> None:
    result = CliRunner().invoke(main, ["dashboard", "--help"])
    assert result.exit_code == 0
    for text in ("read-only", "--host", "127.0.0.1", "--port", "8080", "--refresh", "--allow-host"):
        assert text in result.output


def test_a_missing_dependency_names_the_extra(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paretune.dashboard

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` now fails
    with pytest.raises(ImportError, match=re.escape("pip install 'paretune[dashboard]'")):
        paretune.dashboard.make_server  # noqa: B018
    result = CliRunner().invoke(main, ["dashboard", "--storage", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 1 and "pip install 'paretune[dashboard]'" in result.output
