"""One `hasteh up` per profile folder: a second `hasteh up` (the desktop launcher pressed
again) opens the running one instead of starting another.

The running `hasteh up` listens on a Unix socket only this user can reach: in
`$XDG_RUNTIME_DIR` when it is private (`web.runtime_base`), else in a 0700 folder
``hasteh-UID`` of the system's temporary folder that must be ours and private (if it is
not, there is no reopening: each `hasteh up` runs alone). The socket's name is a hash of
the profile folder's path, so it names no folder; it is deleted at exit.

The exchange is one line each way: the newcomer sends ``open``; the running one makes a
new single-use launch token and a new private launch page (`web.write_launch_page`) and
answers with the page's path and the link, as JSON. The old token stops working. Nothing
else is accepted, and nothing secret crosses: the page is a file only this user can read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import socket
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The request, and the longest answer read.
OPEN = b"open\n"
MAX_ANSWER = 4096


@dataclass(frozen=True, slots=True)
class Reopened:
    """What the running `hasteh up` answered: its new launch page and link."""

    page: Path
    link: str


def _private_folder(base: Path) -> bool:
    try:
        info = base.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077 and info.st_uid == os.getuid()


def control_path(home: Path, runtime: Path | None) -> Path | None:
    """Where the running `hasteh up` of `home` listens, or None when no private folder
    is at hand (`runtime`: `$XDG_RUNTIME_DIR` when private)."""
    if runtime is None:
        runtime = Path(tempfile.gettempdir()) / f"hasteh-{os.getuid()}"
        with contextlib.suppress(FileExistsError):
            runtime.mkdir(mode=0o700)
        if not _private_folder(runtime):
            return None
    name = hashlib.sha256(os.fsencode(home.resolve())).hexdigest()[:20]
    return runtime / f"hasteh-up-{name}.sock"


def ask_running(path: Path | None, timeout: float = 5.0) -> Reopened | None:
    """Ask the running `hasteh up` at `path` to open again; None if none answers (a
    socket left by one that died is removed)."""
    if path is None or not path.exists():
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(os.fspath(path))
            sock.sendall(OPEN)
            answer = b""
            while len(answer) < MAX_ANSWER and not answer.endswith(b"\n"):
                chunk = sock.recv(MAX_ANSWER)
                if not chunk:
                    break
                answer += chunk
        except ConnectionRefusedError:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        except OSError:
            return None
    try:
        data = json.loads(answer)
        return Reopened(Path(data["page"]), str(data["link"]))
    except (ValueError, KeyError, TypeError):
        return None


class ControlServer:
    """The running side: answers ``open`` with `open_again()` (page path, link)."""

    def __init__(self, path: Path | None, open_again: Callable[[], Reopened]) -> None:
        self.path = path
        self.open_again = open_again
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        if self.path is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # one that died (a live one answered `ask_running`)
        old = os.umask(0o077)
        try:
            self._server = await asyncio.start_unix_server(self._answer, path=self.path)
        except OSError:
            self._server = None  # no reopening; hasteh runs all the same
        finally:
            os.umask(old)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 5)
            if line == OPEN:
                opened = self.open_again()
                answer = {"page": os.fspath(opened.page), "link": opened.link}
                writer.write(json.dumps(answer).encode() + b"\n")
                await writer.drain()
        except (TimeoutError, OSError, ValueError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
