"""Shared fixtures. The MLS vectors are vendored in tests/vectors/mls (see its README);
HASTEH_MLS_VECTORS points elsewhere to check another copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

#: Hypothesis checks behaviour, not speed: its per-example deadline is a timing assertion
#: that fails on a loaded 2-core machine for no fault of the code (speed is in bench/).
settings.register_profile("hasteh", deadline=None)
settings.load_profile("hasteh")


def vectors_dir() -> Path:
    return Path(os.environ.get("HASTEH_MLS_VECTORS", ROOT / "tests" / "vectors" / "mls"))


@pytest.fixture(scope="session")
def mls_vectors() -> Path:
    path = vectors_dir()
    if not path.is_dir():
        pytest.fail(f"MLS vectors folder missing: {path} (set HASTEH_MLS_VECTORS)")
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """In CI a skipped test is a failure: a missing fixture or file must never pass
    silently (for example an empty parameter list when vectors are not found)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("CI") and skipped:
        terminalreporter.write_line(f"{len(skipped)} test(s) skipped in CI: that is a failure")
        terminalreporter._session.exitstatus = pytest.ExitCode.TESTS_FAILED
