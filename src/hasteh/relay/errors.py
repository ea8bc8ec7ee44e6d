"""Errors of the relay server.

RelayError (HastehError)
 ├── ConfigError      a bad setting or database URL (the operator)
 └── StorageError     the database failed (the environment)
"""

from __future__ import annotations

from hasteh.errors import HastehError


class RelayError(HastehError):
    """Base of every relay error raised on purpose."""


class ConfigError(RelayError):
    """A setting the operator gave cannot work (unknown database URL scheme, bad limit)."""


class StorageError(RelayError):
    """The storage backend failed; the request was not acknowledged."""
