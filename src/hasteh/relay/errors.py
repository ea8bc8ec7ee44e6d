"""Errors of the relay server.

    RelayError (HastehError)
     ├── ConfigError      a bad setting or database URL (the operator)
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
