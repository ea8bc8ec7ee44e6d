"""A profile's workspace: the unlocked vault, randomness, the clock, and relay clients.

    with open_workspace(home, passphrase) as ws:
        cell = cells.create_cell(ws, "bakery", cover_name="sepideh", relays=[url])

The `Workspace` is the only object the app functions take. It holds what the sans-I/O
cores do not: `rng` (default `os.urandom`), `clock` (default `time.time`), the vault, and
relay clients (over a SOCKS proxy when one is configured). Loaded cells (group state plus
folded org state) are cached here and reloaded from the vault after any failure, so
memory never runs ahead of what was committed.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hasteh import vault as vault_pkg
from hasteh.app.records import direct_relays
from hasteh.transport import registry
from hasteh.vault import Vault
from hasteh.vault.keyfile import KdfParams

if TYPE_CHECKING:
    from hasteh.app.runtime import GroupRuntime
    from hasteh.transport.relay_client import RelayClient

__all__ = ["Workspace", "open_workspace"]

Rng = Callable[[int], bytes]
Clock = Callable[[], float]


def _relay_client(url: str, proxy: str | None) -> RelayClient:
    """A relay client (httpx), imported when the first relay is contacted: commands that
    only read the profile start without loading the network stack."""
    from hasteh.transport.relay_client import RelayClient

    return RelayClient(url, proxy=proxy, timeout=30.0)


@dataclass(eq=False)
class Workspace:
    """One unlocked profile. Close it (or use it as a context manager) when done."""

    vault: Vault
    rng: Rng = os.urandom
    clock: Clock = time.time
    proxy: str | None = None
    #: Asked for the proxy when the first relay is contacted (`transport.reach.Reach.proxy`:
    #: it may start hasteh's own tor); None: the `transport.proxy` setting.
    proxy_source: Callable[[], str | None] | None = None
    #: Makes relay clients; tests may swap in another factory.
    client_factory: Callable[[str, str | None], RelayClient] = field(
        default=lambda url, proxy: _relay_client(url, proxy)
    )
    _clients: dict[str, RelayClient] = field(default_factory=dict, repr=False)
    _cells: dict[bytes, GroupRuntime[Any]] = field(default_factory=dict, repr=False)

    def now(self) -> int:
        """The clock in whole seconds (what org events carry)."""
        return int(self.clock())

    def jitter(self) -> float:
        """A float in [0, 1) from `rng`, for the outbox's backoff."""
        return int.from_bytes(self.rng(7), "big") / float(1 << 56)

    def client_for(self, url: str) -> RelayClient:
        client = self._clients.get(url)
        if client is None:
            proxy = None  # an in-country relay the person opted into is reached directly
            if url not in self.vault.read(direct_relays):
                proxy = self.proxy
                if proxy is None and self.proxy_source is not None:
                    proxy = self.proxy_source()
                if proxy is None:
                    proxy = self.vault.read(registry.proxy)
            client = self._clients[url] = self.client_factory(url, proxy)
        return client

    def drop_client(self, url: str) -> None:
        """Close the client of `url`: the next one is made anew (after the way it is
        reached changed, e.g. an in-country relay opted into directly)."""
        client = self._clients.pop(url, None)
        if client is not None:
            client.close()

    def forget_clients(self) -> None:
        """Close the relay clients: the next ones are made with the proxy as it is now
        (after the Tor settings changed)."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def forget_cache(self) -> None:
        """Drop loaded cells; the next access reloads them from the vault."""
        self._cells.clear()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self._cells.clear()
        self.vault.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workspace(
    home: Path,
    passphrase: str,
    *,
    min_kdf: KdfParams = vault_pkg.MIN_KDF,
    rng: Rng = os.urandom,
    clock: Clock = time.time,
    **kwargs: Any,
) -> Workspace:
    """Unlock the profile at `home` (raises `WrongPassphrase` and nothing more telling)."""
    opened = vault_pkg.unlock(home, passphrase, min_kdf=min_kdf)
    return Workspace(opened, rng=rng, clock=clock, **kwargs)


@contextmanager
def workspace(home: Path, passphrase: str, **kwargs: Any) -> Iterator[Workspace]:
    ws = open_workspace(home, passphrase, **kwargs)
    try:
        yield ws
    finally:
        ws.close()


def system_jitter() -> float:
    return random.SystemRandom().random()
