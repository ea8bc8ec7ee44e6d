"""Errors of `hasteh.mls`, named by who is at fault.

    MLSError
     ├── MLSDecodeError    bytes that are not a valid encoding (the peer)
     ├── InvalidMessage    a well-formed message that fails validation (the peer)
     ├── UsageError        the caller asked for something impossible (you)
     └── InternalError     a bug in hasteh (us)

`hasteh.mls` imports nothing else from hasteh, so `MLSError` does not derive from
`hasteh.errors.HastehError`; the app maps it at its boundary.
"""

from __future__ import annotations


class MLSError(Exception):
    """Base of every error raised on purpose by `hasteh.mls`."""


class MLSDecodeError(MLSError):
    """The bytes are not a valid TLS-presentation encoding of the expected structure."""


class InvalidMessage(MLSError):
    """A well-formed message or object that fails an RFC 9420 check.

    `reason` is a short stable slug tests can pin (for example ``"bad-signature"``).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class UsageError(MLSError):
    """The caller used the API wrongly (unknown suite, wrong key length, ...)."""


class InternalError(MLSError):
    """A state that should be impossible: a bug in hasteh.mls."""
