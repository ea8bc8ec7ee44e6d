"""A hostile relay that repeats envelopes, inside a page and across pages, against the
seen-set marked one page at a time (`vault.cursors.mark_seen_many`): each envelope is
handed over as new exactly once, its repeats as already seen, and a page whose handing
over fails leaves neither its seen marks nor its cursor behind. The relay is a real HTTP
server on 127.0.0.1 answering fetches from a script."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hasteh import vault
from hasteh.envelope import Envelope, Kind, seal
from hasteh.transport import outbox as ob
from hasteh.transport.relay_client import RelayClient
from hasteh.vault import Connection
from hasteh.vault import cursors as vcursors

MAILBOX = bytes(range(32))


def _page(envelopes: list[Envelope], cursor: int, more: bool) -> bytes:
    return json.dumps(
        {
            "envelopes": [base64.b64encode(e.to_bytes()).decode() for e in envelopes],
            "cursor": str(cursor),
            "epoch": None,
            "more": more,
        }
    ).encode()


@pytest.fixture
def scripted() -> Iterator[tuple[str, Callable[[dict[str, bytes]], None]]]:
    """A relay whose fetch answers are looked up by the request's `after`."""
    answers: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["content-length"])))
            body = answers.get(request["after"], _page([], int(request["after"]), False))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", answers.update
    finally:
        server.shutdown()
        server.server_close()


def _envelope() -> Envelope:
    return seal(kind=Kind.MESSAGE, mailbox=MAILBOX, payload=os.urandom(20), rng=os.urandom)


def test_repeats_are_handed_over_as_seen(
    make_profile: Callable[[str], vault.Vault],
    scripted: tuple[str, Callable[[dict[str, bytes]], None]],
) -> None:
    url, script = scripted
    a, b = _envelope(), _envelope()
    script({"0": _page([a, a], 2, True), "2": _page([a, b, b], 5, False)})
    v = make_profile("repeats")
    handed: list[tuple[bytes, bool]] = []

    def sink(conn: Connection, envelope: Envelope, arrival: ob.Arrival) -> None:
        handed.append((envelope.id, arrival.fresh))

    client = RelayClient(url)
    try:
        new = ob.fetch_new(v, client, url, MAILBOX, now=1.0, sink=sink)
    finally:
        client.close()
    assert [e.id for e in new] == [a.id, b.id]
    assert handed == [(a.id, True), (a.id, False), (a.id, False), (b.id, True), (b.id, False)]
    assert v.read(lambda c: vcursors.get_cursor(c, url, MAILBOX)) == "5"
    assert v.write(lambda c: vcursors.mark_seen_many(c, [a.id, b.id], 2.0)) == [False, False]


def test_a_failed_page_leaves_no_seen_marks(
    make_profile: Callable[[str], vault.Vault],
    scripted: tuple[str, Callable[[dict[str, bytes]], None]],
) -> None:
    url, script = scripted
    a, b, c = _envelope(), _envelope(), _envelope()
    script({"0": _page([a], 1, True), "1": _page([b, c], 3, False)})
    v = make_profile("rollback")

    def sink(conn: Connection, envelope: Envelope, arrival: ob.Arrival) -> None:
        if envelope.id == c.id:
            raise RuntimeError("processing failed")

    client = RelayClient(url)
    try:
        with pytest.raises(RuntimeError):
            ob.fetch_new(v, client, url, MAILBOX, now=1.0, sink=sink)
    finally:
        client.close()
    # The first page stands; nothing of the second (b was handed over, then rolled back).
    assert v.read(lambda conn: vcursors.get_cursor(conn, url, MAILBOX)) == "1"
    fresh = v.write(lambda conn: vcursors.mark_seen_many(conn, [a.id, b.id, c.id], 2.0))
    assert fresh == [False, True, True]
