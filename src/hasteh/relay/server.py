"""Run the relay under uvicorn with privacy-preserving logging (no access log, no IPs)."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn

from hasteh.relay.app import RelayConfig, create_app
from hasteh.relay.storage import open_storage

DEFAULT_DB = "sqlite:///hasteh-relay.sqlite3"


#: For tests only: a file holding the relay's clock (unix seconds), so a test suite can
#: move the relay's time with its own (docs/operations/relay.md says never to set it).
CLOCK_FILE_ENV = "HASTEH_RELAY_CLOCK_FILE"


def relay_clock() -> Callable[[], float]:
    """The wall clock, or the test clock file named by `CLOCK_FILE_ENV`."""
    path = os.environ.get(CLOCK_FILE_ENV)
    if not path:
        return time.time
    source = Path(path)

    def clock() -> float:
        try:
            return float(source.read_text())
        except (OSError, ValueError):
            return time.time()

    return clock


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8470,
    db: str = DEFAULT_DB,
    config: RelayConfig,
    fd: int | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Open storage and serve until stopped. Logs hold counts only. With `fd`, serve on
    that inherited, already listening socket (a supervisor's or a test harness's: no race
    for a free port) instead of binding `host`:`port`; with `sock`, on that socket (the
    onion service's Unix socket, `hasteh.relay.onion`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    storage = open_storage(db)
    try:
        app = create_app(storage, config, clock=relay_clock())
        settings = uvicorn.Config(
            app,
            host=host,
            port=port,
            access_log=False,
            log_level="warning",
            server_header=False,
            date_header=False,
            timeout_keep_alive=15,
            timeout_graceful_shutdown=5,
        )
        server = uvicorn.Server(settings)
        if sock is not None:
            server.run(sockets=[sock])
        elif fd is None:
            server.run()
        else:
            server.run(sockets=[socket.socket(fileno=fd)])
    finally:
        storage.close()
