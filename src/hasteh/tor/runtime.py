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

    @property
    def status(self) -> TorStatus:
        return self._status

    def _note(self, percent: int, tag: str) -> None:
        self._status = TorStatus("ready" if percent >= 100 else "starting", percent)
        if self._progress is not None:
            self._progress(percent, tag)

    def ensure(self, bridges: tuple[Bridge, ...] = ()) -> TorProcess:
        """The running tor, started now if needed (a change of bridges restarts it).
        Raises `TorMissing` or `TorFailed`; the status then says failed."""
        with self._lock:
            if self._tor is not None and self._tor.proc.poll() is None:
                if bridges == self._bridges:
                    return self._tor
            if self._tor is not None:
                self._tor.stop()
                self._tor = None
            self._status = TorStatus("starting")
            try:
                self._tor = TorProcess.start(
                    self.folder,
                    bridges=bridges,
                    progress=self._note,
                    timeout=self.timeout,
                    defaults=self.defaults,
                    remove=self.remove,
                )
            except TorError as exc:
                self._status = TorStatus("failed", self._status.percent, exc)
                raise
            self._bridges = bridges
            self._status = TorStatus("ready", 100)
            return self._tor

    @property
    def running(self) -> TorProcess | None:
        return self._tor

    def stop(self) -> None:
        with self._lock:
            if self._tor is not None:
                self._tor.stop()
                self._tor = None
            self._status = TorStatus("off")
