"""Run the relay under uvicorn with privacy-preserving logging (no access log, no IPs)."""

from __future__ import annotations

import logging

import uvicorn

from hasteh.relay.app import RelayConfig, create_app
from hasteh.relay.storage import open_storage

DEFAULT_DB = "sqlite:///hasteh-relay.sqlite3"


def serve(
    *, host: str = "127.0.0.1", port: int = 8470, db: str = DEFAULT_DB, config: RelayConfig
) -> None:
    """Open storage and serve until stopped. Logs hold counts only."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    storage = open_storage(db)
    try:
        app = create_app(storage, config)
        uvicorn.run(
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
    finally:
        storage.close()
