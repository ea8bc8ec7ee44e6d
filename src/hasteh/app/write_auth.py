"""Write credentials of a profile's mailboxes on each relay (docs/protocol.md, "Write access").

A relay lets only current members post to or read a claimed mailbox. This module derives
the credentials; the relay protocol and the outbox only carry them.

* **Cell key.** For relay R at epoch E the key is MLS-Exporter("hasteh/write/v1", R, 32)
  of epoch E: every member of the epoch derives the same key, each relay gets its own (a
  seized relay's keys are worthless elsewhere), and a removed member cannot derive the
  key of the epoch that removed it.
* **Cell mailbox.** `claimed_mailbox(claim)` with a random 32-byte claim kept in the cell
  record and handed to newcomers in the join history. Every post carries the claim, so the
  cell's first post to a relay creates the mailbox there and registers the epoch's key;
  once the key is registered the claim changes nothing. (Cells made before claims existed
  have no claim; their mailbox is an old random id that a relay lets them claim too.)
* **Commits** register the next epoch's key (derived from the staged new state) and,
  when they remove a member, retire every older key of the mailbox.
* **Pickup mailbox** of a newcomer: `claimed_mailbox(pickup_claim)`, with the claim in the
  invitation card; its key is HKDF-SHA256(pickup_claim, info "hasteh/pickup-write/v1"),
  so the committer who leaves the Welcome and the newcomer who reads it share it.
"""

from __future__ import annotations

from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hasteh.app.records import CellRecord, Invitation
from hasteh.envelope import WRITE_KEY_SIZE, WriteAuth
from hasteh.mls.group import GroupState

__all__ = [
    "cell_write_auth",
    "commit_write_auth",
    "pickup_write_auth",
    "pickup_write_key",
    "write_key",
]

WRITE_LABEL: Final = b"hasteh/write/v1"
PICKUP_INFO: Final = b"hasteh/pickup-write/v1"


def write_key(group: GroupState, relay: str) -> bytes:
    """The cell's write key for `relay` in `group`'s epoch."""
    return group.export(WRITE_LABEL, relay.encode(), WRITE_KEY_SIZE)


def cell_write_auth(record: CellRecord, group: GroupState, relay: str) -> WriteAuth:
    """How a member posts a message (or reads) in its cell's mailbox on `relay`."""
    return WriteAuth(
        write_key(group, relay),
        claim=record.claim,
        claim_epoch=group.epoch if record.claim is not None else 0,
    )


def commit_write_auth(
    record: CellRecord, group: GroupState, new_state: GroupState, relay: str, *, removes: bool
) -> WriteAuth:
    """How a commit from `group`'s epoch to `new_state` is posted to `relay`: it registers
    the new epoch's key and, when it removes a member, retires the older ones."""
    current = cell_write_auth(record, group, relay)
    return WriteAuth(
        current.key,
        next_key=write_key(new_state, relay),
        retire=removes,
        claim=current.claim,
        claim_epoch=current.claim_epoch,
    )


def pickup_write_key(pickup_claim: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=WRITE_KEY_SIZE, salt=None, info=PICKUP_INFO)
    return hkdf.derive(pickup_claim)


def pickup_write_auth(pickup_claim: bytes) -> WriteAuth:
    """How the Welcome is left in (and read from) a newcomer's pickup mailbox."""
    return WriteAuth(pickup_write_key(pickup_claim), claim=pickup_claim, claim_epoch=0)


def invitation_read_auth(invitation: Invitation) -> WriteAuth | None:
    """The key a newcomer reads its pickup mailbox with (None for a card made before
    pickup claims existed)."""
    if not invitation.pickup_claim:
        return None
    return pickup_write_auth(invitation.pickup_claim)
