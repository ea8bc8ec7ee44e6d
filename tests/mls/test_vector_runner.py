"""The vector runner over every official file in HASTEH_MLS_VECTORS.

Files whose features belong to later work (group life: trees, TreeKEM, Welcome, passive
clients) are listed in NOT_YET_BUILT: for those the runner must report failed cases (never
skipped ones); every other file must pass completely. Moving a file out of the list is how
a feature is declared done.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hasteh.mls.vectors import CHECKERS, run_file

from ..conftest import vectors_dir

NOT_YET_BUILT: set[str] = set()

FILES = sorted(p.name for p in vectors_dir().glob("*.json")) if vectors_dir().is_dir() else []


def test_vector_folder_present(mls_vectors: Path) -> None:
    names = {p.name for p in mls_vectors.glob("*.json")}
    assert names, "no vector files found"
    assert names <= set(CHECKERS), f"unknown vector files: {names - set(CHECKERS)}"


@pytest.mark.parametrize("name", FILES)
def test_vector_file(mls_vectors: Path, name: str) -> None:
    result = run_file(mls_vectors / name)
    if name in NOT_YET_BUILT:
        assert result.failed > 0 and result.passed + result.failed > 0
    else:
        assert result.failures == [], result.failures[:5]
        assert result.passed > 0


def test_cli_unknown_file_exits_2(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text("[]")
    proc = subprocess.run(
        [sys.executable, "-m", "hasteh.mls.vectors", str(bogus)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "not a known MLS vector file" in proc.stderr


def test_cli_malformed_json_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "tree-math.json"
    bad.write_text("{not json")
    proc = subprocess.run(
        [sys.executable, "-m", "hasteh.mls.vectors", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "cannot read vector file" in proc.stderr


def test_cli_summary_line(mls_vectors: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hasteh.mls.vectors", str(mls_vectors / "crypto-basics.json")],
        capture_output=True,
        text=True,
    )
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("crypto-basics.json: ")
    assert lines[-1].endswith(" failed")


def test_cli_fails_on_unbuilt_file(mls_vectors: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hasteh.mls.vectors", str(mls_vectors / "treekem.json")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
