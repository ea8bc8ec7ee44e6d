"""Errors of the relay server.

    RelayError (HastehError)
     ├── ConfigError      a bad setting or database URL (the operator)
     │    └── OnionKeyUnusable   the onion key file is not a key, or others may read it
     └── StorageError     the database failed (the environment)

Each carries a `RelayCode` (`hasteh.errors` gives the contract). Parameters never hold a
database URL, a password, a path or a mailbox: relay logs hold counts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from hasteh.errors import Domain, HastehError, Param

RelayCode = Literal[
    "bad-database-url",
    "sqlite-needs-path",
    "postgres-unreachable",
    "bad-embedded-key",
    "fetch-limit-too-small",
    "write-refused",
    "embedded-database-closed",
    "onion-key-exposed",
    "onion-key-unreadable",
    "lan-needs-address",
    "lan-cannot-listen",
]

#: English templates of `RelayCode` (gettext msgids).
RELAY_MESSAGES: Mapping[RelayCode, str] = {
    "bad-database-url": "The database URL must start with sqlite:/// or postgresql://.",
    "sqlite-needs-path": "A sqlite URL needs a path: sqlite:///PATH.",
    "postgres-unreachable": "The relay cannot connect to its PostgreSQL database.",
    "bad-embedded-key": "The embedded relay's key must be 32 bytes.",
    "fetch-limit-too-small": "max_fetch_bytes must be at least {minimum}.",
    "write-refused": "The relay's database refused a write.",
    "embedded-database-closed": "The embedded relay's database does not open.",
    "onion-key-exposed": "The onion key file may be read by others.",
    "onion-key-unreadable": "The onion key file does not hold an onion key.",
    "lan-needs-address": "--lan needs this computer's IP address on the local network.",
    "lan-cannot-listen": "This address cannot be listened on: is it this computer's?",
}


class RelayError(HastehError):
    """Base of every relay error raised on purpose."""

    domain: ClassVar[Domain] = "relay"
    templates: ClassVar[Mapping[Any, str]] = RELAY_MESSAGES
    code: RelayCode

    def __init__(self, code: RelayCode, /, **params: Param) -> None:
        super().__init__(code, **params)


class ConfigError(RelayError):
    """A setting the operator gave cannot work (unknown database URL scheme, bad limit)."""


class StorageError(RelayError):
    """The storage backend failed; the request was not acknowledged."""


class OnionKeyUnusable(ConfigError):
    """`--onion-key` names a file that is not an onion key (`why` ``unreadable``), or
    that others may read (`why` ``permissions``)."""

    def __init__(self, why: Literal["permissions", "unreadable"]) -> None:
        super().__init__("onion-key-exposed" if why == "permissions" else "onion-key-unreadable")
        self.why = why
