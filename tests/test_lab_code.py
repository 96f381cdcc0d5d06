"""The lab's code keeps its shape: no import circle between its modules (lazy imports
inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

LAB = Path(__file__).resolve().parent.parent / "lab"


def _lab_imports(path: Path) -> set[str]:
    """The lab modules a module imports, wherever the import statement stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("lab.")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "lab":  # from lab import cas_site
                found |= {f"lab.{alias.name}" for alias in node.names}
            elif node.module.startswith("lab."):
                found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"lab.{p.stem}": p for p in LAB.glob("*.py") if p.stem != "__init__"}
    return {name: _lab_imports(path) & modules.keys() for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for imported in sorted(graph[module]):
            found = visit(imported, [*path, module])
            if found:
                return found
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module, [])
        if found:
            return found
    return None


def test_lab_code_has_no_import_circle() -> None:
    assert _cycle(_graph()) is None


def test_lab_code_cycle_finder_sees_a_lazy_circle() -> None:
    graph = {"lab.a": {"lab.b"}, "lab.b": {"lab.c"}, "lab.c": {"lab.a"}, "lab.d": set()}

    assert _cycle(graph) == ["lab.a", "lab.b", "lab.c", "lab.a"]
