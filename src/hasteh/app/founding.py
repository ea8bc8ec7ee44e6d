"""Founding a group of any kind: its MLS group, its mailbox, the first events of its log.

A new group gets a **fresh signing key and cover name for this group only** (a KeyPackage
whose credential is the cover name), so nothing links a person's identities across
groups; a random claim whose labelled hash is the group's mailbox (`app.write_auth`), so
the group's first post creates the mailbox on each relay; and a record of the group's
kind. The founder is the only member (leaf 0); the domain's first events (a cell's
`CellCreated` and first thread, an alliance's `AllianceFormed`) enter the log at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from hasteh import org
from hasteh.app import runtime
from hasteh.app.domain import Folded, GroupDomain
from hasteh.app.records import CellRecord
from hasteh.app.runtime import CONFIG, SUITE, GroupRuntime
from hasteh.envelope import claimed_mailbox
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.credential import BasicCredential
from hasteh.mls.group import create_group
from hasteh.mls.key_package_ops import create_key_package
from hasteh.org import EventEnvelope, EventId, LeafIndex
from hasteh.transport import registry
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["found"]

S = TypeVar("S", bound=Folded)


def found(
    ws: Workspace,
    domain: GroupDomain[S],
    *,
    cover_name: str,
    relays: list[str],
    first: Sequence[org.AnyEvent],
) -> GroupRuntime[S]:
    """Found a group of `domain`'s kind with this profile as its only member (leaf 0),
    its log beginning with `first`. `cover_name` and `relays` are already checked."""
    suite = get_suite(SUITE)
    signature_private, _public = suite.generate_signature_key(ws.rng)
    now = ws.now()
    kps = create_key_package(
        SUITE, BasicCredential(cover_name.encode("utf-8")), signature_private, rng=ws.rng, now=now
    )
    group_id = ws.rng(32)
    claim = ws.rng(32)
    mailbox = claimed_mailbox(claim)  # the group's first post creates it on each relay
    group = create_group(SUITE, group_id, kps, rng=ws.rng, config=CONFIG)
    record = CellRecord(
        group_id=group_id,
        mailbox=mailbox,
        relays=relays,
        joined_at=now,
        claim=claim,
        kind=domain.kind,
    )
    rt = runtime.fresh(record, group, domain)
    envelopes = [
        EventEnvelope(org.VERSION, EventId(ws.rng(16)), LeafIndex(0), now, body) for body in first
    ]

    def run(conn: Connection) -> None:
        for env in envelopes:
            runtime.accept_event(rt, env)
        registry.add_mailbox(conn, mailbox, relays)

    runtime.write(ws, rt, run)
    ws._cells[group_id] = rt
    return rt
