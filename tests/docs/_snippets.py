"""Find the Python blocks of a Markdown page and run them the way a reader would.

A block is a fenced ``python`` block. A fenced ``text`` block that follows it (with only
blank lines between) is its expected standard output: lines compare after trailing
whitespace is stripped, and a line holding only ``...`` matches any number of lines.

Pages under ``docs/tutorials/`` run their blocks in order in one namespace (a tutorial
builds on its earlier steps); everywhere else each block runs alone, so it must be
complete with its imports.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import re
import subprocess
import sys

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)\s*(?P<info>[^\n]*)$")


@dataclasses.dataclass(frozen=True)
class Snippet:
    """One Python block: its source, the line it starts on, its expected output or None."""

    code: str
    line: int
    expected: str | None


def _fenced_blocks(text: str) -> list[tuple[str, str, int, int]]:
    """``(language, body, first_line, last_line)`` of every fenced block, in order."""
    lines = text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        language = match["info"].split()[0] if match["info"].strip() else ""
        body = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        blocks.append((language.lower(), "\n".join(body) + "\n", i + 1, j + 1))
        i = j + 1
    return blocks


def snippets(path: pathlib.Path) -> list[Snippet]:
    """The Python blocks of ``path`` with their expected outputs."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    blocks = _fenced_blocks(text)
    found = []
    for k, (language, body, first, last) in enumerate(blocks):
        if language not in ("python", "py"):
            continue
        expected = None
        if k + 1 < len(blocks) and blocks[k + 1][0] == "text":
            between = lines[last : blocks[k + 1][2] - 1]
            if all(not line.strip() for line in between):
                expected = blocks[k + 1][1]
        found.append(Snippet(body, first, expected))
    return found


def output_matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` fits ``expected``, where a ``...`` line matches any lines."""
    want = [line.rstrip() for line in expected.strip("\n").splitlines()]
    got = [line.rstrip() for line in actual.strip("\n").splitlines()]

    def match(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if want[i] == "...":
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and want[i] == got[j] and match(i + 1, j + 1)

    return match(0, 0)


_RUNNER = """
import contextlib, io, json, sys, traceback
blocks, shared = json.loads(sys.stdin.read())
namespace = {"__name__": "__main__"}
results = []
for code, line in blocks:
    if not shared:
        namespace = {"__name__": "__main__"}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"block at line {line}", "exec"), namespace)
    except BaseException:
        results.append([out.getvalue(), traceback.format_exc()])
        break
    results.append([out.getvalue(), None])
sys.__stdout__.write("\\n@@RESULTS@@" + json.dumps(results))
"""


def run_page(
    blocks: list[Snippet], *, shared: bool, cwd: pathlib.Path, timeout: float
) -> list[tuple[str, str | None]]:
    """Run ``blocks`` in a fresh interpreter in ``cwd``; ``(stdout, error)`` per block run."""
    payload = json.dumps([[[b.code, b.line] for b in blocks], shared])
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER],
        input=payload,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    marker = proc.stdout.rfind("@@RESULTS@@")
    if marker < 0:
        raise AssertionError(f"the page's interpreter died:\n{proc.stdout}\n{proc.stderr}")
    return [(out, err) for out, err in json.loads(proc.stdout[marker + len("@@RESULTS@@") :])]
