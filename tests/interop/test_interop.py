"""Interop between MLS implementations, through the driver protocol and the harness.

- mls-rs ↔ mls-rs proves the harness and the mls-rs driver: no step may fail.
- hasteh ↔ mls-rs and hasteh ↔ hasteh need hasteh's driver (`python -m hasteh.mls.interop`).
  Until it exists these tests FAIL (never skip). hasteh supports every operation, so the
  hasteh ↔ hasteh run must pass every step, including each step mls-rs answered `unsupported`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from .harness import SCENARIOS, Harness, HarnessError, StepResult, summarize

ROOT = Path(__file__).resolve().parents[2]
MLSRS = [sys.executable, str(ROOT / "tests" / "interop" / "mlsrs_driver.py")]
HASTEH = [sys.executable, "-m", "hasteh.mls.interop"]
EPOCHS = 32  # random scenario: 30+ epochs, 3 to 8 members
SEED = 9420


def _run(commands: list[list[str]]) -> list[StepResult]:
    with Harness(commands, seed=SEED, epochs=EPOCHS, timeout=30.0, cwd=ROOT) as harness:
        return harness.run(SCENARIOS)


def _failures(results: list[StepResult], scenario: str | None = None) -> list[str]:
    return [
        r.line()
        for r in results
        if r.status == "failed" and (scenario is None or r.scenario == scenario)
    ]


@pytest.fixture(scope="module")
def mlsrs_pair() -> list[StepResult]:
    return _run([MLSRS, MLSRS])


def _run_or_fail(commands: list[list[str]]) -> list[StepResult] | HarnessError:
    try:
        return _run(commands)
    except HarnessError as exc:  # e.g. hasteh's driver missing: the tests fail, not error
        return exc


def _ok(results: list[StepResult] | HarnessError) -> list[StepResult]:
    if isinstance(results, HarnessError):
        pytest.fail(f"harness could not run: {results}")
    return results


@pytest.fixture(scope="module")
def hasteh_mlsrs() -> list[StepResult] | HarnessError:
    return _run_or_fail([HASTEH, MLSRS])


@pytest.fixture(scope="module")
def hasteh_pair() -> list[StepResult] | HarnessError:
    return _run_or_fail([HASTEH, HASTEH])


# --- mls-rs ↔ mls-rs: runs now ---------------------------------------------------------------


def test_mlsrs_pair_has_no_failures(mlsrs_pair: list[StepResult]) -> None:
    assert not _failures(mlsrs_pair), "\n".join(_failures(mlsrs_pair))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_mlsrs_pair_passes_steps_in_every_scenario(
    mlsrs_pair: list[StepResult], scenario: str
) -> None:
    passed = [r for r in mlsrs_pair if r.scenario == scenario and r.status == "passed"]
    assert passed, f"no step of {scenario} passed: {summarize(mlsrs_pair)}"


def test_mlsrs_pair_skips_only_for_unsupported(mlsrs_pair: list[StepResult]) -> None:
    bad = [r.line() for r in mlsrs_pair if r.status == "skipped" and "unsupported" not in r.detail]
    assert not bad, "\n".join(bad)


def test_mlsrs_pair_random_runs_30_epochs(mlsrs_pair: list[StepResult]) -> None:
    epochs = [r for r in mlsrs_pair if r.scenario == "random" and " epoch " in r.step]
    assert len([r for r in epochs if r.status == "passed"]) >= 30


def test_mlsrs_pair_covers_the_core(mlsrs_pair: list[StepResult]) -> None:
    """The steps mls-rs must pass with itself: the wheel supports all of these."""
    passed = {(r.scenario, r.step) for r in mlsrs_pair if r.status == "passed"}
    for scenario, step in [
        ("welcome", "A adds B, tree in-band, public"),
        ("welcome", "A adds B, external tree, public"),
        ("welcome", "B adds A, external tree, public"),
        ("application", "group of A and B / A->B 65536 B no aad"),
        ("application", "group of A and B / B->A 0 B no aad"),
        ("commit", "committer A, public: add by reference, no path"),
        ("commit", "committer B, public: remove by reference"),
        ("commit", "committer B, public: self-update (empty commit with path)"),
        ("commit", "committer A, public: own proposals by reference"),
        ("removed", "A removes a member on B, by value"),
        ("removed", "B removes a member on A, by reference"),
    ]:
        assert (scenario, step) in passed, f"{scenario}: {step}"


def test_harness_fails_on_missing_driver() -> None:
    with pytest.raises(Exception, match="driver A"):
        _run([[sys.executable, "-c", "import sys; sys.exit(3)"], MLSRS])


# --- hasteh ↔ mls-rs and hasteh ↔ hasteh: need hasteh.mls.interop ----------------------


def test_hasteh_driver_exists() -> None:
    assert importlib.util.find_spec("hasteh.mls.interop") is not None, (
        "hasteh.mls.interop (the hasteh MLS interop driver) is missing"
    )


@pytest.mark.slow
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_hasteh_mlsrs(hasteh_mlsrs: list[StepResult] | HarnessError, scenario: str) -> None:
    results = _ok(hasteh_mlsrs)
    failures = _failures(results, scenario)
    assert not failures, "\n".join(failures)
    assert any(r.scenario == scenario and r.status == "passed" for r in results)


@pytest.mark.slow
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_hasteh_pair(hasteh_pair: list[StepResult] | HarnessError, scenario: str) -> None:
    mine = [r for r in _ok(hasteh_pair) if r.scenario == scenario]
    failures = _failures(mine)
    assert not failures, "\n".join(failures)
    skipped = [r.line() for r in mine if r.status == "skipped"]
    assert not skipped, "hasteh must support every op:\n" + "\n".join(skipped)
    assert any(r.status == "passed" for r in mine)


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_steps_mlsrs_skips_pass_hasteh_pair(
    mlsrs_pair: list[StepResult],
    hasteh_mlsrs: list[StepResult] | HarnessError,
    hasteh_pair: list[StepResult] | HarnessError,
) -> None:
    """Every step that mls-rs answered `unsupported` is passed by hasteh ↔ hasteh.

    Steps are named by driver position (A, B), so the same step exists in every run. Steps of
    the random scenario depend on who could do what; there, hasteh ↔ hasteh must simply have
    no skip (checked in test_hasteh_pair).
    """
    status = {(r.scenario, r.step): r.status for r in _ok(hasteh_pair)}
    missing = []
    for run in (mlsrs_pair, _ok(hasteh_mlsrs)):
        for r in run:
            if r.status != "skipped" or r.scenario == "random":
                continue
            if status.get((r.scenario, r.step)) != "passed":
                missing.append(f"{r.scenario}: {r.step}: {status.get((r.scenario, r.step))}")
    assert not missing, "\n".join(missing)
