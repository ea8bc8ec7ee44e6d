"""Start, watch and stop hasteh's own `tor` (Debian's `tor` package).

    tor = TorProcess.start(folder, bridges=..., progress=show)   # bounded wait
    tor.socks_url        # "socks5h://127.0.0.1:PORT": names resolved by Tor, never locally
    tor.controller       # stem Controller, cookie-authenticated (onion services)
    tor.stop()           # SIGTERM by pid, then the folder is shredded

Why like this:
- hasteh owns the process (a child, stopped by its pid) and its folder: tor's working state
  (guards, cached consensus, bridge lines in `state`) tells a thief that this computer used
  Tor and how. The folder is 0700, removed on stop and before a start (a crash may have
  left one) with the caller's `remove` — the profile's shredder, since the folder lives in
  the profile (`<home>/tor`), so panic and a duress unlock shred it with the rest.
  Guards are therefore chosen afresh each run: a known trade-off (docs/threat-model.md).
- Ports are `auto` and read back over the control port: nothing fixed to collide with.
- Bootstrap progress is polled from `status/bootstrap-phase` and handed to `progress`
  (the CLI draws a bar, the web settings page shows the number); the wait is bounded and a
  failure says whether tor exited, timed out, or stalled in its pluggable transport.
- `HASTEH_TOR_DEFAULTS` names a defaults torrc (tests/tor: the private network's
  authorities); unset, tor reads no system configuration at all.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hasteh.tor.bridges import Bridge
from hasteh.tor.errors import TorFailed
from hasteh.tor.torrc import CONTROL_PORT_FILE, TorConfig, find_program, render

Remover = Callable[[Path], object]


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


DEFAULTS_ENV = "HASTEH_TOR_DEFAULTS"
#: Bootstrap on a real network takes seconds to a couple of minutes (bridges are slow).
BOOTSTRAP_TIMEOUT = 300.0
_PHASE = re.compile(r"PROGRESS=(\d+) TAG=(\S+)")
#: Bootstrap phases spent talking to a pluggable transport or through it to the bridge.
_TRANSPORT_TAGS = frozenset({"conn_pt", "conn_done_pt", "conn_proxy", "conn_done_proxy"})

Progress = Callable[[int, str], None]


def _quiet(_percent: int, _tag: str) -> None:
    return None


def defaults_from_env() -> Path | None:
    value = os.environ.get(DEFAULTS_ENV, "")
    return Path(value) if value else None


def bootstrap_phase(status: str) -> tuple[int, str]:
    """(percent, tag) of a `status/bootstrap-phase` answer; (0, "starting") if unparsable."""
    found = _PHASE.search(status)
    if found is None:
        return 0, "starting"
    return min(100, int(found.group(1))), found.group(2)


def _prepare(folder: Path, remove: Remover) -> None:
    """An empty 0700 folder: a leftover of a crashed run is removed first."""
    if folder.exists():
        remove(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)


def _control_port(folder: Path) -> int | None:
    """The port tor wrote to `control-port` ("PORT=127.0.0.1:NNNN"), once it has."""
    try:
        text = (folder / CONTROL_PORT_FILE).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    host, _sep, port = text.strip().removeprefix("PORT=").rpartition(":")
    return int(port) if host == "127.0.0.1" and port.isdigit() else None


@dataclass(eq=False)
class TorProcess:
    """A running tor of hasteh's. Use `start`; always `stop` (or use as a context manager)."""

    folder: Path
    proc: subprocess.Popen[bytes]
    controller: Any
    socks_port: int
    percent: int = 100
    remove: Remover = remove_folder
    _stopped: bool = field(default=False, repr=False)

    @property
    def socks_url(self) -> str:
        return f"socks5h://127.0.0.1:{self.socks_port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    @classmethod
    def start(
        cls,
        folder: Path,
        *,
        bridges: tuple[Bridge, ...] = (),
        progress: Progress = _quiet,
        timeout: float = BOOTSTRAP_TIMEOUT,
        defaults: Path | None = None,
        remove: Remover = remove_folder,
    ) -> TorProcess:
        """Start tor in `folder` and wait (at most `timeout` s) until it reached the network.

        Raises `TorMissing` (no tor or transport program), `TorFailed` (exited, timed out,
        stalled in a transport); on failure tor is stopped and the folder removed with
        `remove` (the profile's shredder for a folder in the profile)."""
        program = find_program("tor")
        folder = folder.absolute()
        _prepare(folder, remove)
        torrc = folder / "torrc"
        torrc.write_text(render(TorConfig(folder, os.getpid(), bridges)), encoding="utf-8")
        defaults = defaults if defaults is not None else defaults_from_env()
        proc = subprocess.Popen(  # noqa: S603 (absolute program, fixed arguments)
            [program, "-f", str(torrc), "--defaults-torrc", str(defaults or os.devnull)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        controller: Any = None
        try:
            controller = _connect(folder, proc, deadline)
            percent = _wait_bootstrapped(
                controller, proc, deadline, progress, any(b.transport for b in bridges)
            )
            socks = controller.get_listeners("SOCKS")
            port = int(socks[0][1])
        except BaseException:
            _terminate(proc, controller)
            with contextlib.suppress(OSError):
                remove(folder)
            raise
        return cls(folder, proc, controller, port, percent, remove)

    def stop(self) -> None:
        """Stop tor by its pid and shred its folder (safe to call twice)."""
        if self._stopped:
            return
        self._stopped = True
        _terminate(self.proc, self.controller)
        with contextlib.suppress(OSError):
            self.remove(self.folder)

    def __enter__(self) -> TorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _connect(folder: Path, proc: subprocess.Popen[bytes], deadline: float) -> Any:
    """A cookie-authenticated stem Controller on the port tor wrote down."""
    from stem import SocketError
    from stem.connection import AuthenticationFailure
    from stem.control import Controller

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TorFailed("exited")
        port = _control_port(folder)
        if port is not None:
            try:
                controller = Controller.from_port("127.0.0.1", port)
                controller.authenticate()
            except (SocketError, AuthenticationFailure):
                raise TorFailed("control") from None
            return controller
        time.sleep(0.05)
    raise TorFailed("timeout")


def _wait_bootstrapped(
    controller: Any,
    proc: subprocess.Popen[bytes],
    deadline: float,
    progress: Progress,
    transport: bool,
) -> int:
    """Poll the bootstrap phase until 100%. A timeout before any answer from a bridge
    (under 25%, "requesting_status") with a pluggable transport is the transport's
    failure: the censor blocks it, or (snowflake) its broker or front cannot be reached."""
    from stem import ControllerError

    last = (-1, "")
    while True:
        if proc.poll() is not None:
            raise TorFailed("exited")
        try:
            phase = bootstrap_phase(str(controller.get_info("status/bootstrap-phase")))
        except ControllerError:
            raise TorFailed("control") from None
        if phase != last:
            progress(*phase)
            last = phase
        if phase[0] >= 100:
            return 100
        if time.monotonic() >= deadline:
            stalled = phase[1] in _TRANSPORT_TAGS or (transport and phase[0] < 25)
            raise TorFailed("transport" if stalled else "timeout")
        time.sleep(0.2)


def _terminate(proc: subprocess.Popen[bytes], controller: Any) -> None:
    if controller is not None:
        with contextlib.suppress(Exception):
            controller.close()
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
