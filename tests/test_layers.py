"""The package's layers: no subpackage imports, at run time, one that imports it back."""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The layer a module belongs to: its subpackage or top-level module under paretune."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "paretune"


def _runtime_imports(tree: ast.AST) -> list[str]:
    """Modules imported when the code runs (module level or inside functions), leaving out
    imports under ``if TYPE_CHECKING:``."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.ImportFrom) and child.module:
                if child.module == "paretune":
                    found.extend(f"paretune.{a.name}" for a in child.names)
                elif child.module.startswith("paretune."):
                    found.append(child.module)
            elif isinstance(child, ast.Import):
                found.extend(a.name for a in child.names if a.name.startswith("paretune."))
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in (SRC / "paretune").rglob("*.py"):
        here = _unit(_module_name(path))
        for target in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            there = _unit(target)
            if here != there and "paretune" not in (here, there):
                graph[here].add(there)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_subpackage_imports_one_that_imports_it_back() -> None:
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_lower_layers_never_import_upper_ones() -> None:
    graph = _graph()
    lower = {"_values", "trial", "storages", "samplers", "schedulers", "evaluate", "datasets"}
    for unit in lower:
        assert not graph.get(unit, set()) & {"study", "analysis", "cli", "demo"}, unit
    assert "study" not in graph.get("trial", set())
