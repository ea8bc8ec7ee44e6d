"""The blind store-and-forward relay (docs/protocol.md, docs/operations/relay.md).

The relay keeps envelopes per mailbox and hands them out in one order. It sees neither
group ids, senders nor MLS framing: only the envelope header (kind, epoch of a commit,
size bucket) and a mailbox id, which it stores only as a SHA-256 hash. From the rest of
hasteh it imports only `hasteh.envelope` and `hasteh.errors`.
"""

from __future__ import annotations

__all__ = ["RelayError"]

from hasteh.relay.errors import RelayError
