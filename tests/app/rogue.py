"""A rogue member's client: it builds any event it likes (any kind, id, claimed time,
referenced id) and sends it through the real relay, skipping every check an honest
client makes. What it cannot do is forge MLS: the author is its own leaf."""

from __future__ import annotations

from typing import Any

from hasteh import org
from hasteh.app import Workspace, cells, frames, runtime
from hasteh.app.write_auth import cell_write_auth
from hasteh.envelope import Kind, WriteAuth, seal
from hasteh.org import EventEnvelope, EventId, LeafIndex
from hasteh.transport.outbox import stage
from tests.app.helpers import CELL


def envelope(
    ws: Workspace,
    body: org.AnyEvent,
    *,
    at: int | None = None,
    event_id: bytes | None = None,
    n: int = 0,
    seen: int = 0,
    chain: bytes = b"",
) -> EventEnvelope:
    rt = cells.find_cell(ws, CELL)
    return EventEnvelope(
        org.VERSION,
        EventId(event_id or ws.rng(16)),
        LeafIndex(rt.own_leaf),
        ws.now() if at is None else at,
        body,
        n=n,
        seen=seen,
        chain=chain,
    )


def send(
    ws: Workspace, *events: EventEnvelope, kind: Kind = Kind.MESSAGE, **seal_args: Any
) -> None:
    """Protect each event as an MLS application message and queue it for the relay."""
    rt = cells.find_cell(ws, CELL)
    group = rt.require_group()

    def auth(relay: str) -> WriteAuth:
        return cell_write_auth(rt.record, group, relay)

    def run(conn: object) -> None:
        for env in events:
            wire = group.protect(frames.event_frame(org.encode(env)), rng=ws.rng)
            sealed = seal(
                kind=kind, mailbox=rt.record.mailbox, payload=wire, rng=ws.rng, **seal_args
            )
            stage(conn, sealed, rt.record.relays, now=ws.clock(), auth=auth)  # type: ignore[arg-type]
        rt.group_dirty = True

    runtime.write(ws, rt, run)


def send_raw(
    ws: Workspace,
    payload: bytes,
    *,
    kind: Kind,
    epoch: int = 0,
    retire: bool = False,
    next_key: bytes | None = None,
) -> None:
    """Queue arbitrary bytes as an envelope of the cell's mailbox (junk, a forged commit);
    a commit registers a key of its own for the next epoch and may retire the others."""
    rt = cells.find_cell(ws, CELL)
    group = rt.require_group()

    def auth(relay: str) -> WriteAuth:
        current = cell_write_auth(rt.record, group, relay)
        if kind is not Kind.COMMIT:
            return current
        return WriteAuth(current.key, next_key=next_key or ws.rng(32), retire=retire)

    def run(conn: object) -> None:
        sealed = seal(
            kind=kind, mailbox=rt.record.mailbox, payload=payload, rng=ws.rng, epoch=epoch
        )
        stage(conn, sealed, rt.record.relays, now=ws.clock(), auth=auth)  # type: ignore[arg-type]

    runtime.write(ws, rt, run)
