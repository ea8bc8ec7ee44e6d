"""Spoken-code invitations at the app level, the newcomer's device in its own process
(`hasteh code`), members and an attacker in this one, through the session's real relay.

The attack first: a printed card is a bearer token. Whoever holds a copy (a photo, an
informer who saw it) can propose it in a cell of their own and leave a welcome in its
pickup mailbox, and the newcomer's device joins that cell. A spoken code stops it: the
card never exists outside the sealed exchange, the newcomer's device accepts a welcome
only into the cell the member who typed the code named, and retires earlier cards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hasteh.app import Workspace, admission, cards, cells, open_workspace, spoken, sync
from hasteh.app.cards import decode_card
from hasteh.app.errors import JoinRefused
from hasteh.app.invite_code import InviteCodeError
from hasteh.app.records import invitations
from tests.app.conftest import Clock
from tests.cli.test_cells_cli import PASS, profile
from tests.cli.test_spoken_cli import newcomer_process, read_code
from tests.relay.harness import RelayProcess


def group_ids(ws: Workspace) -> set[bytes]:
    return {rt.group_id for rt in cells.all_cells(ws)}


def newcomer_home(tmp_path: Path) -> Path:
    return profile(tmp_path, "newcomer")


def open_newcomer(home: Path, clock: Clock) -> Workspace:
    return open_workspace(home, PASS, clock=clock)


def spoken_invitation(home: Path, member: Workspace, relay: str) -> spoken.Taken:
    """The newcomer's process shows a code; `member` types it; both finish."""
    with newcomer_process(home, relay, "reza") as proc:
        code = read_code(proc)
        taken = spoken.take(member, "bakery", code, rendezvous=[relay])
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert "sepideh proposed you to the cell bakery" in out
    return taken


def test_a_leaked_printed_card_diverts_the_newcomer_today(
    tmp_path: Path, make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    """The attack the spoken code exists for (printed cards stay as the offline route)."""
    newcomer = make_ws("reza")
    leaked = cards.create_card(newcomer, "reza", relays=[relay.url])
    stranger = make_ws("stranger")
    cells.create_cell(stranger, "bakery", cover_name="sepideh", relays=[relay.url])
    admission.propose(stranger, "bakery", leaked)
    sync.sync(stranger)
    assert sync.join(newcomer) == ["bakery"]
    assert group_ids(newcomer) == group_ids(stranger)


def test_a_leaked_printed_card_cannot_divert_a_newcomer_who_used_a_spoken_code(
    tmp_path: Path, make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    home = newcomer_home(tmp_path)
    with open_newcomer(home, clock) as ws:
        leaked = cards.create_card(ws, "reza", relays=[relay.url])  # printed, then copied
    member = make_ws("sepideh")
    cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
    stranger = make_ws("stranger")
    cells.create_cell(stranger, "bakery", cover_name="sepideh", relays=[relay.url])

    taken = spoken_invitation(home, member, relay.url)
    assert taken.view.cover_name == "reza" and len(taken.check) == 4

    # The stranger uses the leaked card first: its welcome reaches the old pickup mailbox.
    admission.propose(stranger, "bakery", leaked)
    sync.sync(stranger)
    sync.sync(member)
    with open_newcomer(home, clock) as ws:
        assert sync.join(ws) == ["bakery"]
        assert group_ids(ws) == group_ids(member)
        assert not group_ids(ws) & group_ids(stranger)
        assert ws.vault.read(invitations) == []


def test_a_copy_of_the_spoken_card_cannot_divert_the_newcomer(
    tmp_path: Path, make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    """Even with the card itself (taken from the member's device, say), a stranger's
    welcome into another group is refused with an alarm; the real cell's is accepted."""
    home = newcomer_home(tmp_path)
    member = make_ws("sepideh")
    cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
    spoken_invitation(home, member, relay.url)
    (held,) = cells.find_cell(member, "bakery").record.cards.values()

    stranger = make_ws("stranger")
    cells.create_cell(stranger, "bakery", cover_name="sepideh", relays=[relay.url])
    admission.propose_card(stranger, "bakery", decode_card(held, now=stranger.now()))
    sync.sync(stranger)
    with open_newcomer(home, clock) as ws:
        with pytest.raises(JoinRefused) as refused:
            sync.join(ws)
        assert refused.value.reason == "not-the-cell"
        assert "Someone holds a copy of your invitation" in str(refused.value)
        assert group_ids(ws) == set()
    sync.sync(member)
    with open_newcomer(home, clock) as ws:
        assert sync.join(ws) == ["bakery"]
        assert group_ids(ws) == group_ids(member)


def test_an_expired_code_is_refused_with_a_clear_message(
    tmp_path: Path, make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    home = newcomer_home(tmp_path)
    member = make_ws("sepideh")
    cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
    with newcomer_process(home, relay.url, "reza", "--minutes", "1") as proc:
        code = read_code(proc)
        clock.advance(3 * 60)  # the member types it three minutes later
        with pytest.raises(InviteCodeError) as expired:
            spoken.take(member, "bakery", code, rendezvous=[relay.url])
        _out, err = proc.communicate(timeout=120)
    assert expired.value.reason == "expired"
    assert str(expired.value) == "This spoken code has expired."
    assert proc.returncode == 1 and "This spoken code has expired." in err
    assert admission.pending(member, "bakery") == []
    with open_newcomer(home, clock) as ws:
        assert ws.vault.read(invitations) == []


def test_a_code_the_relay_forgot_is_refused_with_a_clear_message(
    tmp_path: Path, make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    """After fifteen minutes the rendezvous relay has dropped the slot itself."""
    home = newcomer_home(tmp_path)
    member = make_ws("sepideh")
    cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
    with newcomer_process(home, relay.url, "reza") as proc:
        code = read_code(proc)
        clock.advance(16 * 60)
        with pytest.raises(InviteCodeError) as gone:
            spoken.take(member, "bakery", code, rendezvous=[relay.url])
        proc.kill()
    assert gone.value.reason == "unknown-code"
    assert "it has expired or was never made" in str(gone.value)


def test_a_code_nobody_made_is_unknown(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    member = make_ws("sepideh")
    cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
    with pytest.raises(InviteCodeError) as unknown:
        spoken.take(member, "bakery", "98765 ستاره پلنگ قناری", rendezvous=[relay.url])
    assert unknown.value.reason == "unknown-code"


def test_junk_in_the_newcomers_place_is_refused_and_the_newcomer_told(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    """Someone writes junk as the newcomer's second message: the member's device stops
    with `malformed` and leaves an ABORT where the newcomer's device will look."""
    import os

    from hasteh.app.invite_code import Frame, Kind, Newcomer, decode_frame, make_code
    from hasteh.transport.relay_client import RelayClient

    member = make_ws("sepideh")
    cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
    with RelayClient(relay.url) as client:
        slot = client.rendezvous_open().number
        code = make_code(slot, os.urandom)
        newcomer = Newcomer(code, expires_at=member.now() + 300, rng=os.urandom)
        client.rendezvous_post(slot, "a", 0, newcomer.open())
        client.rendezvous_post(slot, "a", 1, b"junk")
        with pytest.raises(InviteCodeError) as junk:
            spoken.take(member, "bakery", code.text("en"), rendezvous=[relay.url])
        assert junk.value.reason == "malformed"
        told, _expires = client.rendezvous_read(slot, "b", after=1)
        assert decode_frame(told[0]).kind == Kind.ABORT
        assert isinstance(decode_frame(told[0]), Frame)
    assert admission.pending(member, "bakery") == []
