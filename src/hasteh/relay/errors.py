"""Errors of the relay server.

RelayError (HastehError)
 ├── ConfigError      a bad setting or database URL (the operator)
 │    └── OnionKeyUnusable   the onion key file is not a key, or others may read it
 └── StorageError     the database failed (the environment)
"""

from __future__ import annotations

from hasteh.errors import HastehError
from hasteh.i18n import _


class RelayError(HastehError):
    """Base of every relay error raised on purpose."""


class ConfigError(RelayError):
    """A setting the operator gave cannot work (unknown database URL scheme, bad limit)."""


class StorageError(RelayError):
    """The storage backend failed; the request was not acknowledged."""


class OnionKeyUnusable(ConfigError):
    """`--onion-key` names a file that is not an onion key, or that others may read."""

    def __init__(self, why: str) -> None:
        self.why = why  # "permissions" or "unreadable"
        if why == "permissions":
            super().__init__(_("The onion key file may be read by others."))
            self.next_step = _("Make it private: chmod 600 FILE.")
        else:
            super().__init__(_("The onion key file does not hold an onion key."))
            self.next_step = _("Give another file name; hasteh makes a new key there.")
