"""The kinds of group this hasteh runs, by the name a record stores (`CellRecord.kind`).

    cell       `cell_domain.CELL_DOMAIN`
    alliance   `alliance_domain.ALLIANCE_DOMAIN`

Every group of a profile is loaded here, run by its kind's domain; a record of a kind
this hasteh does not know is set aside with a notice, never guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from hasteh.app import runtime
from hasteh.app.alliance_domain import ALLIANCE_DOMAIN
from hasteh.app.cell_domain import CELL_DOMAIN
from hasteh.app.domain import GroupDomain
from hasteh.app.records import cell_ids
from hasteh.app.runtime import GroupRuntime
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["DOMAINS", "all_groups", "load", "load_in"]

DOMAINS: Final[Mapping[str, GroupDomain[Any]]] = {
    CELL_DOMAIN.kind: CELL_DOMAIN,
    ALLIANCE_DOMAIN.kind: ALLIANCE_DOMAIN,
}


def load_in(conn: Connection, group_id: bytes) -> GroupRuntime[Any]:
    """A group read inside the caller's transaction (no cache involved)."""
    return runtime.load_in(conn, group_id, DOMAINS)


def load(ws: Workspace, group_id: bytes) -> GroupRuntime[Any]:
    rt = ws._cells.get(group_id)
    if rt is None:
        rt = ws.vault.read(lambda conn: load_in(conn, group_id))
        ws._cells[group_id] = rt
    return rt


def all_groups(ws: Workspace) -> list[GroupRuntime[Any]]:
    """Every group of this profile, of every kind."""
    return [load(ws, gid) for gid in ws.vault.read(cell_ids)]
