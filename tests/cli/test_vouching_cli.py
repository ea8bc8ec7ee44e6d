"""`hasteh alliance vouch` and `hasteh alliance answer` through the real CLI against a real
relay, in Persian: a delegate vouches, the other cell's delegate answers later, the
delegate's sync proposes the cell (shown as proposed through a vouching code) and, the
only member cell having approved by proposing, adds it; the new delegate joins. A code
altered by one character and a code used twice are refused in Persian, and nothing is
kept on the answerer's device."""

from __future__ import annotations

from pathlib import Path

from hasteh.app.profile import workspace
from hasteh.app.records import invitations
from tests.relay.harness import RelayProcess

from .test_cells_cli import PASS, ok, profile, run


def cards_in(home: Path) -> int:
    with workspace(home, PASS) as ws:
        return len(ws.vault.read(invitations))


def test_a_cell_joins_through_a_vouching_code_on_the_cli(
    tmp_path: Path, cli_relay: RelayProcess
) -> None:
    a, d, e = profile(tmp_path, "a"), profile(tmp_path, "d"), profile(tmp_path, "e")
    ok(a, "alliance", "form", "north", "--as", "cell-a", "--relay", cli_relay.url)
    out = ok(a, "alliance", "vouch", "north", "--days", "3", lang="fa")
    assert "فقط یک بار کار می‌کند" in out
    code = out.strip().splitlines()[-1]
    assert code.startswith("HV1:")
    assert "کدهای معرفی شما که هنوز کسی به کار نبرده: ۱" in ok(
        a, "alliance", "show", "north", lang="fa"
    )

    status, out = run(d, "alliance", "answer", code[:-3] + "AAA", "--as", "cell-d", lang="fa")
    assert status == 1 and "اشتباه تایپ شده" in out and "Traceback" not in out
    assert cards_in(d) == 0
    out = ok(d, "alliance", "answer", code, "--as", "cell-d", lang="fa")
    assert "cell-d" in out and "مهروموم‌شده" in out
    status, out = run(e, "alliance", "answer", code, "--as", "cell-e", lang="fa")
    assert status == 1 and "قبلاً به کار رفته" in out
    assert cards_in(e) == 0

    out = ok(a, "sync")
    out = ok(a, "alliance", "show", "north", lang="fa")
    assert "کدهای معرفی" not in out  # the code is burned
    ok(a, "sync")
    ok(d, "sync")
    ok(a, "sync")
    out = ok(d, "alliance", "show", "north")
    assert "cell-a" in out and "cell-d" in out
