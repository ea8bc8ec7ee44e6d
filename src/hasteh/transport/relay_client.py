"""The relay client: HTTP (httpx), optionally through Tor (`proxy="socks5h://127.0.0.1:9050"`).

`socks5h` makes the proxy resolve host names, so an onion address never touches local DNS.
A `socks5://` proxy is used as `socks5h://` (names resolved by the proxy, as Tor always
can), and an `.onion` relay without a SOCKS proxy is refused before any connection: asking
the local resolver for an onion name would tell the censor's DNS which relay this computer
looks for.
Lower-layer errors are mapped at this edge to the `TransportError` tree; every answer is
decoded through `decode_answer`, so a hostile relay's bytes can only ever raise a
`TransportError` for that relay, never crash a sync of the others.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

import httpx
import msgspec

from hasteh.envelope import WriteAuth, envelope_id
from hasteh.transport.errors import (
    EpochConflict,
    RelayMisbehaved,
    RelayRefused,
    RelayUnavailable,
    RelayUnreachable,
)

T = TypeVar("T")

#: The most of a relay's answer this client reads: a fetch page is at most the relay's
#: `max_fetch_bytes` (4 MiB by default, base64 included); 64 MiB leaves room for relays
#: configured larger, and stops a relay that streams without end.
MAX_ANSWER_BYTES = 64 * 1024 * 1024


def _capped(response: httpx.Response) -> bytes:
    """The streamed body, or `RelayMisbehaved` as soon as it passes `MAX_ANSWER_BYTES`."""
    limit = MAX_ANSWER_BYTES
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise RelayMisbehaved("answer too large")
    return bytes(body)


@dataclass(frozen=True, slots=True)
class PostAck:
    id: bytes
    cursor: str
    epoch: int | None
    stamp: int | None = None
    #: Other commits for the same epoch the relay already held (members take the first
    #: valid one; a sender with earlier commits fetches before it merges its own).
    earlier_commits: int = 0
    #: For a commit with a next key: whether the relay registered it.
    key_registered: bool | None = None


@dataclass(frozen=True, slots=True)
class Page:
    envelopes: list[bytes]
    cursor: str
    epoch: int | None
    more: bool
    #: The relay's receive time of each envelope (whole unix seconds), aligned with them.
    stamps: list[int] | None = None
    #: Each envelope's place in the relay's order of the mailbox (its cursor).
    seqs: list[int] | None = None


class _Ack(msgspec.Struct):
    id: str
    cursor: str
    epoch: int | None = None
    stamp: int | None = None
    earlier_commits: int = 0
    key_registered: bool | None = None


class _Page(msgspec.Struct):
    envelopes: list[bytes]
    cursor: str
    epoch: int | None
    more: bool
    stamps: list[int] | None = None
    seqs: list[int] | None = None


class _Slot(msgspec.Struct):
    slot: int
    expires: int


class _Messages(msgspec.Struct):
    messages: list[bytes]
    expires: int


@dataclass(frozen=True, slots=True)
class RendezvousSlot:
    """A rendezvous slot the relay opened: its number and when it expires (unix s)."""

    number: int
    expires: int


class _Refusal(msgspec.Struct):
    error: str
    detail: str = ""
    epoch: int | None = None
    retry_after: int | None = None


def _parses(url: str) -> bool:
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    return True


def decode_answer(data: bytes, kind: type[T], what: str) -> T:
    """Decode a relay's JSON answer into `kind`, or raise `RelayMisbehaved(what)`.

    msgspec reports bad JSON as DecodeError, a wrong shape as ValidationError, and invalid
    UTF-8 as a bare UnicodeDecodeError (a ValueError): all of them are the relay's fault."""
    try:
        return msgspec.json.decode(data, type=kind)
    except (msgspec.MsgspecError, ValueError):
        raise RelayMisbehaved(what) from None


def _tls_context(url: str, proxy: str | None) -> ssl.SSLContext | None:
    """The TLS context of a client that never speaks TLS: a plain-HTTP relay (an onion
    relay through Tor's SOCKS port, a loopback or LAN relay) reached directly or through
    SOCKS, with redirects never followed. httpx would otherwise load the system's whole
    CA store for it (about 20 ms of CPU per relay per sync, for nothing). This context
    verifies certificates and host names but trusts no authority, so if anything ever
    made this client start TLS the handshake would fail closed. None: the default
    (verified against the system's CAs), for https relays and any other proxy."""
    if not url.startswith("http://"):
        return None
    if proxy is not None and not proxy.startswith("socks5h://"):
        return None
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname, no CAs


class RelayClient:
    """One relay. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        url: str,
        *,
        proxy: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        if proxy is not None and proxy.startswith("socks5://"):
            proxy = "socks5h://" + proxy.removeprefix("socks5://")
        host = (httpx.URL(self.url).host if _parses(self.url) else "").rstrip(".")
        #: An onion relay that this client would look up in the local DNS: never contacted.
        self._leaks_name = host.endswith(".onion") and not (proxy or "").startswith("socks5h://")
        self.tls = _tls_context(self.url, proxy)
        self._http = httpx.Client(
            base_url=self.url,
            proxy=proxy,
            verify=True if self.tls is None else self.tls,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
            transport=transport,
            headers={"user-agent": "hasteh"},
            follow_redirects=False,
            trust_env=False,
        )

    def __enter__(self) -> RelayClient:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _request(self, path: str, **kwargs: object) -> bytes:
        """POST to the relay; its answer's body, read no further than `MAX_ANSWER_BYTES`
        (a hostile relay could otherwise stream without end into this device's memory)."""
        if self._leaks_name:
            raise RelayUnreachable()
        try:
            with self._http.stream("POST", path, **kwargs) as response:  # type: ignore[arg-type]
                status = response.status_code
                content = _capped(response)
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise RelayUnreachable() from exc
        if status >= 500 and status != 507:
            raise RelayUnavailable(status)
        if status >= 400:
            try:
                refusal = decode_answer(content, _Refusal, "refusal")
            except RelayMisbehaved:
                raise RelayRefused(status, "unknown") from None
            if status == 409 and refusal.error == "epoch_conflict":
                raise EpochConflict(refusal.epoch)
            raise RelayRefused(status, refusal.error, refusal.detail, refusal.retry_after)
        if status != 200:
            raise RelayMisbehaved(f"status {status}")
        return content

    def health(self, *, timeout: float = 15.0) -> None:
        """Whether the relay answers (``GET /healthz``) within `timeout` seconds: returns,
        or raises `RelayUnreachable` / `RelayUnavailable`. Sends nothing about any
        mailbox. (A probe waits less than a fetch: the ladder asks every relay in turn.)"""
        try:
            with self._http.stream("GET", "/healthz", timeout=timeout) as response:
                status = response.status_code  # the body is never read
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise RelayUnreachable() from exc
        if status != 200:
            raise RelayUnavailable(status)

    def post(self, envelope: bytes, auth: WriteAuth) -> PostAck:
        """Post one envelope authorized by `auth`; the same envelope again gets the same
        answer."""
        headers = {"content-type": "application/octet-stream"}
        headers.update(auth.headers(envelope_id(envelope)))
        answer = self._request("/v1/envelopes", content=envelope, headers=headers)
        ack = decode_answer(answer, _Ack, "post answer")
        try:
            ident = bytes.fromhex(ack.id)
        except ValueError:
            raise RelayMisbehaved("post answer") from None
        return PostAck(
            ident, ack.cursor, ack.epoch, ack.stamp, ack.earlier_commits, ack.key_registered
        )

    def fetch(
        self,
        mailbox: bytes,
        *,
        after: str | None = None,
        limit: int = 1000,
        wait: float = 0.0,
        auth: WriteAuth | None = None,
    ) -> Page:
        """Envelopes of `mailbox` after `after`, oldest first (long-polls up to `wait` s).

        A claimed mailbox is read only with `auth` (a current or recently retired key)."""
        body: dict[str, object] = {
            "mailbox": mailbox.hex(),
            "after": after or "0",
            "limit": limit,
            "wait": wait,
        }
        if auth is not None:
            body.update(auth.fetch_fields(mailbox))
        page = decode_answer(self._request("/v1/fetch", json=body), _Page, "fetch answer")
        if not (page.cursor.isascii() and page.cursor.isdigit()):
            raise RelayMisbehaved("cursor")
        for aligned in (page.stamps, page.seqs):
            if aligned is not None and len(aligned) != len(page.envelopes):
                raise RelayMisbehaved("stamps")
        return Page(page.envelopes, page.cursor, page.epoch, page.more, page.stamps, page.seqs)

    # --- rendezvous slots (spoken-code invitations; docs/protocol.md, "Rendezvous") ---

    def rendezvous_open(self) -> RendezvousSlot:
        """Open a fresh slot; the relay picks its number."""
        answer = decode_answer(
            self._request("/v1/rendezvous/open", json={}), _Slot, "rendezvous answer"
        )
        if not 1 <= answer.slot <= 99_999_999:
            raise RelayMisbehaved("rendezvous answer")
        return RendezvousSlot(answer.slot, answer.expires)

    def rendezvous_post(self, slot: int, side: str, index: int, message: bytes) -> None:
        """Write message `index` of `side` (``taken`` if other bytes are there)."""
        body = {"slot": slot, "side": side, "index": index, "message": message}
        self._request(
            "/v1/rendezvous/post",
            content=msgspec.json.encode(body),
            headers={"content-type": "application/json"},
        )

    def rendezvous_read(
        self, slot: int, side: str, *, after: int = 0, wait: float = 0.0
    ) -> tuple[list[bytes], int]:
        """Messages of `side` from index `after` (long-polls up to `wait` s), and expiry."""
        body = {"slot": slot, "side": side, "after": after, "wait": wait}
        answer = decode_answer(
            self._request("/v1/rendezvous/read", json=body), _Messages, "rendezvous answer"
        )
        if len(answer.messages) > 16:
            raise RelayMisbehaved("rendezvous answer")
        return answer.messages, answer.expires
