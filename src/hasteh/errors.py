"""The root of every error hasteh raises on purpose.

    HastehError
     ├── hasteh.mls.errors.MLSError        (protocol: the peer, the caller, or our bug)
     ├── hasteh.vault.errors.VaultError    (the encrypted profile on disk)
     ├── hasteh.transport.errors.TransportError
     └── hasteh.relay.errors.RelayError

Messages say what happened and what to do next; they never contain a secret, a name,
a mailbox id or plaintext.
"""

from __future__ import annotations


class HastehError(Exception):
    """Base class of every deliberate hasteh error; the CLI turns it into exit code 1."""

    #: A short hint the faces (CLI, web) show under the message.
    next_step: str = ""
