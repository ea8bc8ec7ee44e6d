"""The bulletin key: an Ed25519 key that signs the cell's issues, identifying no member.

pyHanko signs with an X.509 certificate, so the key gets a self-signed one that is a pure
function of the key: common name "hasteh bulletin" (no person, no cell name), a serial
taken from the fingerprint, fixed validity dates. Two editors holding the same key
produce the same certificate, and the certificate says nothing the key does not.
Verifiers trust a **fingerprint** (SHA-256 of the raw public key), never a name.

On disk the key is a PKCS#8 PEM encrypted with a passphrase (scrypt, AES-256); the cell's
vault will hold it once the editorial workflow lands.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from hasteh.publish.errors import BadKey

__all__ = ["BulletinKey", "fingerprint_of", "fingerprint_text", "is_trusted", "verify_with"]

_NOT_BEFORE: Final = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_NOT_AFTER: Final = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
_NAME: Final = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hasteh bulletin")])


def fingerprint_of(public: bytes) -> bytes:
    """The fingerprint of a raw 32-byte Ed25519 public key: its SHA-256."""
    return hashlib.sha256(b"hasteh-bulletin-key\0" + public).digest()


def fingerprint_text(fingerprint: bytes) -> str:
    """The first 128 bits of a fingerprint as eight groups of four hex digits, read aloud
    or compared by eye (Latin letters: the groups stay left-to-right inside Persian text)."""
    hexed = fingerprint[:16].hex().upper()
    return " ".join(hexed[i : i + 4] for i in range(0, len(hexed), 4))


def is_trusted(fingerprint: bytes, trusted: Collection[bytes]) -> bool:
    """Whether `fingerprint` is among `trusted`, each given whole or as the first 128 bits
    that `fingerprint_text` shows (what a person types); shorter prefixes never match."""
    return any(len(t) >= 16 and fingerprint.startswith(t) for t in trusted)


def verify_with(public: bytes, signature: bytes, message: bytes) -> bool:
    """Whether `signature` is `public`'s Ed25519 signature of `message` (RFC 8032 §5.1.7)."""
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class BulletinKey:
    """A bulletin signing key. `repr` shows the fingerprint only."""

    private: ed25519.Ed25519PrivateKey

    @classmethod
    def generate(cls) -> BulletinKey:
        return cls(ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> BulletinKey:
        """A key from 32 bytes (tests and vectors)."""
        return cls(ed25519.Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def fingerprint(self) -> bytes:
        return fingerprint_of(self.public)

    def __repr__(self) -> str:
        return f"BulletinKey({fingerprint_text(self.fingerprint)})"

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def certificate(self) -> x509.Certificate:
        """The self-signed certificate pyHanko signs with (deterministic, see above)."""
        serial = int.from_bytes(self.fingerprint[:16], "big") >> 1 or 1
        return (
            x509.CertificateBuilder()
            .subject_name(_NAME)
            .issuer_name(_NAME)
            .public_key(self.private.public_key())
            .serial_number(serial)
            .not_valid_before(_NOT_BEFORE)
            .not_valid_after(_NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
            .sign(self.private, None)
        )

    def to_pem(self, passphrase: str) -> bytes:
        """The key encrypted with `passphrase` (PKCS#8, the best encryption available)."""
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
        )

    @classmethod
    def from_pem(cls, data: bytes, passphrase: str) -> BulletinKey:
        """The key in an encrypted PEM, or `BadKey` (one error for a wrong passphrase and a
        damaged file: no oracle)."""
        try:
            key = serialization.load_pem_private_key(data, passphrase.encode("utf-8"))
        except (ValueError, TypeError):
            raise BadKey("unreadable") from None
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise BadKey("unreadable")
        return cls(key)
