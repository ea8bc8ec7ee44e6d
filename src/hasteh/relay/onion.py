"""`hasteh relay serve --onion`: the relay as a Tor v3 onion service, reachable only so.

The relay listens on a Unix socket in a fresh 0700 folder — no TCP port at all, so neither
the network nor another local user can reach it except through its onion address — and
hasteh's own tor (`hasteh.tor.process`) publishes that socket with ADD_ONION. The onion
key is read from (or, the first time, written to) a 0600 key file, so the address stays
the same across restarts; tor never writes it to disk. Tor's folder is shredded on stop.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hasteh.relay.errors import OnionKeyUnusable
from hasteh.tor.onion import OnionService, publish, valid_key
from hasteh.tor.process import Progress, TorProcess


@dataclass(frozen=True, slots=True)
class OnionListener:
    sock: socket.socket
    service: OnionService


def read_or_make_key_file(path: Path) -> str | None:
    """The key in `path`, or None when there is no file yet (a new key is made and
    written by `save_key`). A file that is not a key, or that others may read, is
    refused: the key is the onion address's identity."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if info.st_mode & 0o077:
        raise OnionKeyUnusable("permissions")
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise OnionKeyUnusable("unreadable") from None
    if not valid_key(key):
        raise OnionKeyUnusable("unreadable")
    return key


def save_key(path: Path, key: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")


@contextmanager
def onion_listener(
    key_file: Path, *, progress: Progress, on_ready: Callable[[OnionService], None]
) -> Iterator[socket.socket]:
    """A listening Unix socket published as an onion service while the block runs."""
    key = read_or_make_key_file(key_file)
    tor_folder = Path(tempfile.mkdtemp(prefix="hasteh-relay-tor-"))
    sock_folder = Path(tempfile.mkdtemp(prefix="hasteh-relay-sock-"))
    path = sock_folder / "relay.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tor: TorProcess | None = None
    try:
        sock.bind(str(path))
        sock.listen(128)
        tor = TorProcess.start(tor_folder, progress=progress)
        service = publish(tor.controller, 0, key=key, target=f"unix:{path}")
        if key is None:
            save_key(key_file, service.key)
        on_ready(service)
        yield sock
    finally:
        if tor is not None:
            tor.stop()
        with contextlib.suppress(OSError):
            tor_folder.rmdir()
        sock.close()
        shutil.rmtree(sock_folder, ignore_errors=True)
