"""hasteh.org is sans-I/O: no I/O modules, nothing from hasteh but hasteh.errors."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ORG = Path(__file__).resolve().parents[2] / "src" / "hasteh" / "org"

IO_MODULES = {
    "os",
    "io",
    "sys",
    "time",
    "socket",
    "sqlite3",
    "sqlcipher3",
    "random",
    "secrets",
    "subprocess",
    "pathlib",
    "shutil",
    "tempfile",
    "datetime",
    "uuid",
    "logging",
    "locale",
    "gettext",
    "asyncio",
    "threading",
    "httpx",
    "urllib",
    "select",
    "signal",
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            pytest.fail(f"{path.name}: relative import; use absolute hasteh.org imports")
    return names


FILES = sorted(ORG.glob("*.py"))


def test_org_has_its_modules() -> None:
    names = {p.stem for p in FILES}
    assert {"events", "state", "membership", "talk", "decisions", "tally", "policy"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_org_imports_no_io(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.split(".")[0] in IO_MODULES}
    assert not bad, f"{path.name} imports I/O modules {bad}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_org_imports_only_errors_from_hasteh(path: Path) -> None:
    bad = {
        n
        for n in imports_of(path)
        if n.startswith("hasteh") and not n.startswith("hasteh.org") and n != "hasteh.errors"
    }
    assert not bad, f"{path.name} imports {bad}"


def test_importing_org_loads_no_other_hasteh_module() -> None:
    """At run time too: importing hasteh.org pulls in no hasteh layer beside errors."""
    import subprocess

    code = (
        "import sys, hasteh.org; "
        "print(sorted(m for m in sys.modules if m.startswith('hasteh')"
        " and not m.startswith('hasteh.org')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['hasteh', 'hasteh.errors']"
