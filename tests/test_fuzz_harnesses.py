"""Every fuzz harness (fuzz/fuzz_*.py) keeps working: its whole seed corpus replays
in-process through `TestOneInput` (the oracle: only the package's own errors, no state
change after a rejection, under 2 s per input), and atheris runs it for a few seconds in a
subprocess. A harness that breaks, or a seed that became a crash, fails here."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
TARGETS = sorted(p.stem.removeprefix("fuzz_") for p in FUZZ.glob("fuzz_*.py"))


def test_every_target_has_a_corpus() -> None:
    assert len(TARGETS) >= 10, TARGETS
    for target in TARGETS:
        seeds = list((FUZZ / "corpus" / target).iterdir())
        assert 3 <= len(seeds) <= 100, (target, len(seeds))
        assert all(s.stat().st_size <= 16_384 for s in seeds), target


@pytest.mark.parametrize("target", TARGETS)
def test_corpus_replays(target: str) -> None:
    module = importlib.import_module(f"fuzz.fuzz_{target}")
    for seed in sorted((FUZZ / "corpus" / target).iterdir()):
        start = time.perf_counter()
        module.TestOneInput(seed.read_bytes())
        assert time.perf_counter() - start < 2.0, seed.name


@pytest.mark.parametrize("target", TARGETS)
def test_atheris_runs(target: str, tmp_path: Path) -> None:
    pytest.importorskip("atheris")  # installed by `uv sync` (the fuzz group is a default)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            f"fuzz.fuzz_{target}",
            "-runs=300",
            "-timeout=10",
            f"-artifact_prefix={tmp_path}/",
            str(tmp_path),
            str(FUZZ / "corpus" / target),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    tail = (out.stdout + out.stderr)[-3000:]
    assert out.returncode == 0, tail
    assert "Done 300 runs" in tail or "DONE" in tail, tail
