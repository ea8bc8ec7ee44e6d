"""Stored records: a staged commit's intent is a tagged union that survives the vault, and
a record of the old form (an intent as a bare string, no longer read) or a hostile one is
refused clearly, the group set aside with a notice, never a crash; every other group of
the profile goes on working."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from hasteh.app import Workspace, cells, runtime
from hasteh.app.kinds import load_in
from hasteh.app.records import (
    AddIntent,
    PendingCommit,
    RemoveIntent,
    UpdateIntent,
    cell_key,
    load_cell,
)
from hasteh.vault.settings import set_setting
from tests.relay.harness import RelayProcess


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    "intent", [AddIntent(b"card"), RemoveIntent(3, "reza"), UpdateIntent()], ids=repr
)
def test_each_intent_round_trips(intent: Any) -> None:
    pending = PendingCommit(b"e" * 16, intent, 4, b"c", b"s", b"m")
    again = msgspec.json.decode(msgspec.json.encode(pending), type=PendingCommit)
    assert again == pending and type(again.intent) is type(intent)
    assert again.card == (b"card" if isinstance(intent, AddIntent) else b"")


def test_a_staged_key_update_is_stored_as_its_intent(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    ws = make_ws("sepideh")
    rt = cells.create_cell(ws, "bakery", cover_name="sepideh", relays=[relay.url])
    rt.record.needs_update = True
    assert runtime.plan(ws, rt) == "update"
    ws.forget_cache()
    stored = ws.vault.read(lambda conn: load_cell(conn, rt.group_id))
    assert stored is not None and stored.pending is not None
    assert stored.pending.intent == UpdateIntent()


OLD_AND_HOSTILE: dict[str, object] = {
    "old form": "add",
    "unknown tag": {"type": "merge", "card": ""},
    "no tag": {"card": ""},
    "wrong field type": {"type": "remove", "leaf": "zero", "cover_name": "x"},
    "a list": [1, 2, 3],
}


@pytest.mark.parametrize("case", sorted(OLD_AND_HOSTILE))
def test_an_unreadable_intent_sets_only_its_cell_aside(
    case: str, make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    ws = make_ws("sepideh")
    bad = cells.create_cell(ws, "bakery", cover_name="sepideh", relays=[relay.url])
    good = cells.create_cell(ws, "mill", cover_name="sepideh", relays=[relay.url])
    record = msgspec.json.decode(msgspec.json.encode(bad.record))
    record["pending"] = {
        "envelope_id": b64(b"e" * 16),
        "intent": OLD_AND_HOSTILE[case],
        "base_epoch": 0,
        "base_cth": b64(b"c"),
        "new_state": b64(b"s"),
        "commit": b64(b"m"),
        "card": b64(b"k"),
        "leaf": -1,
        "cover_name": "",
    }
    ws.vault.write(lambda conn: set_setting(conn, cell_key(bad.group_id), record))
    ws.forget_cache()
    loaded = ws.vault.read(lambda conn: load_in(conn, bad.group_id))
    assert loaded.aside and not loaded.active
    assert [n.code for n in loaded.record.notices] == ["cell-unreadable"]
    listed = {s.cell_id: s for s in cells.list_cells(ws)}
    assert listed[bad.group_id.hex()[:8]].removed
    assert listed[good.group_id.hex()[:8]].name == "mill"
    assert cells.find_cell(ws, "mill").active


def test_a_group_of_a_kind_this_hasteh_does_not_run_is_set_aside(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    """A record naming a kind of group from a newer hasteh (a council) is not run by a
    cell's or an alliance's rules: set aside with a notice, the other groups unharmed."""
    ws = make_ws("sepideh")
    other = cells.create_cell(ws, "bakery", cover_name="sepideh", relays=[relay.url])
    kept = cells.create_cell(ws, "mill", cover_name="sepideh", relays=[relay.url])
    record = msgspec.json.decode(msgspec.json.encode(other.record))
    record["kind"] = "council"
    ws.vault.write(lambda conn: set_setting(conn, cell_key(other.group_id), record))
    ws.forget_cache()
    loaded = ws.vault.read(lambda conn: load_in(conn, other.group_id))
    assert loaded.aside and [n.code for n in loaded.record.notices] == ["cell-unreadable"]
    assert cells.find_cell(ws, "mill").group_id == kept.group_id
