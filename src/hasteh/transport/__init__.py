"""Moving envelopes: the relay client, the durable outbox, and courier bundles.

From the vault this package uses only the `outbox`, `cursors` and `settings` tables;
from the relay, only the shared envelope format (`hasteh.envelope`).
"""

from __future__ import annotations

from hasteh.transport.errors import TransportError

__all__ = ["TransportError"]
