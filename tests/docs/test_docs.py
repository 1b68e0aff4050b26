"""The documentation builds with ``mkdocs build --strict`` and its Python blocks run."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

from tests.docs._snippets import output_matches
from tests.docs._snippets import run_page
from tests.docs._snippets import snippets

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")],
    key=lambda p: p.relative_to(ROOT).as_posix(),
)
RUNNABLE = [p for p in PAGES if snippets(p)]


@pytest.mark.parametrize("page", RUNNABLE, ids=[p.relative_to(ROOT).as_posix() for p in RUNNABLE])
@pytest.mark.timeout(600)
def test_python_blocks_run_and_print_what_the_page_shows(
    page: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    blocks = snippets(page)
    shared = "tutorials" in page.relative_to(ROOT).parts
    results = run_page(blocks, shared=shared, cwd=tmp_path, timeout=540)
    name = page.relative_to(ROOT).as_posix()
    for block, (stdout, error) in zip(blocks, results, strict=False):
        assert error is None, f"{name}, block at line {block.line} raised:\n{error}"
        if block.expected is not None:
            assert output_matches(block.expected, stdout), (
                f"{name}, block at line {block.line} printed:\n{stdout}\n"
                f"but the page shows:\n{block.expected}"
            )
    assert len(results) == len(blocks)


def test_every_page_is_in_the_navigation() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def listed(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [p for item in node for p in listed(item)]
        if isinstance(node, dict):
            return [p for value in node.values() for p in listed(value)]
        return []

    in_nav = set(listed(config["nav"]))
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert on_disk == in_nav


@pytest.mark.timeout(600)
def test_mkdocs_builds_strictly(tmp_path: pathlib.Path) -> None:
    if shutil.which("mkdocs") is None:
        pytest.fail("mkdocs is not installed; install the test extras: pip install -e '.[dev]'")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "index.html").exists()
