"""One hasteh tor per running process, started on first need and stopped once.

`hasteh up` shares it between the web face (relay clients of the unlocked profile) and the
embedded relay's onion service; a CLI command starts it only if it contacts a relay. The
state (`TorStatus`) is what the faces show: off, starting (with its percent), ready, or
failed with the reason.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from hasteh.tor.bridges import Bridge
from hasteh.tor.errors import TorError
from hasteh.tor.onion import OnionService, publish, withdraw
from hasteh.tor.process import BOOTSTRAP_TIMEOUT, Progress, Remover, TorProcess, remove_folder


@dataclass(frozen=True, slots=True)
class TorStatus:
    state: str  # "off", "starting", "ready", "failed"
    percent: int = 0
    error: TorError | None = None


class SharedTor:
    """hasteh's tor in `folder` (0700, removed with `remove` on stop). Thread-safe."""

    def __init__(
        self,
        folder: Path,
        *,
        progress: Progress | None = None,
        timeout: float = BOOTSTRAP_TIMEOUT,
        defaults: Path | None = None,
        remove: Remover = remove_folder,
    ) -> None:
        self.folder = folder
        self.timeout = timeout
        self.defaults = defaults
        self.remove = remove
        self._progress = progress
        self._lock = threading.Lock()
        self._tor: TorProcess | None = None
        self._bridges: tuple[Bridge, ...] = ()
        self._status = TorStatus("off")
        #: Onion services to keep published (target port -> key), again after a restart.
        self._onions: dict[int, str] = {}
        self._published: dict[int, OnionService] = {}

    @property
    def status(self) -> TorStatus:
        return self._status

    def _note(self, percent: int, tag: str) -> None:
        self._status = TorStatus("ready" if percent >= 100 else "starting", percent)
        if self._progress is not None:
            self._progress(percent, tag)

    def ensure(self, bridges: tuple[Bridge, ...] | None = None) -> TorProcess:
        """The running tor, started now if needed; `bridges` None takes the running tor as
        it is, a change of bridges restarts it (and publishes its onion services again).
        Raises `TorMissing` or `TorFailed`; the status then says failed."""
        with self._lock:
            return self._ensure(bridges)

    def _ensure(self, bridges: tuple[Bridge, ...] | None) -> TorProcess:
        if self._tor is not None and self._tor.proc.poll() is None:
            if bridges is None or bridges == self._bridges:
                return self._tor
        wanted = self._bridges if bridges is None else bridges
        if self._tor is not None:
            self._tor.stop()
            self._tor = None
        self._status = TorStatus("starting")
        try:
            tor = TorProcess.start(
                self.folder,
                bridges=wanted,
                progress=self._note,
                timeout=self.timeout,
                defaults=self.defaults,
                remove=self.remove,
            )
        except TorError as exc:
            self._status = TorStatus("failed", self._status.percent, exc)
            raise
        self._tor, self._bridges = tor, wanted
        self._published = {
            port: publish(tor.controller, port, key=key) for port, key in self._onions.items()
        }
        self._status = TorStatus("ready", 100)
        return tor

    def add_onion(self, target_port: int, key: str) -> OnionService:
        """Publish 127.0.0.1:`target_port` under `key` (kept across restarts of tor)."""
        with self._lock:
            tor = self._ensure(None)
            service = publish(tor.controller, target_port, key=key)
            self._onions[target_port] = key
            self._published[target_port] = service
            return service

    def remove_onion(self, target_port: int) -> None:
        with self._lock:
            self._onions.pop(target_port, None)
            service = self._published.pop(target_port, None)
            if service is not None and self._tor is not None:
                withdraw(self._tor.controller, service)

    @property
    def running(self) -> TorProcess | None:
        return self._tor

    def stop(self) -> None:
        with self._lock:
            if self._tor is not None:
                self._tor.stop()
                self._tor = None
            self._published.clear()
            self._status = TorStatus("off")
