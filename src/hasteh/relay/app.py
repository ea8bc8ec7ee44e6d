"""The relay's HTTP face (Starlette). Routes, limits and errors; storage lives elsewhere.

    GET  /healthz          liveness and database check
    GET  /openapi.json     the API description (relay.openapi)
    POST /v1/envelopes     body: one envelope (application/octet-stream), write headers
    POST /v1/fetch         JSON {mailbox, after, limit, wait, key, tag}: envelopes after a
                           cursor, streamed and capped in bytes
    POST /v1/rendezvous/open, /post, /read
                           short-lived slots for spoken-code invitations (relay.rendezvous),
                           in memory only, size-capped and rate-limited apart

Every refusal is a 4xx JSON body `{"error": slug, "detail": text}`. Nothing here logs or
returns an IP address or a mailbox id; the log holds counts only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, TypeVar

import anyio.to_thread
import msgspec
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hasteh.envelope import (
    MAX_ENVELOPE_SIZE,
    Envelope,
    EnvelopeError,
    Kind,
    WriteAuthError,
    claimed_mailbox,
    envelope_id,
    fetch_tag,
    mailbox_hash,
    parse_write_headers,
)
from hasteh.relay.errors import ConfigError, StorageError
from hasteh.relay.openapi import SCHEMA
from hasteh.relay.rendezvous import Rendezvous, RendezvousRefused
from hasteh.relay.storage import (
    MAX_EPOCH,
    Accepted,
    AlreadyClaimed,
    BudgetExhausted,
    Denied,
    Fetched,
    Limits,
    MailboxFull,
    NotAllowed,
    PostItem,
    Record,
    RelayFull,
    Storage,
    restore,
    stored_form,
)
from hasteh.relay.writer import Writer

log = logging.getLogger("hasteh.relay")
T = TypeVar("T")

DAY = 86400.0
#: The fixed part of a fetch answer beyond its envelopes and stamps, generously counted.
_ANSWER_FRAME = 160
#: What one envelope adds to an answer besides its base64: quotes, commas, stamp and seq.
_PER_ENVELOPE = 40
#: Room for one largest envelope in base64, so a fetch always makes progress.
MIN_FETCH_BYTES = _ANSWER_FRAME + _PER_ENVELOPE + 4 * (MAX_ENVELOPE_SIZE + 2) // 3


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """Operator settings (docs/operations/relay.md). Sizes in bytes, times in seconds."""

    retention: float = 30 * DAY
    sweep_interval: float = 3600.0
    max_envelope_bytes: int = MAX_ENVELOPE_SIZE
    max_mailbox_bytes: int = 256 * 1024 * 1024
    rate_per_second: float = 200.0
    rate_burst: int = 400
    max_fetch: int = 1000
    max_wait: float = 30.0
    body_timeout: float = 10.0
    stats_interval: float = 300.0
    max_keys_per_epoch: int = 16
    commit_grace: float = 7 * DAY
    key_retention: float = 60 * DAY
    key_bytes_per_day: int = 64 * 1024 * 1024
    key_commits_per_day: int = 256
    max_total_bytes: int = 20 * 1024**3
    max_fetch_bytes: int = 4 * 1024 * 1024
    #: Rendezvous slots (spoken-code invitations): lifetime, how many at once, and a
    #: per-connection request rate of their own (a guesser must not crowd out cells).
    rendezvous_ttl: float = 900.0
    rendezvous_slots: int = 2000
    rendezvous_rate: float = 5.0
    rendezvous_burst: int = 30

    def __post_init__(self) -> None:
        if self.max_fetch_bytes < MIN_FETCH_BYTES:
            raise ConfigError("fetch-limit-too-small", minimum=MIN_FETCH_BYTES)

    @property
    def limits(self) -> Limits:
        return Limits(
            max_mailbox_bytes=self.max_mailbox_bytes,
            max_keys_per_epoch=self.max_keys_per_epoch,
            commit_grace=self.commit_grace,
            key_bytes_per_day=self.key_bytes_per_day,
            key_commits_per_day=self.key_commits_per_day,
            max_total_bytes=self.max_total_bytes,
        )


class FetchRequest(msgspec.Struct, forbid_unknown_fields=True):
    mailbox: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]
    after: Annotated[str, msgspec.Meta(pattern="^[0-9]{1,18}$")] = "0"
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100
    wait: Annotated[float, msgspec.Meta(ge=0, le=30)] = 0.0
    key: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32}$")] | None = None
    tag: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32}$")] | None = None


_fetch_decoder = msgspec.json.Decoder(FetchRequest)

_encoder = msgspec.json.Encoder()


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _encoder.encode(content)


def refuse(status: int, error: str, detail: str, **extra: Any) -> JSON:
    return JSON({"error": error, "detail": detail, **extra}, status_code=status)


def decode_fetch(body: bytes) -> FetchRequest | JSON:
    """The fetch request, or the 4xx for it. msgspec reports invalid UTF-8 as a plain
    ValueError (UnicodeDecodeError), which must be a refusal like any other bad JSON."""
    try:
        return _fetch_decoder.decode(body)
    except msgspec.ValidationError as exc:
        return refuse(422, "bad_request", str(exc))
    except (msgspec.DecodeError, ValueError):
        return refuse(400, "bad_json", "the body is not valid UTF-8 JSON")


_SlotNumber = Annotated[int, msgspec.Meta(ge=1, le=99_999_999)]
_SideName = Annotated[str, msgspec.Meta(pattern="^[ab]$")]
_Index = Annotated[int, msgspec.Meta(ge=0, le=16)]


class RendezvousPost(msgspec.Struct, forbid_unknown_fields=True):
    slot: _SlotNumber
    side: _SideName
    index: _Index
    message: bytes


class RendezvousRead(msgspec.Struct, forbid_unknown_fields=True):
    slot: _SlotNumber
    side: _SideName
    after: _Index = 0
    wait: Annotated[float, msgspec.Meta(ge=0, le=30)] = 0.0


#: A rendezvous post carries one message (at most 24 KiB) in base64 and a little JSON.
RENDEZVOUS_BODY: Final = 40 * 1024


def decode_json(body: bytes, kind: type[T]) -> T | JSON:
    """A JSON request body as `kind`, or the 4xx for it (as `decode_fetch`)."""
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        return refuse(422, "bad_request", str(exc))
    except (msgspec.DecodeError, ValueError):
        return refuse(400, "bad_json", "the body is not valid UTF-8 JSON")


#: A streamed answer is sent in pieces of about this size (one ASGI message per piece).
_STREAM_PIECE = 32 * 1024


def encode_page(records: list[Record], mailbox: bytes, tail: dict[str, Any]) -> Iterator[bytes]:
    """The fetch answer, encoded one envelope at a time: `records` already fit the byte cap,
    and beyond them only one envelope's base64 and a piece of at most 32 KiB waiting to be
    sent exist at a time (a piece per envelope would cost one socket write each)."""
    piece = bytearray(b'{"envelopes":[')
    group: list[bytes] = []
    size, first = 0, True
    for record in records:
        # msgspec encodes a few envelopes at once (in C); one envelope alone may be large.
        group.append(restore(record.data, mailbox))
        size += len(record.data)
        if size >= _STREAM_PIECE * 3 // 4:
            piece += (b"" if first else b",") + _encoder.encode(group)[1:-1]
            group, size, first = [], 0, False
            yield bytes(piece)
            piece.clear()
    if group:
        piece += (b"" if first else b",") + _encoder.encode(group)[1:-1]
    if piece:
        yield bytes(piece)
    yield b'],"stamps":' + _encoder.encode([r.stamp for r in records])
    yield b',"seqs":' + _encoder.encode([r.seq for r in records])
    yield b"," + _encoder.encode(tail)[1:]


async def _pieces(pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    """On the event loop: Starlette would hop to a worker thread for each piece of a plain
    iterator."""
    for piece in pieces:
        yield piece


def page_answer(
    records: list[Record], mailbox: bytes, tail: dict[str, Any], size: int | None = None
) -> Response:
    """A small answer (at most two pieces) in one body; a larger one streamed, so that a
    108-byte request never makes the relay build megabytes in memory. `size` is the
    records' encoded size when the caller counted it already (`_fit`)."""
    pieces = encode_page(records, mailbox, tail)
    if size is None:
        size = _encoded_size(records)
    if size <= 2 * _STREAM_PIECE:
        return Response(b"".join(pieces), media_type="application/json")
    return StreamingResponse(_pieces(pieces), media_type="application/json")


def post_answer(result: Accepted, item: PostItem, *, has_next_key: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": item.envelope_id.hex(),
        "cursor": str(result.seq),
        "stamp": result.stamp,
    }
    if item.is_commit:
        answer["epoch"] = item.epoch + 1
        answer["earlier_commits"] = result.earlier_commits
        if has_next_key:
            answer["key_registered"] = bool(result.key_registered)
    return answer


@dataclass(slots=True)
class TokenBuckets:
    """Per-connection rate limit. Keys live in memory only and are never logged."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[object, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: object) -> bool:
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > 100_000:
            self.forget_idle()
        return True

    def forget_idle(self) -> None:
        now = self.clock()
        horizon = self.burst / self.rate if self.rate > 0 else 60.0
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < horizon}


@dataclass(slots=True)
class Counters:
    posted: int = 0
    duplicates_or_accepted: int = 0
    conflicts: int = 0
    fetched: int = 0
    refused: int = 0


class Waiters:
    """Long-poll wake-ups, keyed by mailbox hash; lives on the event loop thread."""

    def __init__(self) -> None:
        self._events: dict[bytes, tuple[asyncio.Event, int]] = {}

    def acquire(self, key: bytes) -> asyncio.Event:
        ev, users = self._events.get(key) or (asyncio.Event(), 0)
        self._events[key] = (ev, users + 1)
        return ev

    def release(self, key: bytes, ev: asyncio.Event) -> None:
        entry = self._events.get(key)
        if entry is not None and entry[0] is ev:
            if entry[1] <= 1:
                del self._events[key]
            else:
                self._events[key] = (ev, entry[1] - 1)

    def notify(self, keys: set[bytes]) -> None:
        for key in keys:
            entry = self._events.pop(key, None)
            if entry is not None:
                entry[0].set()

    def __len__(self) -> int:
        return len(self._events)


def _encoded_size(records: list[Record]) -> int:
    """The answer bytes of `records`' base64 and framing."""
    return sum(4 * ((len(r.data) + 2) // 3) + _PER_ENVELOPE for r in records)


def _fit(records: list[Record], cap: int) -> tuple[list[Record], int]:
    """The records whose base64 and framing fit in `cap` answer bytes (at least one),
    and their encoded size.

    Storage already cut the page by stored size; this counts the encoding exactly. When
    all fit (the usual case: storage's cut is stricter), the list is returned as it is."""
    used = 0
    for index, record in enumerate(records):
        cost = 4 * ((len(record.data) + 2) // 3) + _PER_ENVELOPE
        if index and used + cost > cap:
            return records[:index], used
        used += cost
    return records, used


_RENDEZVOUS_DETAIL: Final = {
    "no_slot": "no such slot: it expired or was never opened",
    "taken": "this message of the slot was already written with other bytes",
    "out_of_order": "write the messages of a side in order",
    "too_large": "a rendezvous message is at most 24 KiB",
    "bad_request": "no such side or index",
}


def _slot_key(number: int, side: str) -> bytes:
    """The long-poll key of one side of a slot (apart from mailbox hashes: 32 bytes)."""
    return b"rv:" + str(number).encode() + side.encode()


class _BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """Read at most `limit` bytes within `timeout` seconds, or raise."""
    declared = request.headers.get("content-length")
    if declared is not None and (
        not (declared.isascii() and declared.isdigit() and len(declared) <= 18)
        or int(declared) > limit
    ):
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async with asyncio.timeout(timeout):
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _BodyTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass(slots=True)
class RendezvousService:
    """The rendezvous routes (spoken-code slots, `relay.rendezvous`) and their state:
    served by every relay, and alone by `create_rendezvous_app` (a newcomer's device on
    a local network)."""

    cfg: RelayConfig
    slots: Rendezvous
    rate: TokenBuckets
    waiters: Waiters
    counters: Counters
    limited: Callable[[Request], JSON | None] = lambda request: None

    @classmethod
    def make(
        cls, cfg: RelayConfig, clock: Callable[[], float], waiters: Waiters, counters: Counters
    ) -> RendezvousService:
        slots = Rendezvous(clock=clock, randbelow=secrets.randbelow, ttl=cfg.rendezvous_ttl)
        slots.max_slots = cfg.rendezvous_slots
        rate = TokenBuckets(cfg.rendezvous_rate, cfg.rendezvous_burst)
        return cls(cfg, slots, rate, waiters, counters)

    def routes(self, limited: Callable[[Request], JSON | None]) -> list[Route]:
        self.limited = limited
        return [
            Route("/v1/rendezvous/open", self.open, methods=["POST"]),
            Route("/v1/rendezvous/post", self.post, methods=["POST"]),
            Route("/v1/rendezvous/read", self.read, methods=["POST"]),
        ]

    async def body(self, request: Request, limit: int) -> bytes | JSON:
        """The body of a rendezvous request, after both rate limits (the general one,
        then the rendezvous one: guessing slots must stay slow)."""
        if (refused := self.limited(request)) is not None:
            return refused
        client = request.scope.get("client")
        if not self.rate.allow(tuple(client) if client else None):
            self.counters.refused += 1
            return refuse(429, "rate_limited", "too many rendezvous requests; slow down")
        try:
            return await read_body(request, limit, self.cfg.body_timeout)
        except _BodyTooLarge:
            return refuse(413, "too_large", f"a rendezvous request is at most {limit} bytes")
        except TimeoutError:
            return refuse(408, "body_timeout", "the request body arrived too slowly")

    async def open(self, request: Request) -> Response:
        body = await self.body(request, 64)
        if isinstance(body, JSON):
            return body
        try:
            number, expires = self.slots.open()
        except RendezvousRefused as exc:
            return refuse(exc.status, exc.slug, "no slot is free; try again in a few minutes")
        return JSON({"slot": number, "expires": int(expires)})

    async def post(self, request: Request) -> Response:
        body = await self.body(request, RENDEZVOUS_BODY)
        if isinstance(body, JSON):
            return body
        req = decode_json(body, RendezvousPost)
        if isinstance(req, JSON):
            return req
        try:
            self.slots.post(req.slot, req.side, req.index, req.message)
        except RendezvousRefused as exc:
            return refuse(exc.status, exc.slug, _RENDEZVOUS_DETAIL.get(exc.slug, exc.slug))
        self.waiters.notify({_slot_key(req.slot, req.side)})
        return JSON({"ok": True})

    async def read(self, request: Request) -> Response:
        body = await self.body(request, 256)
        if isinstance(body, JSON):
            return body
        req = decode_json(body, RendezvousRead)
        if isinstance(req, JSON):
            return req
        key = _slot_key(req.slot, req.side)
        deadline = time.monotonic() + min(req.wait, self.cfg.max_wait)
        while True:
            event = self.waiters.acquire(key)
            try:
                try:
                    messages, expires = self.slots.read(req.slot, req.side, req.after)
                except RendezvousRefused as exc:
                    return refuse(exc.status, exc.slug, _RENDEZVOUS_DETAIL.get(exc.slug, exc.slug))
                remaining = deadline - time.monotonic()
                if messages or remaining <= 0:
                    return JSON({"messages": messages, "expires": int(expires)})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout=min(remaining, 1.0))
            finally:
                self.waiters.release(key, event)


def create_rendezvous_app(
    config: RelayConfig | None = None, *, clock: Callable[[], float] = time.time
) -> Starlette:
    """A relay that only holds rendezvous slots (no storage, no mailboxes): what a
    newcomer's device serves on a local network for a spoken code (`hasteh code --lan`)."""
    cfg = config or RelayConfig()
    meeting = RendezvousService.make(cfg, clock, Waiters(), Counters())

    async def healthz(request: Request) -> Response:
        return JSON({"status": "ok"})

    app = Starlette(
        routes=[Route("/healthz", healthz, methods=["GET"]), *meeting.routes(lambda r: None)]
    )
    app.state.rendezvous = meeting.slots
    return app


def create_app(
    storage: Storage, config: RelayConfig | None = None, *, clock: Callable[[], float] = time.time
) -> Starlette:
    """Build the relay ASGI app over `storage`. The writer thread starts with the app."""
    cfg = config or RelayConfig()
    waiters = Waiters()
    counters = Counters()
    rate = TokenBuckets(cfg.rate_per_second, cfg.rate_burst)
    meeting = RendezvousService.make(cfg, clock, waiters, counters)
    state: dict[str, Any] = {}

    def on_commit(keys: set[bytes]) -> None:
        loop: asyncio.AbstractEventLoop | None = state.get("loop")
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(waiters.notify, keys)

    writer = Writer(storage, limits=cfg.limits, on_commit=on_commit, clock=clock)

    def limited(request: Request) -> JSON | None:
        client = request.scope.get("client")
        if not rate.allow(tuple(client) if client else None):
            counters.refused += 1
            return refuse(429, "rate_limited", "too many requests on this connection; slow down")
        return None

    async def post_envelope(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        try:
            body = await read_body(request, cfg.max_envelope_bytes, cfg.body_timeout)
        except _BodyTooLarge:
            counters.refused += 1
            return refuse(
                413, "too_large", f"an envelope is at most {cfg.max_envelope_bytes} bytes"
            )
        except TimeoutError:
            counters.refused += 1
            return refuse(408, "body_timeout", "the request body arrived too slowly")
        try:
            env = Envelope.from_bytes(body)
        except EnvelopeError as exc:
            counters.refused += 1
            return refuse(400, "bad_envelope", str(exc))
        if env.kind is Kind.COMMIT and env.epoch > MAX_EPOCH:
            counters.refused += 1
            return refuse(400, "bad_envelope", "bad-epoch: epoch too large for this relay")
        try:
            auth = parse_write_headers(request.headers)
        except WriteAuthError as exc:
            counters.refused += 1
            return refuse(400, "bad_write_auth", str(exc))
        if env.kind is not Kind.COMMIT and (auth.next_key is not None or auth.retire):
            counters.refused += 1
            return refuse(
                400, "bad_write_auth", "Hasteh-Next-Key and Hasteh-Retire go on commits only"
            )
        if auth.claim is not None and claimed_mailbox(auth.claim) != env.mailbox:
            counters.refused += 1
            return refuse(400, "bad_claim", "Hasteh-Claim does not hash to this mailbox id")
        item = PostItem(
            mailbox_hash=mailbox_hash(env.mailbox),
            envelope_id=envelope_id(body),  # the strict decoder re-encodes to `body` exactly
            is_commit=env.kind is Kind.COMMIT,
            epoch=env.epoch,
            stored=stored_form(body),
            auth=auth,
        )
        try:
            result = await writer.post(item)
        except StorageError:
            return refuse(503, "unavailable", "storage is failing; try again later")
        if not isinstance(result, Accepted):
            counters.refused += 1
        match result:
            case Accepted():
                counters.posted += 1
                if item.is_commit and result.earlier_commits:
                    counters.conflicts += 1
                return JSON(post_answer(result, item, has_next_key=auth.next_key is not None))
            case NotAllowed(detail=detail):
                return refuse(403, "not_allowed", detail)
            case AlreadyClaimed():
                return refuse(
                    409, "already_claimed", "the mailbox has keys: post with a registered key"
                )
            case BudgetExhausted(retry_after=wait, what=what):
                return refuse(
                    429,
                    "budget_exhausted",
                    f"this write key has used its daily {what} budget; retry later",
                    retry_after=wait,
                )
            case RelayFull():
                return refuse(507, "relay_full", "the relay is full; try another relay")
            case MailboxFull():
                return refuse(403, "mailbox_full", "the mailbox has reached its size quota")
        raise AssertionError("unreachable")  # pragma: no cover

    async def fetch(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        try:
            body = await read_body(request, 4096, cfg.body_timeout)
        except _BodyTooLarge:
            return refuse(413, "too_large", "a fetch request is at most 4096 bytes")
        except TimeoutError:
            return refuse(408, "body_timeout", "the request body arrived too slowly")
        req = decode_fetch(body)
        if isinstance(req, JSON):
            counters.refused += 1
            return req
        mailbox = bytes.fromhex(req.mailbox)
        key = mailbox_hash(mailbox)
        after = int(req.after)
        limit = min(req.limit, cfg.max_fetch)
        key_id = None if req.key is None else bytes.fromhex(req.key)
        tag = b"" if req.tag is None else bytes.fromhex(req.tag)

        def check(write_key: bytes) -> bool:
            return hmac.compare_digest(fetch_tag(write_key, mailbox), tag)

        # Stored bytes grow by a third in base64; the frame and stamps are counted apart.
        max_stored = (cfg.max_fetch_bytes - _ANSWER_FRAME) * 3 // 4

        def read() -> Fetched | Denied:
            return storage.fetch(
                key, after=after, limit=limit, key_id=key_id, check=check, max_bytes=max_stored
            )

        deadline = time.monotonic() + min(req.wait, cfg.max_wait)
        try:
            while True:
                event = waiters.acquire(key)
                try:
                    got = await anyio.to_thread.run_sync(read)
                    remaining = deadline - time.monotonic()
                    if isinstance(got, Denied) or got.records or remaining <= 0:
                        break
                    # Another relay process may share the database: re-check every second.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(event.wait(), timeout=min(remaining, 1.0))
                finally:
                    waiters.release(key, event)
        except StorageError:
            return refuse(503, "unavailable", "storage is failing; try again later")
        if isinstance(got, Denied):
            counters.refused += 1
            return refuse(403, "not_allowed", got.detail)
        records, size = _fit(got.records, cfg.max_fetch_bytes - _ANSWER_FRAME)
        counters.fetched += len(records)
        cursor = str(records[-1].seq) if records else str(int(req.after))
        more = got.more or len(records) < len(got.records)
        tail = {"cursor": cursor, "epoch": got.epoch, "more": more}
        return page_answer(records, mailbox, tail, size)

    async def healthz(request: Request) -> Response:
        try:
            await anyio.to_thread.run_sync(storage.ping)
        except Exception:
            return refuse(503, "unavailable", "storage is not answering")
        return JSON({"status": "ok"})

    async def openapi(request: Request) -> Response:
        return JSON(SCHEMA)

    async def sweeper() -> None:
        while True:  # at start, then every sweep_interval
            try:
                removed = await anyio.to_thread.run_sync(
                    lambda: storage.sweep(
                        before=clock() - cfg.retention, keys_before=clock() - cfg.key_retention
                    )
                )
                log.info("retention sweep removed %d envelopes", removed)
            except Exception:
                log.error("retention sweep failed")
            await asyncio.sleep(cfg.sweep_interval)

    async def stats() -> None:
        while True:
            await asyncio.sleep(cfg.stats_interval)
            log.info(
                "posted=%d conflicts=%d fetched=%d refused=%d batches=%d",
                counters.posted,
                counters.conflicts,
                counters.fetched,
                counters.refused,
                writer.batches,
            )
            rate.forget_idle()
            meeting.rate.forget_idle()
            meeting.slots.sweep()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["loop"] = asyncio.get_running_loop()
        writer.start()
        tasks = [asyncio.create_task(sweeper()), asyncio.create_task(stats())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await anyio.to_thread.run_sync(writer.stop)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 400)
        counters.refused += 1
        slug = {404: "not_found", 405: "method_not_allowed"}.get(status, "bad_request")
        return refuse(status, slug, str(getattr(exc, "detail", "")) or slug)

    app = Starlette(
        exception_handlers={HTTPException: http_error},
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            Route("/v1/envelopes", post_envelope, methods=["POST"]),
            Route("/v1/fetch", fetch, methods=["POST"]),
            *meeting.routes(limited),
        ],
        lifespan=lifespan,
    )
    app.state.counters = counters
    app.state.writer = writer
    app.state.rendezvous = meeting.slots
    return app
