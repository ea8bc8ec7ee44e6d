"""The durable outbox: delivery of queued envelopes to relays, and reading mailboxes.

Storage is `hasteh.vault.outbox` (one row per envelope and relay); this module holds the
delivery rules. Every transition is in `OUTBOX` below and nowhere else:

    QUEUED     --Sent-->        IN_FLIGHT
    IN_FLIGHT  --Accepted-->    DONE
    IN_FLIGHT  --Retry-->       QUEUED      (unreachable, 5xx, 408, 429: back off, try again)
    IN_FLIGHT  --Refused-->     FAILED      (any other 4xx: stays until someone acts)
    IN_FLIGHT  --Conflict-->    CONFLICT    (409 on a commit: fetch, hand newer messages over)
    IN_FLIGHT  --Interrupted--> QUEUED      (found in flight after a restart; re-post is safe)
    FAILED     --Requeued-->    QUEUED      (the user asks to try again)

A commit is never merged here: the report says which commits the relay accepted
(`accepted_commits`) and which lost (`conflicts`, with the newer envelopes); the caller
merges the first and re-stages the second (`restage`). Retries use exponential backoff with
jitter; clock and randomness are passed in. Transient failures never give up (shutdowns
last weeks); the delay is capped instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from hasteh.envelope import Envelope, EnvelopeError, Kind
from hasteh.transport.errors import EpochConflict, RelayRefused, TransportError
from hasteh.transport.relay_client import RelayClient
from hasteh.vault import Connection, Vault
from hasteh.vault import cursors as vcursors
from hasteh.vault import outbox as voutbox

QUEUED: Final = voutbox.QUEUED
IN_FLIGHT: Final = voutbox.IN_FLIGHT
DONE: Final = voutbox.DONE
FAILED: Final = voutbox.FAILED
CONFLICT: Final = voutbox.CONFLICT

SENT: Final = "Sent"
ACCEPTED: Final = "Accepted"
RETRY: Final = "Retry"
REFUSED: Final = "Refused"
CONFLICTED: Final = "Conflict"
INTERRUPTED: Final = "Interrupted"
REQUEUED: Final = "Requeued"

#: The delivery state machine: state -> {event: next state}.
OUTBOX: Final[dict[str, dict[str, str]]] = {
    QUEUED: {SENT: IN_FLIGHT},
    IN_FLIGHT: {
        ACCEPTED: DONE,
        RETRY: QUEUED,
        REFUSED: FAILED,
        CONFLICTED: CONFLICT,
        INTERRUPTED: QUEUED,
    },
    FAILED: {REQUEUED: QUEUED},
    CONFLICT: {},
    DONE: {},
}

BASE_DELAY = 2.0
MAX_DELAY = 3600.0

Rng = Callable[[], float]
Sink = Callable[[Connection, Envelope], None]


class BadTransition(Exception):
    """A transition not in `OUTBOX`: a bug in the caller (never a peer's doing)."""


def transition(state: str, event: str) -> str:
    """The next state, or `BadTransition`."""
    try:
        return OUTBOX[state][event]
    except KeyError:
        raise BadTransition(f"{event} is not allowed in state {state}") from None


def backoff(attempts: int, rng: Rng, *, base: float = BASE_DELAY, cap: float = MAX_DELAY) -> float:
    """Seconds to wait after `attempts` failed attempts: exponential, capped, half jittered.

    The delay is in [d/2, d) with d = min(cap, base * 2**(attempts-1)), so clients that failed
    together spread out, and none retries at once.
    """
    exponent = max(0, min(attempts - 1, 62))
    ceiling = min(cap, base * (2.0**exponent))
    return ceiling / 2 + rng() * ceiling / 2


def delivery_id(envelope_id: bytes, relay: str) -> bytes:
    """The outbox key: one row per envelope and relay (an envelope may go to several)."""
    return hashlib.sha256(b"hasteh/outbox/v1\x00" + envelope_id + relay.encode()).digest()


# ------------------------------------------------------------------------------- staging


def stage(conn: Connection, envelope: Envelope, relays: Sequence[str], *, now: float) -> list[bool]:
    """Queue `envelope` for each relay (inside the caller's write); False where already queued."""
    data = envelope.to_bytes()
    return [
        voutbox.enqueue(
            conn, envelope_id=delivery_id(envelope.id, r), relay=r, envelope=data, now=now
        )
        for r in relays
    ]


def restage(
    conn: Connection, item_id: int, replacement: Envelope, relays: Sequence[str], *, now: float
) -> None:
    """Replace a conflicted commit by a new one (built on the newer epoch)."""
    voutbox.remove(conn, item_id)
    stage(conn, replacement, relays, now=now)


def recover(vault: Vault, *, now: float) -> int:
    """After a restart: items left in flight go back to the queue (`Interrupted`)."""

    def run(conn: Connection) -> int:
        stuck = voutbox.items(conn, state=IN_FLIGHT)
        for item in stuck:
            voutbox.mark(
                conn,
                item.id,
                state=transition(IN_FLIGHT, INTERRUPTED),
                attempts=item.attempts,
                next_attempt_at=now,
                last_error=item.last_error,
            )
        return len(stuck)

    return vault.write(run)


def requeue_failed(vault: Vault, *, now: float) -> int:
    def run(conn: Connection) -> int:
        failed = voutbox.items(conn, state=FAILED)
        for item in failed:
            voutbox.mark(
                conn, item.id, state=transition(FAILED, REQUEUED), attempts=0, next_attempt_at=now
            )
        return len(failed)

    return vault.write(run)


# ------------------------------------------------------------------------------ delivery


@dataclass(frozen=True, slots=True)
class ConflictNotice:
    """A commit the relay did not accept. Discard the staged commit; process `newer`; re-stage."""

    item_id: int
    envelope_id: bytes
    relay: str
    epoch: int | None
    newer: tuple[Envelope, ...]


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    accepted_commits: list[tuple[bytes, int]] = field(default_factory=list)
    conflicts: list[ConflictNotice] = field(default_factory=list)


def deliver_due(
    vault: Vault,
    client_for: Callable[[str], RelayClient],
    *,
    now: float,
    rng: Rng,
    limit: int = 500,
    sink: Sink | None = None,
) -> DeliveryReport:
    """Post every due item once (bounded by `limit`); record each outcome durably."""
    report = DeliveryReport()
    due = vault.read(lambda conn: voutbox.due(conn, now=now, limit=limit))
    unreachable: set[str] = set()
    for item in due:
        if item.relay in unreachable:  # do not hammer a relay that is down in this round
            continue
        attempts = item.attempts + 1
        _mark(vault, item, transition(QUEUED, SENT), attempts)
        try:
            envelope = Envelope.from_bytes(item.envelope)
            ack = client_for(item.relay).post(item.envelope)
        except EpochConflict as exc:
            try:
                newer = fetch_new(
                    vault, client_for(item.relay), item.relay, envelope.mailbox, now=now, sink=sink
                )
            except TransportError:
                newer = []  # the caller fetches again before re-staging
            _finish(vault, item.id, CONFLICTED, attempts, now, "epoch_conflict")
            report.conflicts.append(
                ConflictNotice(item.id, envelope.id, item.relay, exc.epoch, tuple(newer))
            )
            continue
        except EnvelopeError:
            _finish(vault, item.id, REFUSED, attempts, now, "bad_envelope")
            report.failed += 1
            continue
        except TransportError as exc:
            if exc.retryable:
                _finish(vault, item.id, RETRY, attempts, now + backoff(attempts, rng), _slug(exc))
                report.retrying += 1
                if not isinstance(exc, RelayRefused):
                    unreachable.add(item.relay)
            else:
                _finish(vault, item.id, REFUSED, attempts, now, _slug(exc))
                report.failed += 1
            continue
        _finish(vault, item.id, ACCEPTED, attempts, now, None)
        report.sent += 1
        if envelope.kind is Kind.COMMIT and ack.epoch is not None:
            report.accepted_commits.append((envelope.id, ack.epoch))
    return report


def _mark(vault: Vault, item: voutbox.OutboxItem, state: str, attempts: int) -> None:
    def run(conn: Connection) -> None:
        voutbox.mark(
            conn,
            item.id,
            state=state,
            attempts=attempts,
            next_attempt_at=item.next_attempt_at,
            last_error=item.last_error,
        )

    vault.write(run)


def _slug(exc: TransportError) -> str:
    return exc.error if isinstance(exc, RelayRefused) else type(exc).__name__


def _finish(
    vault: Vault, item_id: int, event: str, attempts: int, next_at: float, error: str | None
) -> None:
    vault.write(
        lambda conn: voutbox.mark(
            conn,
            item_id,
            state=transition(IN_FLIGHT, event),
            attempts=attempts,
            next_attempt_at=next_at,
            last_error=error,
        )
    )


# ------------------------------------------------------------------------------- reading


def fetch_new(
    vault: Vault,
    client: RelayClient,
    relay: str,
    mailbox: bytes,
    *,
    now: float,
    sink: Sink | None = None,
    limit: int = 500,
    max_pages: int = 100,
    wait: float = 0.0,
) -> list[Envelope]:
    """Read `mailbox` on `relay` past the stored cursor; return the envelopes not seen before.

    With a `sink`, each new envelope is handed to it inside the same transaction that
    advances the cursor and marks it seen, so nothing is lost or handed over twice.
    Without one (nothing can process envelopes yet) the cursor is left where it was.
    Envelopes for another mailbox or that do not decode are dropped (a hostile relay).
    """
    after = vault.read(lambda conn: vcursors.get_cursor(conn, relay, mailbox))
    new: list[Envelope] = []
    for _ in range(max_pages):
        page = client.fetch(mailbox, after=after, limit=limit, wait=wait if not new else 0.0)
        batch = [e for e in (_decode(raw) for raw in page.envelopes) if e and e.mailbox == mailbox]

        def record(
            conn: Connection, batch: list[Envelope] = batch, cursor: str = page.cursor
        ) -> list[Envelope]:
            fresh = [e for e in batch if vcursors.mark_seen(conn, e.id, now)]
            for envelope in fresh:
                sink(conn, envelope)  # type: ignore[misc]
            vcursors.set_cursor(conn, relay, mailbox, cursor)
            return fresh

        if sink is not None:
            new.extend(vault.write(record))
        else:
            new.extend(batch)
        after = page.cursor
        if not page.more:
            break
    return new


def _decode(raw: bytes) -> Envelope | None:
    try:
        return Envelope.from_bytes(raw)
    except EnvelopeError:
        return None
