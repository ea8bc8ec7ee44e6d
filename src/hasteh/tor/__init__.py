"""hasteh's own Tor: a `tor` process it starts and stops, onion services, bridges.

Below the transport and the relay (both use it: the relay publishes itself as an onion
service, the transport reaches relays through Tor's SOCKS port); beside the vault, which
it does not import (the caller passes how to remove Tor's folder: the profile's shredder,
`vault.profile.shred_tree`). The public API:

- `bridges.parse_bridges(text)` — pasted bridge lines, validated (obfs4, snowflake, plain);
- `torrc.TorConfig` — what hasteh's tor is told, rendered by `torrc.render`;
- `process.TorProcess` — start (with bootstrap progress), the SOCKS proxy URL, stop;
- `onion.publish` — an onion service through the control port (ADD_ONION), its key kept
  by the caller (the vault), never on disk in Tor's folder;
- `runtime.SharedTor` — one tor per process, started on first need, with a status.

Its vault settings live with the transport (`transport.tor_settings`).
"""

from __future__ import annotations

from hasteh.tor.errors import BridgeLineInvalid, OnionFailed, TorError, TorFailed, TorMissing

__all__ = ["BridgeLineInvalid", "OnionFailed", "TorError", "TorFailed", "TorMissing"]
