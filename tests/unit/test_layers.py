"""Import hygiene: what each layer drags in when imported, and no import cycle between ims_tui's modules.

The layers, bottom up: ``ims_tui.config`` and ``ims_tui.demo`` (pure Python, no UI, no API client), ``ims_tui.api``
(httpx and pydantic, never a terminal library), ``ims_tui.ui`` (Textual). A light import keeps ``ims-tui --help``
and the non-UI tools fast, and keeps the API layer usable without a terminal.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ims_tui"

# module -> modules (or packages) that importing it must not load
FORBIDDEN = {
    "ims_tui.api": ("textual", "rich"),
    "ims_tui.demo": ("ims_tui.api", "ims_tui.ui", "textual"),
    "ims_tui.config": ("textual", "httpx", "yaml", "openstack", "ims_tui.api", "pydantic"),
    # the first list query is built before pydantic and httpx are needed (issue 14)
    "ims_tui.api.query": ("pydantic", "httpx", "ims_tui.api.models"),
}


@pytest.mark.parametrize(("module", "forbidden"), FORBIDDEN.items(), ids=list(FORBIDDEN))
def test_import_is_light(module: str, forbidden: tuple[str, ...]) -> None:
    """Import in a fresh interpreter, so nothing an earlier test loaded can hide (or cause) a heavy import."""
    code = (
        f"import sys, {module}; "
        f"bad = sorted({{n for n in sys.modules for f in {forbidden!r} if n == f or n.startswith(f + '.')}}); "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT)
    assert out.stdout.decode().strip() == "[]"


# -- the import graph --------------------------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The ims_tui modules an import statement in ``module`` loads by name (a package means its __init__)."""
    if isinstance(node, ast.Import):
        bases = [alias.name for alias in node.names]
        return [base for base in bases if base in MODULES]
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    if node.level:
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    if base not in MODULES:
        return []
    # "from pkg import name" needs pkg.name when that is a module, else the name pkg's __init__ defines. Like
    # every import of a submodule it also runs the parent packages' __init__ first, which is never counted.
    return sorted({f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names})


def import_edges(module: str, source: str | None = None) -> dict[str, set[str]]:
    """The ims_tui modules ``module`` imports, by kind: "module" (run on import: top level, class bodies, try and
    if blocks), "function" (inside a function, so only when it is called) and "type_checking" (never at run time)."""
    edges: dict[str, set[str]] = {"module": set(), "function": set(), "type_checking": set()}

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                edges[kind].update(target for target in _resolve(module, child) if target != module)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, "type_checking" if kind == "type_checking" else "function")
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    visit(ast.Module(body=[statement], type_ignores=[]), "type_checking")
                for statement in child.orelse:
                    visit(ast.Module(body=[statement], type_ignores=[]), kind)
            else:
                visit(child, kind)

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8") if source is None else source), "module")
    return edges


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_scan_sees_imports_of_every_kind() -> None:
    source = """
from typing import TYPE_CHECKING
import httpx, ims_tui.logs
from . import seed as seed_data, DemoCloud
from .errors import HTTPError
from ..config import errors
try:
    from ims_tui.api import models
except ImportError:
    pass
if TYPE_CHECKING:
    from .service import DemoCloud
else:
    from .query import Orders
class Thing:
    from .transport import DemoTransport
    def method(self):
        from ims_tui.ui import app
async def later():
    import ims_tui.config.resolve
"""
    edges = import_edges("ims_tui.demo.store", source)
    assert edges["module"] == {
        "ims_tui.logs",
        "ims_tui.demo.seed",
        "ims_tui.demo",
        "ims_tui.demo.errors",
        "ims_tui.config.errors",
        "ims_tui.api.models",
        "ims_tui.demo.query",
        "ims_tui.demo.transport",
    }
    assert edges["function"] == {"ims_tui.ui.app", "ims_tui.config.resolve"}
    assert edges["type_checking"] == {"ims_tui.demo.service"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_at_module_level() -> None:
    """No cycle among the imports that run when a module is imported (top level, class bodies, try/if blocks).

    Imports inside functions and under ``if TYPE_CHECKING:`` are left out: they run after both modules have loaded
    (or never), so they cannot meet a half-initialised module. config.resolve imports config.sessions in a function
    and config.sessions imports config.resolve under TYPE_CHECKING; demo.transport names demo.service that way too.
    """
    graph = {module: import_edges(module)["module"] for module in MODULES}
    assert cycles(graph) == []
