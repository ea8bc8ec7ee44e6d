"""Courier bundles: the file bytes as found on a USB stick (mode 0), and — what only the
code's holder can make — any decrypted plaintext, sealed here with the right key (mode 1).
Argon2id runs at a test-only cost. Only `BundleError` (`BundleRefused`) may escape."""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from fuzz._common import Finding, harness, main
from hasteh.transport import courier
from hasteh.transport.courier import KdfCost, open_bundle
from hasteh.transport.errors import BundleError

CHEAP = KdfCost(memory_kib=8, iterations=1, lanes=1)
CODE = "K7QF-2M9X-ABCD-EFGH-JKLM"
SALT = b"s" * courier.SALT_SIZE
NONCE = b"n" * courier.NONCE_SIZE
_KEY = courier._key(CODE, SALT, CHEAP)
_SMALLEST = courier.FILE_BUCKETS[0]


def sealed(plain: bytes) -> bytes:
    """A bundle file whose decrypted plaintext is `plain` (zero-padded to 64 KiB)."""
    room = _SMALLEST - courier.SALT_SIZE - courier.NONCE_SIZE - courier.TAG_SIZE
    plain = plain[:room] + bytes(max(0, room - len(plain)))
    box = ChaCha20Poly1305(_KEY).encrypt(NONCE, plain, courier.LABEL + SALT)
    return SALT + NONCE + box


def body_plain(body: bytes) -> bytes:
    """The plaintext hasteh itself would make around `body` (length prefix, zeros)."""
    return struct.pack(">I", len(body)) + body


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    if mode == 0:
        bundle = rest
    elif mode == 1:
        bundle = sealed(rest)  # the whole plaintext, length prefix included
    else:
        bundle = sealed(body_plain(rest))  # a well-framed msgpack body
    try:
        entries = open_bundle(bundle, code=CODE, cost=CHEAP)
    except BundleError:
        return
    for entry in entries:
        if not entry.relays and entry.relays != ():
            raise Finding("an entry without relays")


if __name__ == "__main__":
    main(TestOneInput)
