"""The snippet finder and the output matcher behind the documentation tests."""

from __future__ import annotations

import pathlib

from tests.docs._snippets import output_matches
from tests.docs._snippets import run_page
from tests.docs._snippets import snippets

PAGE = """# A page

```python
print("a")
```

```text
a
```

Prose between.

```python
x = 1
```

Some prose, so the next block is not its output.

```text
not an output
```

```bash
echo skipped
```
"""


def test_python_blocks_and_their_outputs_are_found(tmp_path: pathlib.Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    found = snippets(page)
    assert [s.code for s in found] == ['print("a")\n', "x = 1\n"]
    assert [s.line for s in found] == [3, 13]
    assert found[0].expected == "a\n"
    assert found[1].expected is None


def test_ellipsis_lines_match_any_number_of_lines() -> None:
    assert output_matches("a\n...\nd\n", "a\nb\nc\nd\n")
    assert output_matches("a\n...\nd\n", "a\nd\n")
    assert not output_matches("a\n...\nd\n", "a\nb\nc\n")
    assert not output_matches("a\nb\n", "a\nc\n")
    assert output_matches("a  \n", "a\n")


def test_blocks_run_alone_unless_shared(tmp_path: pathlib.Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 2\n```\n\n```python\nprint(x)\n```\n", encoding="utf-8")
    blocks = snippets(page)
    alone = run_page(blocks, shared=False, cwd=tmp_path, timeout=60)
    assert alone[0] == ("", None)
    assert alone[1][1] is not None and "NameError" in alone[1][1]
    shared = run_page(blocks, shared=True, cwd=tmp_path, timeout=60)
    assert shared == [("", None), ("2\n", None)]
