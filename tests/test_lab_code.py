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


MAX_FUNCTION_LINES = 60


def _long_functions(source: str) -> list[tuple[str, int]]:
    """(name, lines) of every function or method longer than MAX_FUNCTION_LINES."""
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


def test_lab_code_has_no_function_over_60_lines() -> None:
    long = {
        f"{path.name}:{name}": lines
        for path in sorted(LAB.glob("*.py"))
        for name, lines in _long_functions(path.read_text(encoding="utf-8"))
    }

    assert long == {}


def test_lab_code_length_check_counts_a_nested_function() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source = f"def outer():\n    def inner():\n{body}\n    return inner\n"

    assert _long_functions(source) == [("outer", 63), ("inner", 61)]


def test_lab_code_holds_no_html_in_python_strings() -> None:
    """Pages are Jinja or Django templates under lab/templates/, never Python strings."""
    found = [
        f"{path.name}:{line}"
        for path in sorted(LAB.glob("*.py"))
        for line in _html_strings(path.read_text(encoding="utf-8"))
    ]

    assert found == []


def test_lab_code_html_finder_skips_docstrings_only() -> None:
    source = 'def f():\n    """Draws `<body id="id_body">`."""\n    return "<div>x</div>"\n'

    assert _html_strings(source) == [3]


def _html_strings(source: str) -> list[int]:
    """Lines of the string constants, docstrings aside, that hold an HTML tag."""
    tags = ("<html", "<body", "<form", "<script", "<div", "<p>", "<a ", "<input", "<h1")
    tree = ast.parse(source)
    docstrings = {
        id(holder.body[0].value)
        for holder in ast.walk(tree)
        if isinstance(holder, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and holder.body
        and isinstance(holder.body[0], ast.Expr)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str | bytes)
        and id(node) not in docstrings
        and any(tag in str(node.value) for tag in tags)
    ]
