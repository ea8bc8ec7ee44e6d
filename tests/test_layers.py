"""The layers hold: sans-I/O cores import no I/O and nothing above them."""

from __future__ import annotations

import ast
import re
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
ALLOWED_FROM_HASTEH = {"mls": set(), "org": {"hasteh.errors"}, "course": {"hasteh.errors"}}


def _is_type_checking(node: ast.If) -> bool:
    """`if TYPE_CHECKING:` or `if typing.TYPE_CHECKING:`."""
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of a module, at any depth (inside functions, methods,
    `try` blocks, ...), except those under `if TYPE_CHECKING:`: an import inside a
    function is still a dependency, one only for the type checker is not."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def module_name(path: Path) -> str:
    """`src/hasteh/app/sync.py` -> `hasteh.app.sync`; a package is its `__init__`."""
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in SRC.rglob("*.py")}


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an `ImportFrom` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(path: Path) -> set[str]:
    """The absolute names of the modules `path` imports (`from m import x` gives `m.x`
    when that is a module, else `m`), counting imports inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    module = module_name(path)
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = _absolute(module, path, node)
        for alias in node.names:
            # `from package import submodule` depends on the submodule, not the package.
            sub = f"{base}.{alias.name}"
            names.add(sub if sub in MODULES else base)
    return names


def _own_module(name: str) -> str | None:
    """The hasteh module `name` lives in (the longest module prefix), or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """hasteh module -> the hasteh modules it imports (a package's `__init__` is a module
    like any other; importing `a.b` does not count as importing `a`)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {_own_module(n) for n in imports_of(path) if n.startswith("hasteh")}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


#: The layers of docs/architecture.md, bottom first. A package may import only packages
#: of lower layers (and itself); packages of one layer do not import each other. The
#: top-level modules count as packages: `hasteh` is the root `__init__` (the version).
LAYERS: list[set[str]] = [
    {"hasteh", "errors", "i18n", "next_step_kinds"},
    {"mls", "org", "course", "envelope", "jalali"},
    {"vault", "tor", "publish"},
    {"transport", "relay"},
    {"app"},
    {"web"},
    {"selfcheck"},
    {"cli"},
]


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(package: str) -> int:
    for number, layer in enumerate(LAYERS):
        if package in layer:
            return number
    pytest.fail(f"hasteh.{package} is in no layer of LAYERS (docs/architecture.md)")


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
    for path in relay.rglob("*.py"):
        bad = {
            n
            for n in imports_of(path)
            if n.startswith("hasteh.")
            and n.split(".")[1] not in ("relay", "envelope", "errors", "i18n", "tor")
        }
        assert not bad, f"{path.relative_to(SRC)} imports {bad}"


def test_imports_inside_functions_are_seen() -> None:
    """The graph counts an import inside a function, and not one only for typing."""
    code = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import typed_only\n"
        "def f():\n    import hidden\n"
    )
    names = {n.names[0].name for n in _import_nodes(ast.parse(code)) if isinstance(n, ast.Import)}
    assert names == {"hidden"}


def test_no_import_cycles() -> None:
    """No module imports itself through others, imports inside functions included."""
    graph = import_graph()
    assert "hasteh.app.runtime" in graph and graph["hasteh.app.sync"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_upward_imports_between_packages() -> None:
    """Every import between packages points down the layers of docs/architecture.md."""
    bad = []
    for module, targets in import_graph().items():
        here = package_of(module)
        for target in targets:
            there = package_of(target)
            if there != here and layer_of(there) >= layer_of(here):
                bad.append(f"{module} -> {target}")
    assert not bad, "upward or sideways imports:\n" + "\n".join(sorted(bad))


def test_layers_are_documented() -> None:
    """docs/architecture.md names every layer, in the order of `LAYERS`."""
    doc = (SRC.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Layer order", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    documented = [set(re.findall(r"`([a-z0-9_]+)`", row.split("|")[2])) for row in rows]
    assert documented == LAYERS
