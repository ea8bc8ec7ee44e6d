"""A rendezvous relay on the local network, for one spoken code (`hasteh code --lan`).

When two devices share a network (one room, one Wi-Fi) but no relay both can reach, the
newcomer's device serves the rendezvous routes itself (`app.create_rendezvous_app`: slots
only, in memory, nothing stored) on the address it is given, for as long as its code
lives. Opt-in: listening on a network shows anyone on it that this computer runs hasteh,
so it is never the default and the CLI says so before it listens.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from hasteh.relay.app import RelayConfig, create_rendezvous_app
from hasteh.relay.errors import ConfigError

__all__ = ["lan_rendezvous"]


@contextmanager
def lan_rendezvous(host: str, port: int = 0) -> Iterator[str]:
    """Serve rendezvous slots on `host`:`port` (an IP address; port 0: any free one)
    until the block ends; yields the URL the member's device uses."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError("lan-needs-address") from None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((str(address), port))
    except OSError:
        sock.close()
        raise ConfigError("lan-cannot-listen") from None
    sock.listen(16)
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        create_rendezvous_app(RelayConfig(rendezvous_rate=20.0, rendezvous_burst=60)),
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    shown = f"[{address}]" if address.version == 6 else str(address)
    try:
        yield f"http://{shown}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
