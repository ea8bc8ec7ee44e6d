"""Expiry: chat, study sessions' places, drop-box submissions and cards that have passed
their time are forgotten (docs/org.md).

Its own module, below `talk` (which sweeps before it reads) and `sync` (which sweeps
before each round), so that neither imports the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hasteh import org
from hasteh.app import runtime
from hasteh.app.cells import all_cells
from hasteh.app.records import delete_invitation, invitations
from hasteh.org import drop
from hasteh.org.study import expire_places
from hasteh.vault import Connection
from hasteh.vault import events as vevents

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["sweep"]


def sweep(ws: Workspace) -> int:
    """Delete expired chat, the places of sessions that are over and expired drop-box
    submissions from memory and from the vault; forget expired cards."""
    now = ws.now()
    total = 0
    for rt in all_cells(ws):
        expired = org.expire(rt.base, now)
        places = expire_places(expired.state, now)
        dropped = drop.expire(places.state, now)
        forget = (*expired.forget, *places.forget, *dropped.forget)
        if forget:
            rt.base = dropped.state
            rt.forget.update(forget)
            rt.ids.difference_update(forget)
            runtime.refresh_view(rt)
            total += len(forget)
            runtime.write(ws, rt, lambda conn: None)

    def run(conn: Connection) -> int:
        gone = vevents.delete_expired(conn, float(now))
        for inv in invitations(conn):
            if inv.expires_at + 86_400 < now:
                delete_invitation(conn, inv.pickup)
        return gone

    return total + ws.vault.write(run)
