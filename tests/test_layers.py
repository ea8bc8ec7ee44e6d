"""The layers hold: sans-I/O cores import no I/O and nothing above them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hasteh"

# Modules whose import in a sans-I/O core would mean I/O or ambient state.
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

#: What each sans-I/O core may import from the rest of hasteh.
ALLOWED_FROM_HASTEH = {"mls": set(), "org": {"hasteh.errors"}}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def core_files(package: str) -> list[Path]:
    root = SRC / package
    # The vector runner is a development tool that reads files, and `__main__.py` files
    # are process shells (stdin, OS randomness, clock); neither is the core.
    return [p for p in root.rglob("*.py") if "vectors" not in p.parts and p.name != "__main__.py"]


@pytest.mark.parametrize("package", sorted(ALLOWED_FROM_HASTEH))
def test_core_imports_nothing_from_hasteh(package: str) -> None:
    files = core_files(package)
    assert files
    for path in files:
        bad = {
            n
            for n in imports_of(path)
            if n.startswith("hasteh")
            and not n.startswith(f"hasteh.{package}")
            and n not in ALLOWED_FROM_HASTEH[package]
        }
        assert not bad, f"{path.relative_to(SRC)} imports {bad}"


@pytest.mark.parametrize("package", sorted(ALLOWED_FROM_HASTEH))
def test_core_is_sans_io(package: str) -> None:
    for path in core_files(package):
        bad = {n for n in imports_of(path) if n.split(".")[0] in IO_MODULES}
        assert not bad, f"{path.relative_to(SRC)} imports I/O modules {bad}"


def test_relay_shares_only_the_envelope() -> None:
    relay = SRC / "relay"
    if not relay.exists():
        pytest.fail("hasteh.relay is missing")
    # `__main__.py` is an entry point (a face), allowed to reach the CLI.
    for path in (p for p in relay.rglob("*.py") if p.name != "__main__.py"):
        bad = {
            n
            for n in imports_of(path)
            if n.startswith("hasteh.")
            and n.split(".")[1] not in ("relay", "envelope", "errors", "i18n")
        }
        assert not bad, f"{path.relative_to(SRC)} imports {bad}"
