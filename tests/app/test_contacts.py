"""Contacts with leading workers between real profiles through the loopback relay: a
contact stays in its member's vault; the cell sees a count and the code names the member
chose, nothing more — proven on raw SQLCipher exports of the other member's vault and on
the relay's database file. Bad input and a hostile hand-over record change nothing."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.app import contacts
from hasteh.app.errors import BadInput, Refused
from tests.app.helpers import CELL, NAMES, form_cell, settle_relay
from tests.app.test_expiry import export_plaintext

HIDDEN = "کارگرپنهان"
SHARED = "کارگرپیدا"
WORKPLACE = "کارخانه‌سیمان"
NOTES = "NOTES-MARKER-91c2 شیفت شب"


def test_a_contact_stays_on_its_members_device(make_ws, relay, tmp_path: Path) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    contacts.add(a, HIDDEN, workplace=WORKPLACE, notes=NOTES)
    contacts.add(a, SHARED)
    contacts.set_shared(a, SHARED, True)
    assert contacts.tell(a, CELL) == (2, (SHARED,))
    settle_relay([a, b])
    for ws in (a, b):
        assert contacts.told(ws, CELL) == {NAMES[0]: (2, (SHARED,))}
    own = export_plaintext(a, tmp_path / "a.db")
    for secret in (HIDDEN, WORKPLACE, NOTES):
        assert secret.encode() in own  # control: the export does hold the vault's text
    other = export_plaintext(b, tmp_path / "b.db")
    assert SHARED.encode() in other  # what a chose to let the cell see
    for secret in (HIDDEN, WORKPLACE, NOTES):
        assert secret.encode() not in other
    db = Path(relay.db.removeprefix("sqlite:///"))
    relay_file = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))  # + WAL
    assert len(relay_file) > 10_000  # the relay did store the cell's traffic
    for text in (HIDDEN, WORKPLACE, NOTES, SHARED):
        assert text.encode() not in relay_file  # nothing in clear, not even what is shared
    # Forgotten: gone from the vault's file.
    contacts.forget(a, HIDDEN)
    assert NOTES.encode() not in export_plaintext(a, tmp_path / "a2.db")
    assert [c.code_name for c in contacts.list_contacts(a)] == [SHARED]


def test_a_contact_handed_over_moves_from_one_vault_to_the_other(make_ws, relay) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    contacts.add(a, HIDDEN, workplace=WORKPLACE, notes=NOTES)
    record = contacts.hand_over(a, HIDDEN)
    assert contacts.list_contacts(a) == []
    kept = contacts.receive(b, record)
    assert (kept.code_name, kept.workplace, kept.notes) == (HIDDEN, WORKPLACE, NOTES)
    assert not kept.shared  # a received contact is not shown to the cell until chosen
    copy = contacts.handover_record(b, HIDDEN)  # "share a copy": kept by the giver
    assert contacts.read_handover(copy).code_name == HIDDEN
    assert [c.code_name for c in contacts.list_contacts(b)] == [HIDDEN]


def test_bad_input_is_refused_and_changes_nothing(make_ws) -> None:
    ws = make_ws(NAMES[0])
    contacts.add(ws, SHARED)
    before = contacts.list_contacts(ws)
    cases = {
        "fund-card-number": lambda: contacts.add(ws, "x", notes="کارت ۶۰۳۷۹۹۱۲۳۴۵۶۷۸۹۳"),
        "fund-iban": lambda: contacts.add(ws, "y", notes="IR" + "1" * 24),
        "contact-exists": lambda: contacts.add(ws, SHARED),
        "name-hidden-character": lambda: contacts.add(ws, "a\u202eb"),
        "name-empty": lambda: contacts.add(ws, "   "),
        "contact-notes-too-long": lambda: contacts.add(ws, "z", notes="n" * 2_001),
        "unknown-contact": lambda: contacts.forget(ws, "nobody"),
    }
    for code, attempt in cases.items():
        with pytest.raises((BadInput, Refused)) as err:
            attempt()
        assert err.value.code == code, code
        assert SHARED not in str(err.value) or code == "contact-exists"
    assert contacts.list_contacts(ws) == before


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=300)
    | st.builds(
        lambda v, n, w, t: msgspec.msgpack.encode([v, n, w, t]),
        st.integers(-2, 300),
        st.text(max_size=80),
        st.text(max_size=80),
        st.text(max_size=300),
    )
)
def test_any_hand_over_bytes_give_a_record_or_one_refusal(data: bytes) -> None:
    try:
        record = contacts.read_handover(data)
    except BadInput as err:
        assert err.code == "bad-handover"
        return
    assert record.version == contacts.HANDOVER_VERSION and record.code_name.strip()
