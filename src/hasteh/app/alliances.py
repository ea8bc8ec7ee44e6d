"""Alliances: a group of cells' delegates, run by the same runtime as a cell (internal API).

    alliances.form(ws, "north", cell="cell-a", relays=[...])   # AllianceFormed
    code = cards.create_card(other_ws, "cell-b")               # the other delegate's card
    alliances.propose_cell(ws, "north", code)                  # CellProposed; we keep the card
    alliances.approve_cell(ws2, "north", "cell-b")             # CellApproved, per member cell
    alliances.say(ws, "north", "text")                         # AllianceMessage
    motion = alliances.open_motion(ws, "north", "question?", deadline)   # MotionOpened
    alliances.vote(ws, "north", motion, agree=True)            # CellVoted: one vote per cell

Everything else is the shared machinery: the delegate's card is an ordinary invitation
card whose cover name is the cell's pseudonym in the alliance; once every member cell
approved, the proposer's client commits the Add at the next sync (`alliance_domain`), the
Welcome and the alliance's history go to the card's pickup mailbox, and the newcomer
joins with `sync` as into a cell. Motions that are due are closed by the seat with the
lowest leaf. Issue 17 adds the faces (CLI, web); this module is not one of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hasteh.app import runtime
from hasteh.app.alliance_domain import ALLIANCE_DOMAIN, AllianceRuntime
from hasteh.app.cards import Card, card_bytes, card_cover_name, check_relay, read_card_input
from hasteh.app.errors import BadInput, NoRelay, clean_or_refuse
from hasteh.app.founding import found
from hasteh.app.kinds import all_groups
from hasteh.app.records import default_relays
from hasteh.org import EventEnvelope, EventId
from hasteh.org.events import (
    AllianceFormed,
    AllianceMessage,
    CellApproved,
    CellProposed,
    CellVoted,
    MotionOpened,
)
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "all_alliances",
    "approve_cell",
    "find_alliance",
    "form",
    "open_motion",
    "propose_card",
    "propose_cell",
    "say",
    "vote",
]


def form(
    ws: Workspace, name: str, *, cell: str, relays: list[str] | None = None
) -> AllianceRuntime:
    """Form an alliance with this profile as the delegate of its founding cell, whose
    pseudonym in the alliance is `cell` (also this member's cover name there)."""
    title = clean_or_refuse(name, limit=200)
    pseudonym = clean_or_refuse(cell)
    chosen = [check_relay(r) for r in (relays or ws.vault.read(default_relays))]
    if not chosen:
        raise NoRelay()
    return found(
        ws,
        ALLIANCE_DOMAIN,
        cover_name=pseudonym,
        relays=chosen,
        first=[AllianceFormed(title, pseudonym)],
    )


def all_alliances(ws: Workspace) -> list[AllianceRuntime]:
    return [rt for rt in all_groups(ws) if rt.kind == ALLIANCE_DOMAIN.kind]


def find_alliance(ws: Workspace, ref: str) -> AllianceRuntime:
    """An alliance by its name, or by the start (6+ hex digits) of its id."""
    wanted = ref.strip()
    found_ = [
        rt
        for rt in all_alliances(ws)
        if rt.name == wanted or (len(wanted) >= 6 and rt.group_id.hex().startswith(wanted))
    ]
    if len(found_) != 1:
        raise BadInput("unknown-alliance")
    return found_[0]


def propose_cell(ws: Workspace, alliance: str, card_input: str) -> EventEnvelope:
    """Propose the cell whose delegate handed us this card in person; its pseudonym is
    the card's cover name. We keep the card: our client commits the Add once every member
    cell approved."""
    return propose_card(ws, alliance, read_card_input(card_input, now=ws.now()))


def propose_card(ws: Workspace, alliance: str, card: Card) -> EventEnvelope:
    """`propose_cell` with the card already read (a spoken code delivered it)."""
    rt = find_alliance(ws, alliance)
    rt.require_group()
    body = CellProposed(card.fingerprint, card_cover_name(card), card.expires_at)

    def keep(conn: Connection, env: EventEnvelope) -> None:
        rt.record.cards[bytes(env.event_id).hex()] = card_bytes(card)
        rt.record_dirty = True

    env = runtime.send_event(ws, rt, body, also=keep)
    runtime.plan(ws, rt)
    return env


def approve_cell(ws: Workspace, alliance: str, cell: str) -> EventEnvelope:
    """Our cell approves the open proposal of `cell` (by its pseudonym)."""
    rt = find_alliance(ws, alliance)
    wanted = cell.strip()
    proposal = next((p for p in rt.org.proposals.values() if p.cell == wanted), None)
    if proposal is None:
        raise BadInput("unknown-cell-proposal")
    env = runtime.send_event(ws, rt, CellApproved(proposal.proposal_id))
    runtime.plan(ws, rt)
    return env


def say(ws: Workspace, alliance: str, text: str) -> EventEnvelope:
    return runtime.send_event(ws, find_alliance(ws, alliance), AllianceMessage(text.strip()))


def open_motion(ws: Workspace, alliance: str, question: str, deadline: int) -> EventId:
    """Put a yes/no question to the member cells until `deadline` (unix seconds)."""
    rt = find_alliance(ws, alliance)
    env = runtime.send_event(ws, rt, MotionOpened(question.strip(), deadline))
    return EventId(env.event_id)


def vote(ws: Workspace, alliance: str, motion: bytes, *, agree: bool) -> EventEnvelope:
    """Our cell's vote (one per cell, whichever of its delegates casts it)."""
    rt = find_alliance(ws, alliance)
    return runtime.send_event(ws, rt, CellVoted(EventId(motion), agree))
