"""MLS cipher suites 0x0001-0x0007 (RFC 9420 §5.1, §17.1).

A `CipherSuite` is a frozen record of the suite's primitives: hash, HKDF, AEAD, signature
scheme and HPKE KEM. All primitives come from pyca/cryptography (or the standard library's
`hmac`, which pyca also uses for HMAC); nothing here is home-made cryptography.

Key encodings follow the test vectors: Ed25519/Ed448 keys are raw bytes; ECDSA private keys
are the big-endian scalar, public keys the uncompressed SEC1 point, signatures DER.
Randomness is never drawn here except inside pyca's ECDSA signing; key generation takes an
`rng` callable so the module stays sans-I/O and deterministic under test.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from .errors import InvalidMessage, UsageError

#: A source of random bytes: `rng(n)` returns n fresh bytes (os.urandom in the app).
Rng = Callable[[int], bytes]


class KemId(IntEnum):
    """HPKE KEM identifiers (RFC 9180 §7.1)."""

    DHKEM_P256 = 0x0010
    DHKEM_P384 = 0x0011
    DHKEM_P521 = 0x0012
    DHKEM_X25519 = 0x0020
    DHKEM_X448 = 0x0021


class KdfId(IntEnum):
    """HPKE KDF identifiers (RFC 9180 §7.2)."""

    HKDF_SHA256 = 0x0001
    HKDF_SHA384 = 0x0002
    HKDF_SHA512 = 0x0003


class AeadId(IntEnum):
    """HPKE AEAD identifiers (RFC 9180 §7.3)."""

    AES_128_GCM = 0x0001
    AES_256_GCM = 0x0002
    CHACHA20_POLY1305 = 0x0003


class SignatureScheme(IntEnum):
    """TLS SignatureScheme values used by MLS (RFC 8446 §4.2.3)."""

    ECDSA_SECP256R1_SHA256 = 0x0403
    ECDSA_SECP384R1_SHA384 = 0x0503
    ECDSA_SECP521R1_SHA512 = 0x0603
    ED25519 = 0x0807
    ED448 = 0x0808


_HASH_LEN: Final = {"sha256": 32, "sha384": 48, "sha512": 64}
_AEAD_KEY_LEN: Final = {
    AeadId.AES_128_GCM: 16,
    AeadId.AES_256_GCM: 32,
    AeadId.CHACHA20_POLY1305: 32,
}
_EC_CURVES: Final[dict[SignatureScheme, tuple[ec.EllipticCurve, hashes.HashAlgorithm, int]]] = {
    SignatureScheme.ECDSA_SECP256R1_SHA256: (ec.SECP256R1(), hashes.SHA256(), 32),
    SignatureScheme.ECDSA_SECP384R1_SHA384: (ec.SECP384R1(), hashes.SHA384(), 48),
    SignatureScheme.ECDSA_SECP521R1_SHA512: (ec.SECP521R1(), hashes.SHA512(), 66),
}
_SIG_PRIVATE_LEN: Final = {SignatureScheme.ED25519: 32, SignatureScheme.ED448: 57}
_EC_ORDERS: Final = {
    SignatureScheme.ECDSA_SECP256R1_SHA256: int(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16
    ),
    SignatureScheme.ECDSA_SECP384R1_SHA384: int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
    SignatureScheme.ECDSA_SECP521R1_SHA512: int(
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
        "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        16,
    ),
}


@dataclass(frozen=True, slots=True)
class CipherSuite:
    """One MLS cipher suite and the primitives it names."""

    id: int
    name: str
    kem: KemId
    kdf: KdfId
    aead: AeadId
    signature: SignatureScheme
    hash_name: str
    #: Output length of the hash (and of KDF.Extract), in bytes.
    nh: int = field(init=False, repr=False, compare=False)
    #: AEAD key length.
    nk: int = field(init=False, repr=False, compare=False)
    #: AEAD nonce length (12 for every MLS AEAD).
    nn: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Plain fields, not properties: they are read a dozen times per message received.
        object.__setattr__(self, "nh", _HASH_LEN[self.hash_name])
        object.__setattr__(self, "nk", _AEAD_KEY_LEN[self.aead])
        object.__setattr__(self, "nn", 12)

    # --- hash and KDF -------------------------------------------------------------

    def hash(self, data: bytes) -> bytes:
        return hashlib.new(self.hash_name, data).digest()

    def mac(self, key: bytes, data: bytes) -> bytes:
        """MAC(key, data): HMAC with the suite's hash (RFC 9420 §5.1)."""
        return hmac.digest(key, data, self.hash_name)

    def kdf_extract(self, salt: bytes, ikm: bytes) -> bytes:
        """HKDF-Extract (RFC 5869 §2.2); an empty salt means Nh zero bytes."""
        return hmac.digest(salt or bytes(self.nh), ikm, self.hash_name)

    def kdf_expand(self, prk: bytes, info: bytes, length: int) -> bytes:
        """HKDF-Expand (RFC 5869 §2.3)."""
        if length > 255 * self.nh:
            raise UsageError(f"HKDF-Expand length {length} exceeds 255*Nh")
        if length <= self.nh:
            # One block, T(1) = HMAC(PRK, info | 0x01): every key, nonce and secret of
            # the ratchets and the key schedule; the loop below gives the same bytes.
            return hmac.digest(prk, info + b"\x01", self.hash_name)[:length]
        out = b""
        block = b""
        counter = 1
        while len(out) < length:
            block = hmac.digest(prk, block + info + bytes([counter]), self.hash_name)
            out += block
            counter += 1
        return out[:length]

    # --- AEAD ---------------------------------------------------------------------

    def _aead(self, key: bytes) -> AESGCM | ChaCha20Poly1305:
        if len(key) != self.nk:
            raise UsageError(f"AEAD key must be {self.nk} bytes, got {len(key)}")
        if self.aead == AeadId.CHACHA20_POLY1305:
            return ChaCha20Poly1305(key)
        return AESGCM(key)

    def _nonce(self, nonce: bytes) -> bytes:
        # AESGCM would take any 8-128 byte nonce; MLS fixes Nn = 12 (RFC 9180 §7.3).
        if len(nonce) != self.nn:
            raise UsageError(f"AEAD nonce must be {self.nn} bytes, got {len(nonce)}")
        return nonce

    def aead_seal(self, key: bytes, nonce: bytes, aad: bytes, plaintext: bytes) -> bytes:
        return self._aead(key).encrypt(self._nonce(nonce), plaintext, aad)

    def aead_open(self, key: bytes, nonce: bytes, aad: bytes, ciphertext: bytes) -> bytes:
        """Decrypt or raise `InvalidMessage("aead-open-failed")`."""
        try:
            return self._aead(key).decrypt(self._nonce(nonce), ciphertext, aad)
        except InvalidTag:
            raise InvalidMessage("aead-open-failed", "ciphertext failed authentication") from None

    # --- signatures ---------------------------------------------------------------

    def _signing_key(
        self, private_key: bytes
    ) -> ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | ec.EllipticCurvePrivateKey:
        """Load an encoded signing key; a wrong length or out-of-range scalar is `UsageError`.

        An ECDSA key is a big-endian integer and may come with leading zero bytes dropped
        (the message-protection vectors have 65-byte P-521 keys), so it may be shorter.
        """
        scheme = self.signature
        size = _SIG_PRIVATE_LEN.get(scheme) or _EC_CURVES[scheme][2]
        short_ok = scheme not in _SIG_PRIVATE_LEN and 0 < len(private_key) < size
        if len(private_key) != size and not short_ok:
            raise UsageError(
                f"{scheme.name} private key must be {size} bytes, got {len(private_key)}"
            )
        if scheme == SignatureScheme.ED25519:
            return ed25519.Ed25519PrivateKey.from_private_bytes(private_key)
        if scheme == SignatureScheme.ED448:
            return ed448.Ed448PrivateKey.from_private_bytes(private_key)
        scalar = int.from_bytes(private_key, "big")
        if not 0 < scalar < _EC_ORDERS[scheme]:
            raise UsageError(f"{scheme.name} private key is not a scalar in [1, order-1]")
        return ec.derive_private_key(scalar, _EC_CURVES[scheme][0])

    def sign(self, private_key: bytes, message: bytes) -> bytes:
        key = self._signing_key(private_key)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(message, ec.ECDSA(_EC_CURVES[self.signature][1]))
        return key.sign(message)

    def verify(self, public_key: bytes, message: bytes, signature: bytes) -> bool:
        """True when `signature` is valid; any malformed key or signature is False."""
        scheme = self.signature
        try:
            if scheme == SignatureScheme.ED25519:
                _ed25519_public(bytes(public_key)).verify(signature, message)
            elif scheme == SignatureScheme.ED448:
                ed448.Ed448PublicKey.from_public_bytes(public_key).verify(signature, message)
            else:
                curve, algorithm, _ = _EC_CURVES[scheme]
                pub = ec.EllipticCurvePublicKey.from_encoded_point(curve, public_key)
                pub.verify(signature, message, ec.ECDSA(algorithm))
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True

    def signature_public_key(self, private_key: bytes) -> bytes:
        """The encoded public key for an encoded private signing key."""
        from cryptography.hazmat.primitives import serialization as ser

        key = self._signing_key(private_key)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.public_key().public_bytes(
                ser.Encoding.X962, ser.PublicFormat.UncompressedPoint
            )
        return key.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)

    def generate_signature_key(self, rng: Rng) -> tuple[bytes, bytes]:
        """A fresh (private, public) signing key pair from `rng`."""
        scheme = self.signature
        if scheme == SignatureScheme.ED25519:
            private = rng(32)
        elif scheme == SignatureScheme.ED448:
            private = rng(57)
        else:
            _, _, size = _EC_CURVES[scheme]
            order = _EC_ORDERS[scheme]
            while True:
                candidate = bytearray(rng(size))
                if scheme == SignatureScheme.ECDSA_SECP521R1_SHA512:
                    candidate[0] &= 0x01
                value = int.from_bytes(candidate, "big")
                if 0 < value < order:
                    private = bytes(candidate)
                    break
        return private, self.signature_public_key(private)


def _suite(
    sid: int, name: str, kem: KemId, kdf: KdfId, aead: AeadId, sig: SignatureScheme, h: str
) -> CipherSuite:
    return CipherSuite(sid, name, kem, kdf, aead, sig, h)


#: Every cipher suite RFC 9420 §17.1 registers, by id.
SUITES: Final[dict[int, CipherSuite]] = {
    s.id: s
    for s in (
        _suite(
            0x0001,
            "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
            KemId.DHKEM_X25519,
            KdfId.HKDF_SHA256,
            AeadId.AES_128_GCM,
            SignatureScheme.ED25519,
            "sha256",
        ),
        _suite(
            0x0002,
            "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
            KemId.DHKEM_P256,
            KdfId.HKDF_SHA256,
            AeadId.AES_128_GCM,
            SignatureScheme.ECDSA_SECP256R1_SHA256,
            "sha256",
        ),
        _suite(
            0x0003,
            "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
            KemId.DHKEM_X25519,
            KdfId.HKDF_SHA256,
            AeadId.CHACHA20_POLY1305,
            SignatureScheme.ED25519,
            "sha256",
        ),
        _suite(
            0x0004,
            "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
            KemId.DHKEM_X448,
            KdfId.HKDF_SHA512,
            AeadId.AES_256_GCM,
            SignatureScheme.ED448,
            "sha512",
        ),
        _suite(
            0x0005,
            "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
            KemId.DHKEM_P521,
            KdfId.HKDF_SHA512,
            AeadId.AES_256_GCM,
            SignatureScheme.ECDSA_SECP521R1_SHA512,
            "sha512",
        ),
        _suite(
            0x0006,
            "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448",
            KemId.DHKEM_X448,
            KdfId.HKDF_SHA512,
            AeadId.CHACHA20_POLY1305,
            SignatureScheme.ED448,
            "sha512",
        ),
        _suite(
            0x0007,
            "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
            KemId.DHKEM_P384,
            KdfId.HKDF_SHA384,
            AeadId.AES_256_GCM,
            SignatureScheme.ECDSA_SECP384R1_SHA384,
            "sha384",
        ),
    )
}


def get_suite(suite_id: int) -> CipherSuite:
    """The suite with this id, or `UsageError` naming the supported ones."""
    try:
        return SUITES[suite_id]
    except KeyError:
        supported = ", ".join(f"0x{s:04x}" for s in SUITES)
        raise UsageError(
            f"unsupported cipher suite 0x{suite_id:04x} (supported: {supported})"
        ) from None


@functools.lru_cache(maxsize=256)
def _ed25519_public(public_key: bytes) -> ed25519.Ed25519PublicKey:
    """A loaded Ed25519 public key, kept for the next message of the same leaf: every
    message received is verified with its sender leaf's key, and loading it again each
    time costs a little CPU for nothing. Public keys only (never a private key or any
    secret); the key is looked up by its bytes, so a leaf that changes its key gets the
    new one. A malformed key raises ValueError, which is not cached."""
    return ed25519.Ed25519PublicKey.from_public_bytes(public_key)
