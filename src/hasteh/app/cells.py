"""Cells: create one, find one, list them, show members, settings and safety words.

A cell is one MLS group plus one mailbox on the cell's relay(s), `claimed_mailbox(claim)`
for a random claim kept in its record (app.write_auth), run by the cell's rules
(`cell_domain.CELL_DOMAIN`). Creating one (`founding.found`) makes a **fresh signing
key and cover name for this cell only** (a KeyPackage whose credential is the cover
name), so nothing links a person's identities across groups.
The first event of the log, `CellCreated`, carries the cell's name and its protective
settings (cap default 5, never above 7; admission ``all`` or ``all-but-one``; chat
expiry default 14 days), and a first thread ("general") is opened for talk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from hasteh import org
from hasteh.app.cards import check_relay
from hasteh.app.cell_domain import CELL_DOMAIN
from hasteh.app.cell_relays import checked_relays
from hasteh.app.errors import BadInput, NoRelay, UnknownCell, UnknownMember, clean_or_refuse
from hasteh.app.founding import found
from hasteh.app.kinds import all_groups
from hasteh.app.records import (
    default_expiry_days,
    default_relays,
    save_cell,
)
from hasteh.app.runtime import CellRuntime
from hasteh.app.safety_words import safety_words as derive_words
from hasteh.i18n import _, current_language
from hasteh.org import CellCreated, CellSettings, ThreadOpened
from hasteh.transport import registry
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "DEFAULT_THREAD",
    "CellSummary",
    "MemberView",
    "create_cell",
    "find_cell",
    "list_cells",
    "members",
    "safety_words",
    "validate_settings",
]

DEFAULT_THREAD = "general"
DAY = 86_400


@dataclass(frozen=True, slots=True)
class CellSummary:
    """One row of `cell list` (and of the web's cell index)."""

    cell_id: str  # short hex id, for telling cells with the same name apart
    name: str
    members: int
    cap: int
    admission: str
    expiry_days: int
    epoch: int
    removed: bool
    alarms: int
    my_cover_name: str
    #: How many days a newcomer is on trial (0: no trial; `org.trial`).
    trial_days: int = 0
    #: The caps of the cell's files, in MB: one file, and all files together (`org.files`).
    file_cap_mb: int = 0
    files_cap_mb: int = 0


@dataclass(frozen=True, slots=True)
class MemberView:
    leaf: int
    cover_name: str
    is_me: bool
    authorized: bool
    #: Log time the member's trial is due to end; 0 when not on trial (`org.trial`).
    trial_until: int = 0

    @property
    def on_trial(self) -> bool:
        return self.trial_until > 0


def validate_settings(
    cap: int, admission: str, expiry_days: int, trial_days: int = 0
) -> CellSettings:
    """Settings within the protective bounds, or a precise `BadInput`."""
    if not 0 <= trial_days <= org.MAX_TRIAL // DAY:
        raise BadInput("bad-trial", days=org.MAX_TRIAL // DAY)
    if cap > org.HARD_CAP:
        raise BadInput("cap-above-hard-limit", hard=org.HARD_CAP)
    if cap < 2:
        raise BadInput("bad-cap")
    if admission not in ("all", "all-but-one"):
        raise BadInput("bad-admission")
    if not 1 <= expiry_days <= 365:
        raise BadInput("bad-expiry")
    return CellSettings(
        size_cap=cap,
        admission=admission,  # type: ignore[arg-type]
        message_expiry=expiry_days * DAY,
        trial=trial_days * DAY,
    )


def create_cell(
    ws: Workspace,
    name: str,
    *,
    cover_name: str,
    relays: list[str] | None = None,
    cap: int = 5,
    admission: str = "all",
    expiry_days: int | None = None,
) -> CellRuntime:
    """Create a cell with this profile as its only member (leaf 0)."""
    title = clean_or_refuse(name, limit=200)
    cover = clean_or_refuse(cover_name)
    if expiry_days is None:
        expiry_days = ws.vault.read(default_expiry_days)
    settings = validate_settings(cap, admission, expiry_days)
    chosen = [check_relay(r) for r in (relays or ws.vault.read(default_relays))]
    if not chosen:
        raise NoRelay()
    chosen = checked_relays(chosen)  # the rules every member checks on the list
    first: list[org.AnyEvent] = [
        # The relay list is a setting of the cell from its first event on (docs/org.md).
        CellCreated(title, cover, msgspec.structs.replace(settings, relays=tuple(chosen))),
        ThreadOpened(_(DEFAULT_THREAD)),
    ]
    return found(ws, CELL_DOMAIN, cover_name=cover, relays=chosen, first=first)


def all_cells(ws: Workspace) -> list[CellRuntime]:
    """Every cell of this profile (groups of other kinds, such as alliances, are not
    cells; a group that could not be loaded is shown as a cell set aside)."""
    return [rt for rt in all_groups(ws) if rt.kind == CELL_DOMAIN.kind]


def find_cell(ws: Workspace, ref: str) -> CellRuntime:
    """A cell by its name, or by the start (6+ hex digits) of its id."""
    wanted = ref.strip()
    cells = all_cells(ws)
    by_name = [c for c in cells if c.name == wanted]
    if len(by_name) == 1:
        return by_name[0]
    low = wanted.lower()
    if len(low) >= 6 and all(ch in "0123456789abcdef" for ch in low):
        by_id = [c for c in cells if c.group_id.hex().startswith(low)]
        if len(by_id) == 1:
            return by_id[0]
    if len(by_name) > 1:
        raise BadInput("ambiguous-cell")
    raise UnknownCell()


def summary(rt: CellRuntime) -> CellSummary:
    group = rt.group
    me = rt.org.cover_name(int(group.own_leaf)) if group is not None else ""
    s = rt.org.settings
    return CellSummary(
        cell_id=rt.group_id.hex()[:8],
        name=rt.name or _("(a cell that could not be opened)"),
        members=len(rt.org.members),
        cap=s.size_cap,
        admission=s.admission,
        expiry_days=s.message_expiry // DAY,
        epoch=group.epoch if group is not None else -1,
        removed=not rt.active,
        alarms=len(rt.org.alarms) + len(rt.record.notices),
        my_cover_name=me,
        trial_days=s.trial // DAY,
        file_cap_mb=s.file_cap // 2**20,
        files_cap_mb=s.files_cap // 2**20,
    )


def list_cells(ws: Workspace) -> list[CellSummary]:
    return sorted((summary(c) for c in all_cells(ws)), key=lambda s: (s.name, s.cell_id))


def members(ws: Workspace, cell: str) -> list[MemberView]:
    rt = find_cell(ws, cell)
    me = int(rt.group.own_leaf) if rt.group is not None and rt.active else -1
    return [
        MemberView(int(m.leaf), m.cover_name, int(m.leaf) == me, m.authorized, m.trial_until)
        for m in sorted(rt.org.members.values(), key=lambda m: m.leaf)
    ]


def find_member(rt: CellRuntime, cover_name: str) -> int:
    wanted = cover_name.strip()
    for m in rt.org.members.values():
        if m.cover_name == wanted:
            return int(m.leaf)
    raise UnknownMember()


def safety_words(ws: Workspace, cell: str, language: str | None = None) -> tuple[str, ...]:
    """Six words from this epoch's authenticator; equal on every member of the epoch."""
    rt = find_cell(ws, cell)
    group = rt.require_group()
    return derive_words(
        group.group_id, group.epoch, group.epoch_authenticator, language or current_language()
    )


def store_new_cell(ws: Workspace, conn: Connection, rt: CellRuntime) -> None:
    save_cell(conn, rt.record)
    registry.add_mailbox(conn, rt.record.mailbox, rt.record.relays)
    ws._cells[rt.group_id] = rt
