"""The durable outbox: delivery of queued envelopes to relays, and reading mailboxes.

Storage is `hasteh.vault.outbox` (one row per envelope and relay); this module holds the
delivery rules. Every transition is in `OUTBOX` below and nowhere else:

    QUEUED     --Sent-->        IN_FLIGHT
    IN_FLIGHT  --Accepted-->    DONE
    IN_FLIGHT  --Retry-->       QUEUED      (unreachable, 5xx, 408, 429, a full mailbox or
                                             relay: back off, try again)
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
from typing import TYPE_CHECKING, Final

import msgspec

from hasteh.envelope import Envelope, EnvelopeError, Kind, WriteAuth, WriteAuthError
from hasteh.transport.errors import (
    NOT_ALLOWED,
    TEMPORARY_REFUSALS,
    EpochConflict,
    RelayRefused,
    TransportError,
)
from hasteh.vault import Connection, Vault
from hasteh.vault import cursors as vcursors
from hasteh.vault import outbox as voutbox

if TYPE_CHECKING:
    # Only annotations: the outbox is handed clients, so loading it (the app does, to read
    # messages) does not load httpx.
    from hasteh.transport.relay_client import Page, RelayClient

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


class Arrival(msgspec.Struct, frozen=True):
    """Where and when an envelope arrived: `relay` and `cursor` (its place in that relay's
    order of the mailbox) and `stamp`, the relay's receive time in whole unix seconds.
    A courier import has no relay order: `relay` is "" and `stamp` None. `fresh` is False
    when this device had the envelope already (from another relay, a bundle, or its own
    post): the sink still sees it, because the order it holds in the relay matters.
    (A Struct, not a dataclass: a catch-up makes one per envelope, in a sixth of the time.)"""

    relay: str
    cursor: int
    stamp: int | None
    fresh: bool = True


#: Envelopes asked for per fetch: the relay's largest page (`relay.app.Config.max_fetch`,
#: and its byte cap cuts a page of large envelopes shorter). Each page is one vault write
#: (its commit rewrites the seen-set's and the events' index pages that the page's random
#: ids touch, then a WAL checkpoint) and one request: fewer, larger pages cost less per
#: envelope; nothing is checked less.
FETCH_PAGE: Final = 1000

Sink = Callable[[Connection, Envelope, Arrival], None]
#: The write auth for posting to a relay (one per relay URL).
AuthFor = Callable[[str], WriteAuth]
#: The key to read `mailbox` on a relay with, or None (an unclaimed mailbox).
ReadAuthFor = Callable[[str, bytes], WriteAuth | None]


class _StoredAuth(msgspec.Struct, array_like=True, frozen=True):
    version: int
    key: bytes
    next_key: bytes | None
    retire: bool
    claim: bytes | None
    claim_epoch: int


def encode_auth(auth: WriteAuth) -> bytes:
    """A WriteAuth as stored with an outbox item (and carried in courier bundles)."""
    return msgspec.msgpack.encode(
        _StoredAuth(1, auth.key, auth.next_key, auth.retire, auth.claim, auth.claim_epoch)
    )


def decode_auth(data: bytes) -> WriteAuth:
    """The inverse of `encode_auth`; `WriteAuthError` if the bytes are not one."""
    try:
        raw = msgspec.msgpack.decode(data, type=_StoredAuth)
    except (msgspec.MsgspecError, ValueError):
        raise WriteAuthError("bad-stored-auth", "not a stored write auth") from None
    if raw.version != 1:
        raise WriteAuthError("bad-stored-auth", f"unknown stored auth version {raw.version}")
    return WriteAuth(raw.key, raw.next_key, raw.retire, raw.claim, raw.claim_epoch)


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


def stage(
    conn: Connection, envelope: Envelope, relays: Sequence[str], *, now: float, auth: AuthFor
) -> list[bool]:
    """Queue `envelope` for each relay with that relay's write auth (inside the caller's
    write); False where already queued."""
    data = envelope.to_bytes()
    return [
        voutbox.enqueue(
            conn,
            envelope_id=delivery_id(envelope.id, r),
            relay=r,
            envelope=data,
            now=now,
            auth=encode_auth(auth(r)),
        )
        for r in relays
    ]


def restage(
    conn: Connection,
    item_id: int,
    replacement: Envelope,
    relays: Sequence[str],
    *,
    now: float,
    auth: AuthFor,
) -> None:
    """Replace a conflicted commit by a new one (built on the newer epoch)."""
    voutbox.remove(conn, item_id)
    stage(conn, replacement, relays, now=now, auth=auth)


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


@dataclass(frozen=True, slots=True)
class Held:
    """A delivery a relay refused for now (`budget_exhausted`, `mailbox_full`,
    `relay_full`): it stays queued and is retried; the app tells the members."""

    item_id: int
    relay: str
    error: str
    retry_after: int | None


@dataclass(frozen=True, slots=True)
class CommitAck:
    """A commit the relay stored. `earlier_commits` other commits for its epoch were stored
    before it: fetch, and merge only the first valid one in the relay's order."""

    envelope_id: bytes
    relay: str
    epoch: int | None
    earlier_commits: int
    key_registered: bool | None


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    accepted_commits: list[tuple[bytes, int]] = field(default_factory=list)
    conflicts: list[ConflictNotice] = field(default_factory=list)
    commits: list[CommitAck] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    #: (item id, relay) of deliveries whose write key the relay does not accept: this
    #: device was removed from the group, or its key is not registered there.
    not_allowed: list[tuple[int, str]] = field(default_factory=list)


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
            if item.auth is None:
                raise WriteAuthError("no-auth", "queued before write access: restage it")
            ack = client_for(item.relay).post(item.envelope, decode_auth(item.auth))
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
        except (EnvelopeError, WriteAuthError) as exc:
            reason = "bad_envelope" if isinstance(exc, EnvelopeError) else "no_write_auth"
            _finish(vault, item.id, REFUSED, attempts, now, reason)
            report.failed += 1
            continue
        except TransportError as exc:
            _failed(vault, item, attempts, exc, now, rng, report)
            if not isinstance(exc, RelayRefused) and exc.retryable:
                unreachable.add(item.relay)
            elif isinstance(exc, RelayRefused) and exc.error == "relay_full":
                unreachable.add(item.relay)
            continue
        _finish(vault, item.id, ACCEPTED, attempts, now, None)
        report.sent += 1
        if envelope.kind is Kind.COMMIT and ack.epoch is not None:
            report.accepted_commits.append((envelope.id, ack.epoch))
            report.commits.append(
                CommitAck(
                    envelope.id, item.relay, ack.epoch, ack.earlier_commits, ack.key_registered
                )
            )
    return report


def _failed(
    vault: Vault,
    item: voutbox.OutboxItem,
    attempts: int,
    exc: TransportError,
    now: float,
    rng: Rng,
    report: DeliveryReport,
) -> None:
    """Record a failed attempt: retry later (temporary), or stop until someone acts."""
    if not exc.retryable:
        _finish(vault, item.id, REFUSED, attempts, now, _slug(exc))
        report.failed += 1
        if isinstance(exc, RelayRefused) and exc.error == NOT_ALLOWED:
            report.not_allowed.append((item.id, item.relay))
        return
    delay = backoff(attempts, rng)
    if isinstance(exc, RelayRefused) and exc.error in TEMPORARY_REFUSALS:
        delay = max(delay, float(exc.retry_after or 0))
        report.held.append(Held(item.id, item.relay, exc.error, exc.retry_after))
    _finish(vault, item.id, RETRY, attempts, now + delay, _slug(exc))
    report.retrying += 1


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
    auth: ReadAuthFor | None = None,
    limit: int = FETCH_PAGE,
    max_pages: int = 100,
    wait: float = 0.0,
) -> list[Envelope]:
    """Read `mailbox` on `relay` past the stored cursor; return the envelopes not seen before.

    `auth(relay, mailbox)` gives the key to read a claimed mailbox with. With a `sink`, each
    new envelope is handed to it with its `Arrival` inside the same transaction that
    advances the cursor and marks it seen, so nothing is lost or handed over twice.
    Without one (nothing can process envelopes yet) the cursor is left where it was.
    Envelopes for another mailbox or that do not decode are dropped (a hostile relay).
    """
    after = vault.read(lambda conn: vcursors.get_cursor(conn, relay, mailbox))
    reader = auth(relay, mailbox) if auth is not None else None
    new: list[Envelope] = []
    for _ in range(max_pages):
        page = client.fetch(
            mailbox, after=after, limit=limit, wait=wait if not new else 0.0, auth=reader
        )
        batch = _arrivals(page, relay, mailbox)

        def record(
            conn: Connection,
            batch: list[tuple[Envelope, Arrival]] = batch,
            cursor: str = page.cursor,
        ) -> list[Envelope]:
            fresh = []
            news = vcursors.mark_seen_many(conn, [e.id for e, _ in batch], now)
            for (envelope, arrival), new in zip(batch, news, strict=True):
                seen = arrival if new else msgspec.structs.replace(arrival, fresh=False)
                sink(conn, envelope, seen)  # type: ignore[misc]
                if new:
                    fresh.append(envelope)
            vcursors.set_cursor(conn, relay, mailbox, cursor)
            return fresh

        if sink is not None:
            new.extend(vault.write(record))
        else:
            new.extend(e for e, _ in batch)
        after = page.cursor
        if not page.more:
            break
    return new


def _arrivals(page: Page, relay: str, mailbox: bytes) -> list[tuple[Envelope, Arrival]]:
    """The page's envelopes for `mailbox` that decode, each with where and when it arrived."""
    out: list[tuple[Envelope, Arrival]] = []
    last = int(page.cursor)
    for index, raw in enumerate(page.envelopes):
        envelope = _decode(raw)
        if envelope is None or envelope.mailbox != mailbox:
            continue
        cursor = page.seqs[index] if page.seqs is not None else last
        stamp = page.stamps[index] if page.stamps is not None else None
        out.append((envelope, Arrival(relay, cursor, stamp)))
    return out


def _decode(raw: bytes) -> Envelope | None:
    try:
        return Envelope.from_bytes(raw)
    except EnvelopeError:
        return None
