"""The relay client's parsing of relay answers (`RelayClient.post`, `.fetch` and the
refusal path of `_request`), fed through httpx's MockTransport: a hostile or broken relay
chooses the status code and the body. Only `TransportError` may escape."""

from __future__ import annotations

import httpx

from fuzz._common import Finding, harness, main
from hasteh.envelope import Kind, WriteAuth, seal
from hasteh.transport.errors import TransportError
from hasteh.transport.relay_client import RelayClient

STATUSES = (200, 200, 200, 201, 204, 302, 400, 403, 404, 408, 409, 413, 422, 429, 500, 503)
_ANSWER: list[tuple[int, bytes]] = [(200, b"")]


def _handler(request: httpx.Request) -> httpx.Response:
    status, body = _ANSWER[0]
    return httpx.Response(status, content=body, headers={"content-type": "application/json"})


_CLIENT = RelayClient("http://relay.invalid", transport=httpx.MockTransport(_handler))
_AUTH = WriteAuth(bytes(32))
_ENVELOPE = seal(
    kind=Kind.MESSAGE, mailbox=b"m" * 32, payload=b"x", rng=lambda n: bytes(n)
).to_bytes()


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    status = STATUSES[data[0] % len(STATUSES)]
    _ANSWER[0] = (status, data[1:])
    try:
        if data[0] & 0x80:
            page = _CLIENT.fetch(b"m" * 32, after="0", auth=_AUTH)
            if not (page.cursor.isascii() and page.cursor.isdigit()):
                raise Finding("a fetch page with a cursor that is not a number")
        else:
            _CLIENT.post(_ENVELOPE, _AUTH)
    except TransportError:
        # Finding F3 (fixed): invalid UTF-8 in a JSON string of a fetch page or a refusal
        # escaped as UnicodeDecodeError; every answer now decodes through one helper.
        return


if __name__ == "__main__":
    main(TestOneInput)
