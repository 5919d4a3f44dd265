"""The domain core stays free of the front doors' frameworks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import voisinage

CORE = Path(voisinage.__file__).parent
FORBIDDEN = ("telegram", "flask", "flask_wtf", "flask_babel", "werkzeug", "bot", "webforms")
# The CLI's `web`, `bot` and `demo` commands start the front doors, importing them lazily.
FRONT_DOOR_STARTERS = {CORE / "cli" / "servers.py"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_domain_core_imports_no_front_door_framework():
    offenders = {
        str(path.relative_to(CORE)): name
        for path in CORE.rglob("*.py")
        if path not in FRONT_DOOR_STARTERS
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert offenders == {}


def test_importing_the_whole_core_loads_neither_telegram_nor_flask():
    modules = sorted(
        "voisinage." + ".".join(p.relative_to(CORE).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name.removesuffix('.__init__'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'flask')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
