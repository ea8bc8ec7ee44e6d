"""Two cells' delegates introduced in person by a spoken code (issue 17, "Finding each
other"): the new cell's delegate runs `hasteh code --as PSEUDONYM` in its own process, the
alliance's delegate types the code (`spoken.take_for_alliance`); the card travels sealed,
is proposed in the alliance under the pseudonym, and the newcomer's device accepts a
welcome into that alliance only — a stranger's alliance that holds a copy of an older,
printed card of the same device cannot seat it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hasteh.app import Workspace, alliances, cards, spoken, sync
from hasteh.app.errors import BadInput
from hasteh.app.invite_code import InviteCodeError
from hasteh.app.kinds import all_groups
from tests.app.conftest import Clock
from tests.app.test_spoken import newcomer_home, open_newcomer
from tests.cli.test_spoken_cli import newcomer_process, read_code
from tests.relay.harness import RelayProcess


def test_a_cell_is_introduced_to_an_alliance_by_a_spoken_code(
    tmp_path: Path, make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    home = newcomer_home(tmp_path)
    with open_newcomer(home, clock) as ws:
        leaked = cards.create_card(ws, "cell-b", relays=[relay.url])  # printed, then copied
    kaveh = make_ws("kaveh")
    alliances.form(kaveh, "north", cell="cell-a", relays=[relay.url])
    stranger = make_ws("stranger")
    alliances.form(stranger, "north", cell="cell-x", relays=[relay.url])

    with newcomer_process(home, relay.url, "cell-b") as proc:
        code = read_code(proc)
        seen: list[tuple[str, ...]] = []
        pseudonym, check = spoken.take_for_alliance(
            kaveh, "north", code, on_check=seen.append, rendezvous=[relay.url]
        )
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert pseudonym == "cell-b" and len(check) == 4 and seen == [check]
    assert "cell-a" in out and "north" in out  # the newcomer's screen: who, and where

    # The stranger proposes the leaked printed card in an alliance of its own.
    alliances.propose_cell(stranger, "north", leaked)
    sync.sync(stranger)
    sync.sync(kaveh)  # the only member cell proposed it: it approved; the Add is committed
    with open_newcomer(home, clock) as ws:
        assert sync.join(ws) == ["north"]
        joined = {rt.group_id for rt in all_groups(ws)}
        assert joined == {alliances.find_alliance(kaveh, "north").group_id}
        seat = alliances.find_alliance(ws, "north")
        assert seat.org.cover_name(seat.own_leaf) == "cell-b"
    sync.sync(kaveh)
    assert alliances.find_alliance(kaveh, "north").org.cells == {"cell-a", "cell-b"}


def test_a_typo_in_the_alliance_never_spends_the_code(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    kaveh = make_ws("kaveh")
    alliances.form(kaveh, "north", cell="cell-a", relays=[relay.url])
    with pytest.raises(BadInput) as err:
        spoken.take_for_alliance(kaveh, "nroth", "42 ستاره پلنگ قناری", rendezvous=[relay.url])
    assert err.value.code == "unknown-alliance"
    with pytest.raises(InviteCodeError) as bad:
        spoken.take_for_alliance(kaveh, "north", "98765 ستاره پلنگ قناری", rendezvous=[relay.url])
    assert bad.value.code == "spoken-unknown-code"
