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

from collections.abc import Callable
from typing import TypeVar

import msgspec

T = TypeVar("T")


class HastehError(Exception):
    """Base class of every deliberate hasteh error; the CLI turns it into exit code 1."""

    #: A short hint the faces (CLI, web) show under the message.
    next_step: str = ""


#: Everything msgspec may raise on hostile bytes: `DecodeError` (and its `ValidationError`),
#: but also `UnicodeDecodeError` for invalid UTF-8 in a `str` field (a `ValueError`, not a
#: `msgspec.MsgspecError`), `TypeError` for input that is not bytes, and `RecursionError`
#: for deep nesting into an untyped field. Catch this tuple, never `MsgspecError` alone.
DECODE_FAILURES: tuple[type[Exception], ...] = (
    msgspec.DecodeError,
    ValueError,
    TypeError,
    RecursionError,
)


def msgpack_decode(data: bytes, type_: type[T], error: Callable[[str], Exception]) -> T:
    """`data` decoded as `type_`, or `error(detail)` raised for any decode failure (see
    `DECODE_FAILURES`). Every msgspec decode of untrusted msgpack goes through this."""
    try:
        return msgspec.msgpack.decode(data, type=type_)
    except DECODE_FAILURES as exc:
        raise error(str(exc)[:300]) from None


def json_decode(data: bytes, type_: type[T], error: Callable[[str], Exception]) -> T:
    """The JSON twin of `msgpack_decode`."""
    try:
        return msgspec.json.decode(data, type=type_)
    except DECODE_FAILURES as exc:
        raise error(str(exc)[:300]) from None
