"""A contact handed to another member in person through the spoken-code channel and the
session's real relay (as rendezvous): it arrives end-to-end encrypted (the relay's
database never holds it in clear), the receiver keeps it, the giver's vault no longer
does ("hand over"); a copy keeps it on both; a contact's code cannot serve an
invitation; a wrong code burns the exchange and moves nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hasteh.app import contacts, handover, spoken
from hasteh.app.invite_code import InviteCodeError
from tests.app.helpers import NAMES
from tests.app.test_expiry import export_plaintext

NAME = "رحیم"
WORKPLACE = "کارخانه‌فولاد"
NOTES = "HANDOVER-NOTES-5d1e"


def give_in_background(pending: handover.PendingGive, now) -> tuple[threading.Thread, list]:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            handover.await_taken(pending, now)
        except BaseException as exc:  # reported to the test
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, failures


@pytest.mark.parametrize("keep", [False, True], ids=["hand-over", "copy"])
def test_a_contact_travels_sealed_between_two_members(
    make_ws, relay, tmp_path: Path, keep: bool
) -> None:
    giver, receiver = make_ws(NAMES[0]), make_ws(NAMES[1])
    contacts.add(giver, NAME, workplace=WORKPLACE, notes=NOTES)
    pending = handover.open_give(giver, NAME, rendezvous=[relay.url])
    thread, failures = give_in_background(pending, giver.now)
    kept = handover.take_contact(receiver, pending.text(), rendezvous=[relay.url])
    thread.join(timeout=60)
    assert not thread.is_alive() and failures == []
    handover.finish_give(giver, pending, keep=keep)
    assert (kept.code_name, kept.workplace, kept.notes) == (NAME, WORKPLACE, NOTES)
    assert [c.code_name for c in contacts.list_contacts(receiver)] == [NAME]
    left = [c.code_name for c in contacts.list_contacts(giver)]
    assert left == ([NAME] if keep else [])
    if not keep:
        assert NOTES.encode() not in export_plaintext(giver, tmp_path / "giver.db")
    db = Path(relay.db.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    for text in (NAME, WORKPLACE, NOTES):
        assert text.encode() not in stored


def test_a_wrong_code_moves_nothing(make_ws, relay) -> None:
    giver, receiver = make_ws(NAMES[0]), make_ws(NAMES[1])
    contacts.add(giver, NAME, notes=NOTES)
    pending = handover.open_give(giver, NAME, rendezvous=[relay.url])
    thread, failures = give_in_background(pending, giver.now)
    number, *words = pending.text("en").split()
    wrong = " ".join([number, *reversed(words)]) if words[0] != words[-1] else number + " x y z"
    with pytest.raises(InviteCodeError):
        handover.take_contact(receiver, wrong, rendezvous=[relay.url])
    thread.join(timeout=60)
    handover.finish_give(giver, pending)
    assert failures and isinstance(failures[0], InviteCodeError)
    assert contacts.list_contacts(receiver) == []
    assert [c.code_name for c in contacts.list_contacts(giver)] == [NAME]


def test_a_contacts_code_cannot_serve_an_invitation(make_ws, relay) -> None:
    """A member who types a contact's code into "propose by code" gets nothing: the
    purposes' keys differ, so the exchange fails and no card is proposed."""
    from tests.app.helpers import CELL, form_cell, settle_relay

    (member,) = form_cell(make_ws, relay.url, settle_relay, n=1)
    giver = make_ws(NAMES[1])
    contacts.add(giver, NAME)
    pending = handover.open_give(giver, NAME, rendezvous=[relay.url])
    thread, failures = give_in_background(pending, giver.now)
    with pytest.raises(InviteCodeError):
        spoken.take(member, CELL, pending.text(), rendezvous=[relay.url])
    thread.join(timeout=60)
    handover.finish_give(giver, pending)
    assert failures
    assert [c.code_name for c in contacts.list_contacts(giver)] == [NAME]
