"""The vector runner over every official file in HASTEH_MLS_VECTORS.

Every file must pass completely: each checker follows the "Verification" steps of
`test-vectors.md`. A checker that is missing makes every case of its file fail (never skip).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hasteh.mls.vectors import CHECKERS, run_file

from ..conftest import vectors_dir

FILES = sorted(p.name for p in vectors_dir().glob("*.json")) if vectors_dir().is_dir() else []


def test_vector_folder_present(mls_vectors: Path) -> None:
    names = {p.name for p in mls_vectors.glob("*.json")}
    assert names, "no vector files found"
    assert names <= set(CHECKERS), f"unknown vector files: {names - set(CHECKERS)}"


@pytest.mark.parametrize("name", FILES)
def test_vector_file(mls_vectors: Path, name: str) -> None:
    result = run_file(mls_vectors / name)
    assert result.failures == [], result.failures[:5]
    assert result.passed > 0


#: The upstream interop-passive cases (passive-client format), one test per file. Each
#: must be present and pass completely: a missing file fails, never skips.
INTEROP_PASSIVE = (
    "application.json",
    "branch.json",
    "commit.json",
    "external_join.json",
    "external_proposals.json",
    "reinit.json",
    "welcome_join.json",
)


@pytest.mark.parametrize("name", INTEROP_PASSIVE)
def test_interop_passive_file(mls_vectors: Path, name: str) -> None:
    path = mls_vectors / "interop-passive" / name
    assert path.is_file(), f"missing interop-passive vector file {path}"
    result = run_file(path)
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


def test_cli_reports_a_differing_case(mls_vectors: Path, tmp_path: Path) -> None:
    cases = json.loads((mls_vectors / "tree-math.json").read_text())
    cases[3]["root"] += 1
    (tmp_path / "tree-math.json").write_text(json.dumps(cases))
    proc = subprocess.run(
        [sys.executable, "-m", "hasteh.mls.vectors", str(tmp_path / "tree-math.json")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "case 3: root" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == f"{len(cases) - 1} passed, 1 failed"


def test_unbuilt_checker_fails_every_case(
    mls_vectors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CHECKERS, "tree-math.json", "no_such_checker")
    result = run_file(mls_vectors / "tree-math.json")
    assert result.passed == 0
    assert result.failures and all(what == "not implemented" for _, what in result.failures)
