"""Found by differential fuzzing (hasteh against mls-rs, `fuzz/fuzz_mls_diff_group.py`,
finding H1): a Commit that removes a member used to be accepted by that member before its
UpdatePath was checked, so one member could make another alone believe she was removed
(and drop her group) with a commit the rest of the group refuses. The removed member now
makes every path check that needs no secret (§12.4.2). The minimized input replays the
harness: bob's valid `Remove(3)` commit re-signed as `Remove(0)` with the old path."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CRASH = ROOT / "fuzz" / "corpus" / "mls_diff_group" / "crash-5fac0c1ed13e"


def test_a_removed_member_refuses_a_commit_whose_path_does_not_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fuzz import _common
    from fuzz import fuzz_mls_diff_group as harness

    monkeypatch.setattr(_common, "STRICT", True)  # any one-sided acceptance fails
    harness.TestOneInput(CRASH.read_bytes())
