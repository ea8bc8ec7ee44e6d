"""Proof 6: expired messages are gone from the vault (a raw logical export by SQLCipher's
`sqlcipher_export`, as the vault tests do), on the sender and on the reader."""

from __future__ import annotations

from pathlib import Path

from hasteh.app import Workspace, talk
from tests.app.helpers import CELL, form_cell, settle_relay

MARK = "EXPIRING-MARKER-7f3a91"
KEEP = "LASTING-MARKER-22c8d4"


def export_plaintext(ws: Workspace, target: Path) -> bytes:
    conn = ws.vault._conn
    conn.execute("ATTACH DATABASE ? AS plaintext KEY ''", (str(target),))
    conn.execute("SELECT sqlcipher_export('plaintext')").fetchall()
    conn.execute("DETACH DATABASE plaintext")
    return target.read_bytes()


def test_expired_messages_are_gone_from_the_vault(make_ws, relay, clock, tmp_path: Path) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    talk.say(a, CELL, MARK, expires_in=3600)
    talk.say(a, CELL, KEEP)  # the default: the cell's 14 days
    settle_relay([a, b])
    for ws, name in ((a, "a0"), (b, "b0")):
        assert MARK in {m.text for m in talk.read(ws, CELL)}
        assert MARK.encode() in export_plaintext(ws, tmp_path / f"{name}.db")  # control
    clock.advance(3601)
    settle_relay([a, b])  # every sync sweeps
    for ws, name in ((a, "a1"), (b, "b1")):
        texts = {m.text for m in talk.read(ws, CELL)}
        assert MARK not in texts and KEEP in texts
        plain = export_plaintext(ws, tmp_path / f"{name}.db")
        assert MARK.encode() not in plain
        assert KEEP.encode() in plain
    clock.advance(14 * 86_400)
    for ws, name in ((a, "a2"), (b, "b2")):
        assert talk.read(ws, CELL) == []
        assert KEEP.encode() not in export_plaintext(ws, tmp_path / f"{name}.db")
