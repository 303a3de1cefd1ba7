"""What ims-tui imports before its first list request (issue 14): only what sending it and parsing the first page
need. The client's calls import their models, checks and plans when first made, and ``ims_tui.api`` resolves the
names it gives when first asked for. Each probe runs in a fresh interpreter, so nothing another test imported
can hide an import.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# what the command line imports before it sends the first list request and parses the page
FIRST_PAGE = ("ims_tui.config", "ims_tui.config.sessions", "ims_tui.startup", "ims_tui.api.listing")
# what the client was once built with, and is now imported only by the call that needs it
LATER = (
    "ims_tui.api.bulk",
    "ims_tui.api.imagedata",
    "ims_tui.api.imports",
    "ims_tui.api.ims_copy",
    "ims_tui.api.ims_jobs",
    "ims_tui.api.ims_obs",
    "ims_tui.api.ims_tags",
    "ims_tui.api.members",
    "ims_tui.api.outcome",
    "ims_tui.api.patch",
    "textual",
)


def fresh(code: str) -> Any:
    """What ``code``, run in a new interpreter, prints as JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def test_the_first_page_imports_none_of_the_other_calls() -> None:
    code = (
        f"import json, sys, {', '.join(FIRST_PAGE)}; "
        f"print(json.dumps([sorted(m for m in {LATER!r} if m in sys.modules), "
        "'ims_tui.api.client' in sys.modules]))"
    )
    assert fresh(code) == [[], True]


def type_checking_homes() -> dict[str, str]:
    """Name -> module, as ``ims_tui/api/__init__.py`` imports them for mypy under ``if TYPE_CHECKING:``."""
    tree = ast.parse((ROOT / "ims_tui" / "api" / "__init__.py").read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    return {
        alias.name: f"ims_tui.api.{node.module}"
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_every_public_name_of_the_api_comes_from_the_module_mypy_sees() -> None:
    homes = type_checking_homes()
    code = (
        "import importlib, json, ims_tui.api as api\n"
        "wrong = []\n"
        f"for name, home in {homes!r}.items():\n"
        "    exec(f'from ims_tui.api import {name} as value')\n"
        "    if value is not getattr(importlib.import_module(home), name):\n"
        "        wrong.append(name)\n"
        "try:\n"
        "    api.no_such_name\n"
        "    missing = None\n"
        "except AttributeError as exc:\n"
        "    missing = str(exc)\n"
        "print(json.dumps([wrong, sorted(api.__all__), sorted(set(api.__all__) - set(dir(api))), missing]))"
    )
    wrong, names, not_listed, missing = fresh(code)
    assert wrong == []
    assert names == sorted(homes)
    assert not_listed == []
    assert missing == "module 'ims_tui.api' has no attribute 'no_such_name'"
