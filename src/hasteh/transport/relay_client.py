"""The relay client: HTTP (httpx), optionally through Tor (`proxy="socks5h://127.0.0.1:9050"`).

`socks5h` makes the proxy resolve host names, so an onion address never touches local DNS.
Lower-layer errors are mapped at this edge to the `TransportError` tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import httpx
import msgspec

from hasteh.transport.errors import (
    EpochConflict,
    RelayMisbehaved,
    RelayRefused,
    RelayUnavailable,
    RelayUnreachable,
)


@dataclass(frozen=True, slots=True)
class PostAck:
    id: bytes
    cursor: str
    epoch: int | None


@dataclass(frozen=True, slots=True)
class Page:
    envelopes: list[bytes]
    cursor: str
    epoch: int | None
    more: bool


class _Ack(msgspec.Struct):
    id: str
    cursor: str
    epoch: int | None = None


class _Page(msgspec.Struct):
    envelopes: list[bytes]
    cursor: str
    epoch: int | None
    more: bool


class _Refusal(msgspec.Struct):
    error: str
    detail: str = ""
    epoch: int | None = None


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
        self._http = httpx.Client(
            base_url=self.url,
            proxy=proxy,
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

    def _request(self, path: str, **kwargs: object) -> httpx.Response:
        try:
            response = self._http.post(path, **kwargs)  # type: ignore[arg-type]
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise RelayUnreachable() from exc
        if response.status_code >= 500:
            raise RelayUnavailable(response.status_code)
        if response.status_code >= 400:
            try:
                refusal = msgspec.json.decode(response.content, type=_Refusal)
            except msgspec.MsgspecError:
                raise RelayRefused(response.status_code, "unknown") from None
            if response.status_code == 409:
                raise EpochConflict(refusal.epoch)
            raise RelayRefused(response.status_code, refusal.error, refusal.detail)
        if response.status_code != 200:
            raise RelayMisbehaved(f"status {response.status_code}")
        return response

    def post(self, envelope: bytes) -> PostAck:
        """Post one envelope; the same envelope again gets the same answer."""
        response = self._request(
            "/v1/envelopes",
            content=envelope,
            headers={"content-type": "application/octet-stream"},
        )
        try:
            ack = msgspec.json.decode(response.content, type=_Ack)
            return PostAck(bytes.fromhex(ack.id), ack.cursor, ack.epoch)
        except (msgspec.MsgspecError, ValueError):
            raise RelayMisbehaved("post answer") from None

    def fetch(
        self, mailbox: bytes, *, after: str | None = None, limit: int = 500, wait: float = 0.0
    ) -> Page:
        """Envelopes of `mailbox` after `after`, oldest first (long-polls up to `wait` s)."""
        body = {"mailbox": mailbox.hex(), "after": after or "0", "limit": limit, "wait": wait}
        response = self._request("/v1/fetch", json=body)
        try:
            page = msgspec.json.decode(response.content, type=_Page)
        except msgspec.MsgspecError:
            raise RelayMisbehaved("fetch answer") from None
        if not (page.cursor.isascii() and page.cursor.isdigit()):
            raise RelayMisbehaved("cursor")
        return Page(page.envelopes, page.cursor, page.epoch, page.more)
