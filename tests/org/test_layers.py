"""hasteh.org's own layering rules. The shared ones — no I/O modules, nothing from hasteh
but hasteh.errors — are checked for every sans-I/O core in tests/test_layers.py."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ORG = Path(__file__).resolve().parents[2] / "src" / "hasteh" / "org"

FILES = sorted(ORG.rglob("*.py"))


def test_org_has_its_modules() -> None:
    names = {p.relative_to(ORG).parts[0].removesuffix(".py") for p in FILES}
    assert {"events", "state", "membership", "talk", "decisions", "tally", "policy"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ORG)))
def test_org_uses_absolute_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    assert not relative, f"{path.name}: relative import; use absolute hasteh.org imports"


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
