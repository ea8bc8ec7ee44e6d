"""How this profile reaches relays right now — the one door for every HTTP client of hasteh
(relay clients, background sync, spoken-code invitations).

    reach = Reach(vault, tor)          # tor: a `SharedTor` (hasteh's own), or None
    reach.proxy()                      # "socks5h://127.0.0.1:PORT" or None (direct)
    reach.http_client(base_url=...)    # an httpx.Client through that proxy
    reach.mode()                       # "own_tor", "socks" (a Tor the user runs), "direct"

The choice, in order: hasteh's own tor when the profile turned it on (`tor.own`, with the
profile's bridges), else the SOCKS address the user gave (`transport.proxy`: Tor Browser
9150, Orbot, Tails 9050), else direct. Always `socks5h`: host names (onion addresses
above all) are resolved by Tor, never by the local DNS the censor watches. An `.onion`
relay with no Tor at all fails with `RelayUnreachable` before any DNS query is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hasteh.tor.runtime import SharedTor
from hasteh.transport import registry, tor_settings
from hasteh.vault.db import Vault

if TYPE_CHECKING:
    import httpx

#: Proxies hasteh accepts: SOCKS5 with remote name resolution only.
PROXY_SCHEME = "socks5h://"


@dataclass(eq=False)
class Reach:
    vault: Vault
    tor: SharedTor | None = None

    def mode(self) -> str:
        if self.tor is not None and (
            self.vault.read(tor_settings.own_tor) or self.tor.running is not None
        ):
            return "own_tor"
        return "socks" if self.vault.read(registry.proxy) else "direct"

    def proxy(self) -> str | None:
        """The proxy URL for relay traffic (starts hasteh's tor if it is on and not yet
        running: `TorMissing`/`TorFailed` then). A tor this process already runs (for
        `hasteh up --onion`) carries relay traffic too, even when the setting is off."""
        if self.tor is not None and self.vault.read(tor_settings.own_tor):
            bridges = self.vault.read(tor_settings.bridges)
            return self.tor.ensure(bridges).socks_url
        if self.tor is not None and self.tor.running is not None:
            return self.tor.ensure(None).socks_url
        return self.vault.read(registry.proxy) or None

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client through the current proxy, ignoring the environment's proxies
        (httpx is imported here: commands that never contact a relay start without it)."""
        import httpx

        return httpx.Client(proxy=self.proxy(), trust_env=False, **kwargs)
