"""The official MLS test-vector runner (a contract other checks rely on).

    uv run python -m hasteh.mls.vectors FILE...

Each file is recognized by its upstream name and checked case by case exactly as
`test-vectors.md` prescribes. One checker module per file lives beside this one
(`tree_math.py` for `tree-math.json`, ...) and exposes `check(case: dict) -> None`,
raising `Mismatch` with what differed. A file whose checker is not built yet reports
every case as failed ("not implemented"), never as skipped.

This is a development tool: it reads files, unlike the rest of `hasteh.mls`.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Upstream file name -> checker module (under hasteh.mls.vectors).
CHECKERS: dict[str, str] = {
    "crypto-basics.json": "crypto_basics",
    "deserialization.json": "deserialization",
    "key-schedule.json": "key_schedule",
    "message-protection.json": "message_protection",
    "messages.json": "messages",
    "psk_secret.json": "psk_secret",
    "secret-tree.json": "secret_tree",
    "transcript-hashes.json": "transcript_hashes",
    "tree-math.json": "tree_math",
    "tree-operations.json": "tree_operations",
    "tree-validation.json": "tree_validation",
    "treekem.json": "treekem",
    "welcome.json": "welcome",
    "passive-client-welcome.json": "passive_client",
    "passive-client-handling-commit.json": "passive_client",
    "passive-client-random.json": "passive_client",
    # The upstream interop-passive cases (mls-implementations, test-vectors/interop):
    # passive-client format, one file per scenario.
    "application.json": "passive_client",
    "branch.json": "passive_client",
    "commit.json": "passive_client",
    "external_join.json": "passive_client",
    "external_proposals.json": "passive_client",
    "reinit.json": "passive_client",
    "welcome_join.json": "passive_client",
}


class Mismatch(Exception):
    """A vector case whose computed value differs from the expected one."""


class VectorFileError(Exception):
    """A file the runner cannot use: unknown name or malformed JSON (exit 2)."""


def expect(what: str, got: object, want: object) -> None:
    """Raise `Mismatch` naming `what` when `got != want` (bytes shown as hex)."""
    if got != want:

        def show(x: object) -> str:
            return x.hex() if isinstance(x, bytes | bytearray) else repr(x)

        raise Mismatch(f"{what}: got {show(got)[:80]}, want {show(want)[:80]}")


def h(value: str) -> bytes:
    """A hex string from a vector file, as bytes."""
    return bytes.fromhex(value)


@dataclass
class FileResult:
    name: str
    passed: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Read a vector file; unknown names and malformed JSON raise `VectorFileError`."""
    if path.name not in CHECKERS:
        known = ", ".join(sorted(CHECKERS))
        raise VectorFileError(f"{path.name}: not a known MLS vector file (known: {known})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VectorFileError(f"{path.name}: cannot read vector file: {exc}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(c, dict) for c in data):
        raise VectorFileError(f"{path.name}: expected a JSON list of objects")
    return data


def checker_for(name: str) -> Callable[[dict[str, Any]], None] | None:
    try:
        module = importlib.import_module(f"hasteh.mls.vectors.{CHECKERS[name]}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("hasteh.mls"):
            return None
        raise
    check: Callable[[dict[str, Any]], None] = module.check
    return check


def run_file(path: Path) -> FileResult:
    cases = load_cases(path)
    result = FileResult(path.name)
    check = checker_for(path.name)
    for index, case in enumerate(cases):
        if check is None:
            result.failures.append((index, "not implemented"))
            continue
        try:
            check(case)
        except Mismatch as exc:
            result.failures.append((index, str(exc)))
        except Exception as exc:  # a crash is a failed case, reported with its type
            result.failures.append((index, f"{type(exc).__name__}: {exc}"))
        else:
            result.passed += 1
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 2 if not args else 0
    total_passed = total_failed = 0
    for arg in args:
        try:
            result = run_file(Path(arg))
        except VectorFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"{result.name}: {result.passed} passed, {result.failed} failed")
        for index, what in result.failures[:20]:
            print(f"  case {index}: {what}", flush=False)
        if result.failed > 20:
            print(f"  ... and {result.failed - 20} more failed cases")
        total_passed += result.passed
        total_failed += result.failed
    print(f"{total_passed} passed, {total_failed} failed")
    return 0 if total_failed == 0 and total_passed > 0 else 1
