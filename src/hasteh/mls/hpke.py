"""HPKE base mode (RFC 9180 §4-§6, §7.1) with the DHKEMs MLS uses.

Only mode_base (0x00) is implemented: that is all RFC 9420 §5.1.3 needs. The KEMs are
DHKEM(P-256/P-384/P-521, HKDF-SHA2) and DHKEM(X25519/X448); the KDFs HKDF-SHA256/384/512;
the AEADs AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 and export-only (0xFFFF).

The Diffie-Hellman groups and the AEADs are pyca/cryptography's; HKDF is the standard
library's `hmac.digest` (one OpenSSL call per block). The protocol glue around them
(LabeledExtract/LabeledExpand, Encap/Decap, KeySchedule, the nonce sequence) is written
here from RFC 9180.

Key encodings (§7.1.1-§7.1.2): X25519/X448 keys are raw bytes; NIST-curve private keys are
the big-endian scalar of Nsk bytes (shorter inputs, with leading zeros dropped, are accepted
and padded), public keys the uncompressed SEC1 point.

Sans-I/O: the only randomness is the `rng` argument. An ephemeral key is
`DeriveKeyPair(rng(Nsk))`, so a fixed `rng` reproduces the RFC 9180 test vectors.

Errors, by who is at fault:

* a ciphertext or encapsulation that does not open — wrong key, tampering, a malformed
  or low-order point, an all-zero shared secret — is `InvalidMessage("hpke-open-failed")`,
  with no finer oracle;
* a recipient public key that is not a valid point when sealing is
  `InvalidMessage("hpke-bad-public-key")` (it came from a peer);
* wrong-length keys, unknown algorithm ids, oversized exports, misuse of an export-only
  context or an exhausted sequence number are `UsageError`.

Repeated opens with one private key can load it once with `load_private_key` and pass
the `PrivateKey` wherever `sk_r` is accepted; loading an X25519/X448 key costs a scalar
multiplication, so this halves the cost of `open_base`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, TypeAlias

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization as _ser
from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from .cipher_suite import Rng
from .errors import InvalidMessage, UsageError

__all__ = [
    "AEAD_EXPORT_ONLY",
    "PrivateKey",
    "RecipientContext",
    "SenderContext",
    "derive_key_pair",
    "export_base_r",
    "export_base_s",
    "generate_key_pair",
    "load_private_key",
    "open_base",
    "public_key_of",
    "seal_base",
    "setup_base_r",
    "setup_base_s",
]


#: The export-only AEAD id (§7.3): the context can `export` but not seal or open.
AEAD_EXPORT_ONLY: Final = 0xFFFF

_VERSION: Final = b"HPKE-v1"
_MODE_BASE: Final = b"\x00"
_NN: Final = 12  # nonce length of every AEAD in §7.3
_NT: Final = 16  # tag length of every AEAD in §7.3
_SEQ_MAX: Final = (1 << (8 * _NN)) - 1

_HASH_LEN: Final = {"sha256": 32, "sha384": 48, "sha512": 64}

_hmac: Callable[[bytes, bytes, str], bytes] = hmac.digest
try:  # the C function behind hmac.digest, minus a Python frame per call
    from _hashlib import hmac_digest as _hmac_c
except ImportError:  # pragma: no cover - CPython without OpenSSL
    pass
else:
    _hmac = _hmac_c

_PyPriv: TypeAlias = x25519.X25519PrivateKey | x448.X448PrivateKey | ec.EllipticCurvePrivateKey
_Aead: TypeAlias = AESGCM | ChaCha20Poly1305


# --- HKDF (RFC 5869) -------------------------------------------------------------------


def _expand(prk: bytes, info: bytes, length: int, hash_name: str, nh: int) -> bytes:
    """HKDF-Expand; a single HMAC when `length <= Nh` (every call but large exports)."""
    if length <= nh:
        return _hmac(prk, info + b"\x01", hash_name)[:length]
    if length > 255 * nh:
        raise UsageError(f"HKDF-Expand length {length} exceeds 255*Nh = {255 * nh}")
    out = []
    block = b""
    for counter in range(1, -(-length // nh) + 1):
        block = _hmac(prk, block + info + bytes((counter,)), hash_name)
        out.append(block)
    return b"".join(out)[:length]


# --- KEMs (§4.1, §7.1) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Kem:
    """One DHKEM with every constant its LabeledExtract/LabeledExpand calls need."""

    id: int
    name: str
    hash_name: str  # the KEM's own KDF (§7.1), not the suite's
    nh: int
    nsecret: int
    npk: int  # == Nenc
    nsk: int
    curve: ec.EllipticCurve | None  # None for X25519 / X448
    order: int  # NIST curves only
    bitmask: int  # NIST curves only (§7.1.3)
    # Labeled prefixes: "HPKE-v1" || "KEM" || I2OSP(kem_id, 2) || label, with I2OSP(L, 2)
    # in front for LabeledExpand.
    zero_salt: bytes = field(init=False)
    dkp_prk: bytes = field(init=False)
    sk: bytes = field(init=False)
    candidate: bytes = field(init=False)
    eae_prk: bytes = field(init=False)
    shared_secret: bytes = field(init=False)

    def __post_init__(self) -> None:
        pre = _VERSION + b"KEM" + self.id.to_bytes(2, "big")
        put = object.__setattr__
        put(self, "zero_salt", bytes(self.nh))
        put(self, "dkp_prk", pre + b"dkp_prk")
        put(self, "sk", self.nsk.to_bytes(2, "big") + pre + b"sk")
        put(self, "candidate", self.nsk.to_bytes(2, "big") + pre + b"candidate")
        put(self, "eae_prk", pre + b"eae_prk")
        put(self, "shared_secret", self.nsecret.to_bytes(2, "big") + pre + b"shared_secret")


_P256_ORDER: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P384_ORDER: Final = int(
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
    "581a0db248b0a77aecec196accc52973",
    16,
)
_P521_ORDER: Final = int(
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    16,
)

_KEMS: Final[dict[int, _Kem]] = {
    k.id: k
    for k in (
        _Kem(
            0x0010,
            "DHKEM(P-256, HKDF-SHA256)",
            "sha256",
            32,
            32,
            65,
            32,
            ec.SECP256R1(),
            _P256_ORDER,
            0xFF,
        ),
        _Kem(
            0x0011,
            "DHKEM(P-384, HKDF-SHA384)",
            "sha384",
            48,
            48,
            97,
            48,
            ec.SECP384R1(),
            _P384_ORDER,
            0xFF,
        ),
        _Kem(
            0x0012,
            "DHKEM(P-521, HKDF-SHA512)",
            "sha512",
            64,
            64,
            133,
            66,
            ec.SECP521R1(),
            _P521_ORDER,
            0x01,
        ),
        _Kem(0x0020, "DHKEM(X25519, HKDF-SHA256)", "sha256", 32, 32, 32, 32, None, 0, 0),
        _Kem(0x0021, "DHKEM(X448, HKDF-SHA512)", "sha512", 64, 64, 56, 56, None, 0, 0),
    )
}

_KDF_HASH: Final = {0x0001: "sha256", 0x0002: "sha384", 0x0003: "sha512"}
_AEAD_NK: Final = {0x0001: 16, 0x0002: 32, 0x0003: 32, AEAD_EXPORT_ONLY: 0}


def _kem(kem_id: int) -> _Kem:
    try:
        return _KEMS[kem_id]
    except KeyError:
        raise UsageError(f"unsupported HPKE KEM 0x{kem_id:04x}") from None


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class PrivateKey:
    """An HPKE private key loaded once, with its encoded public key.

    Pass it as `sk_r` to `open_base`/`setup_base_r`/`export_base_r` to skip re-loading
    the key (and recomputing its public key) on every call.
    """

    kem_id: int
    private_bytes: bytes
    public_bytes: bytes
    _key: _PyPriv

    def __repr__(self) -> str:  # never print the secret
        return f"PrivateKey(kem_id=0x{self.kem_id:04x}, public_bytes={self.public_bytes.hex()})"


def _load(kem: _Kem, sk: bytes) -> PrivateKey:
    if kem.curve is not None and 0 < len(sk) < kem.nsk:
        # A NIST private key is an integer: accept it with its leading zero bytes dropped,
        # as some MLS implementations write P-521 keys (the passive-client vectors have
        # 65-byte ones), and store it at the full Nsk bytes SerializePrivateKey gives.
        sk = bytes(kem.nsk - len(sk)) + sk
    if len(sk) != kem.nsk:
        raise UsageError(f"{kem.name} private key must be {kem.nsk} bytes, got {len(sk)}")
    key: _PyPriv
    if kem.curve is None:
        if kem.id == 0x0020:
            key = x25519.X25519PrivateKey.from_private_bytes(sk)
        else:
            key = x448.X448PrivateKey.from_private_bytes(sk)
        pub = key.public_key().public_bytes_raw()
    else:
        scalar = int.from_bytes(sk, "big")
        if not 0 < scalar < kem.order:
            raise UsageError(f"{kem.name} private key is not a scalar in [1, order-1]")
        key = ec.derive_private_key(scalar, kem.curve)
        pub = key.public_key().public_bytes(_ser.Encoding.X962, _ser.PublicFormat.UncompressedPoint)
    return PrivateKey(kem.id, bytes(sk), pub, key)


def load_private_key(kem_id: int, sk: bytes) -> PrivateKey:
    """Load an encoded private key once for repeated use (`UsageError` if malformed)."""
    return _load(_kem(kem_id), sk)


def _derive(kem: _Kem, ikm: bytes) -> PrivateKey:
    """DeriveKeyPair(ikm) (§7.1.3), with the KEM's own KDF."""
    prk = _hmac(kem.zero_salt, kem.dkp_prk + ikm, kem.hash_name)
    if kem.curve is None:
        return _load(kem, _hmac(prk, kem.sk + b"\x01", kem.hash_name)[: kem.nsk])
    for counter in range(256):
        candidate = bytearray(
            _expand(prk, kem.candidate + bytes((counter,)), kem.nsk, kem.hash_name, kem.nh)
        )
        candidate[0] &= kem.bitmask
        if 0 < int.from_bytes(candidate, "big") < kem.order:
            return _load(kem, bytes(candidate))
    raise UsageError("DeriveKeyPairError: no valid scalar in 256 candidates")  # pragma: no cover


def derive_key_pair(kem_id: int, ikm: bytes) -> tuple[bytes, bytes]:
    """DeriveKeyPair(ikm) (RFC 9180 §7.1.3): the encoded (sk, pk)."""
    key = _derive(_kem(kem_id), ikm)
    return key.private_bytes, key.public_bytes


def generate_key_pair(kem_id: int, rng: Rng) -> tuple[bytes, bytes]:
    """GenerateKeyPair() as DeriveKeyPair(rng(Nsk)) (§4): the encoded (sk, pk)."""
    kem = _kem(kem_id)
    key = _derive(kem, rng(kem.nsk))
    return key.private_bytes, key.public_bytes


def public_key_of(kem_id: int, sk: bytes) -> bytes:
    """SerializePublicKey(pk(sk)) for an encoded private key."""
    return _load(_kem(kem_id), sk).public_bytes


_PyPub: TypeAlias = x25519.X25519PublicKey | x448.X448PublicKey | ec.EllipticCurvePublicKey


def _peer(kem_id: int, pk: bytes) -> _PyPub | None:
    """DeserializePublicKey(pk) with the §7.1.4 validation, or None if invalid."""
    kem = _KEMS[kem_id]
    if len(pk) != kem.npk:
        return None
    try:
        if kem.curve is None:
            if kem_id == 0x0020:
                return x25519.X25519PublicKey.from_public_bytes(pk)
            return x448.X448PublicKey.from_public_bytes(pk)
        # from_encoded_point checks that the point is on the curve and not infinity
        # (partial validation); 0x04 is SEC1's uncompressed form, the only one of Npk bytes.
        if pk[0] != 0x04:
            return None
        return ec.EllipticCurvePublicKey.from_encoded_point(kem.curve, pk)
    except ValueError:
        return None


#: Recipient public keys parsed for sealing. They are not secret, and MLS seals to the
#: same tree's keys again and again; parsing a NIST point checks it is on the curve.
#: Encapsulations (`enc`) are fresh every time, so `open` parses them uncached.
_recipient = lru_cache(maxsize=512)(_peer)


def _dh(kem: _Kem, key: _PyPriv, peer: _PyPub | None) -> bytes | None:
    """DH(sk, pk) with the §7.1.4 validation; None when `pk` or the output is invalid."""
    if peer is None:
        return None
    try:
        if isinstance(key, ec.EllipticCurvePrivateKey):
            assert isinstance(peer, ec.EllipticCurvePublicKey)
            return key.exchange(ec.ECDH(), peer)  # never the point at infinity
        if isinstance(key, x25519.X25519PrivateKey):
            assert isinstance(peer, x25519.X25519PublicKey)
            dh = key.exchange(peer)
        else:
            assert isinstance(peer, x448.X448PublicKey)
            dh = key.exchange(peer)
    except ValueError:  # pyca refuses an all-zero X25519/X448 output
        return None
    if not any(dh):  # RFC 7748 §6: and so do we, whatever pyca does
        return None
    return dh


def _extract_and_expand(kem: _Kem, dh: bytes, kem_context: bytes) -> bytes:
    prk = _hmac(kem.zero_salt, kem.eae_prk + dh, kem.hash_name)
    return _expand(prk, kem.shared_secret + kem_context, kem.nsecret, kem.hash_name, kem.nh)


# --- key schedule and contexts (§5) ----------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Suite:
    """Per-(KEM, KDF, AEAD) constants: the ids, lengths and labeled prefixes."""

    kem: _Kem
    kdf_id: int
    aead_id: int
    hash_name: str
    nh: int
    nk: int
    zero_salt: bytes
    # "HPKE-v1" || "HPKE" || kem || kdf || aead || label (with I2OSP(L, 2) for expands)
    info_hash: bytes
    secret: bytes
    key: bytes
    base_nonce: bytes
    exp: bytes
    sec: bytes  # without I2OSP(L, 2), which `export` prepends
    context_prefix: bytes  # mode_base || psk_id_hash, the start of key_schedule_context


@lru_cache(maxsize=64)
def _suite(kem_id: int, kdf_id: int, aead_id: int) -> _Suite:
    kem = _kem(kem_id)
    if kdf_id not in _KDF_HASH:
        raise UsageError(f"unsupported HPKE KDF 0x{kdf_id:04x}")
    if aead_id not in _AEAD_NK:
        raise UsageError(f"unsupported HPKE AEAD 0x{aead_id:04x}")
    hash_name = _KDF_HASH[kdf_id]
    nh = _HASH_LEN[hash_name]
    nk = _AEAD_NK[aead_id]
    pre = _VERSION + b"HPKE" + b"".join(i.to_bytes(2, "big") for i in (kem_id, kdf_id, aead_id))
    zero_salt = bytes(nh)
    # psk_id_hash = LabeledExtract("", "psk_id_hash", default_psk_id): constant in mode_base.
    psk_id_hash = _hmac(zero_salt, pre + b"psk_id_hash", hash_name)
    return _Suite(
        kem=kem,
        kdf_id=kdf_id,
        aead_id=aead_id,
        hash_name=hash_name,
        nh=nh,
        nk=nk,
        zero_salt=zero_salt,
        info_hash=pre + b"info_hash",
        secret=pre + b"secret",
        key=nk.to_bytes(2, "big") + pre + b"key",
        base_nonce=_NN.to_bytes(2, "big") + pre + b"base_nonce",
        exp=nh.to_bytes(2, "big") + pre + b"exp",
        sec=pre + b"sec",
        context_prefix=_MODE_BASE + psk_id_hash,
    )


def _key_schedule(s: _Suite, shared_secret: bytes, info: bytes) -> tuple[_Aead | None, int, bytes]:
    """KeySchedule(mode_base, shared_secret, info, "", "") (§5.1).

    Returns (AEAD keyed with `key` or None for export-only, base_nonce as an int,
    exporter_secret).
    """
    h = s.hash_name
    context = s.context_prefix + _hmac(s.zero_salt, s.info_hash + info, h)
    # secret = LabeledExtract(shared_secret, "secret", default_psk)
    secret = _hmac(shared_secret, s.secret, h)
    exporter_secret = _hmac(secret, s.exp + context + b"\x01", h)
    if s.nk == 0:
        return None, 0, exporter_secret
    key = _hmac(secret, s.key + context + b"\x01", h)[: s.nk]
    nonce = _hmac(secret, s.base_nonce + context + b"\x01", h)[:_NN]
    aead: _Aead = ChaCha20Poly1305(key) if s.aead_id == 0x0003 else AESGCM(key)
    return aead, int.from_bytes(nonce, "big"), exporter_secret


class _Context:
    __slots__ = ("_aead", "_base_nonce", "_exporter_secret", "_seq", "_suite")

    def __init__(self, suite: _Suite, shared_secret: bytes, info: bytes) -> None:
        self._suite = suite
        self._aead, self._base_nonce, self._exporter_secret = _key_schedule(
            suite, shared_secret, info
        )
        self._seq = 0

    @property
    def seq(self) -> int:
        """The sequence number of the next seal or open."""
        return self._seq

    def _next_nonce(self) -> tuple[_Aead, bytes]:
        if self._aead is None:
            raise UsageError("an export-only HPKE context cannot seal or open")
        if self._seq > _SEQ_MAX:  # pragma: no cover - 2**96 messages
            raise UsageError("HPKE message limit reached")
        return self._aead, (self._base_nonce ^ self._seq).to_bytes(_NN, "big")

    def export(self, exporter_context: bytes, length: int) -> bytes:
        """Context.Export(exporter_context, L) (§5.3)."""
        s = self._suite
        if not 0 <= length <= 255 * s.nh:
            raise UsageError(f"HPKE export length {length} not in [0, 255*Nh]")
        return _expand(
            self._exporter_secret,
            length.to_bytes(2, "big") + s.sec + exporter_context,
            length,
            s.hash_name,
            s.nh,
        )


class SenderContext(_Context):
    """ContextS (§5.2): seals in sequence and exports; never opens."""

    __slots__ = ()

    def seal(self, aad: bytes, pt: bytes) -> bytes:
        """ContextS.Seal(aad, pt): the ciphertext, Nt bytes longer than `pt`."""
        aead, nonce = self._next_nonce()
        ct = aead.encrypt(nonce, pt, aad)
        self._seq += 1
        return ct


class RecipientContext(_Context):
    """ContextR (§5.2): opens in sequence and exports; never seals."""

    __slots__ = ()

    def open(self, aad: bytes, ct: bytes) -> bytes:
        """ContextR.Open(aad, ct), or `InvalidMessage("hpke-open-failed")`.

        A failed open leaves the sequence number where it was.
        """
        aead, nonce = self._next_nonce()
        try:
            pt = aead.decrypt(nonce, ct, aad)
        except InvalidTag:
            raise InvalidMessage("hpke-open-failed", "ciphertext failed authentication") from None
        self._seq += 1
        return pt


# --- SetupBaseS / SetupBaseR (§5.1.1) --------------------------------------------------


def _encap(s: _Suite, pk_r: bytes, rng: Rng) -> tuple[bytes, bytes]:
    kem = s.kem
    if type(pk_r) is not bytes:  # the parsed-key cache needs a hashable key
        pk_r = bytes(pk_r)
    if len(pk_r) != kem.npk:
        raise UsageError(f"{kem.name} public key must be {kem.npk} bytes, got {len(pk_r)}")
    peer = _recipient(kem.id, pk_r)
    if peer is None:
        raise InvalidMessage("hpke-bad-public-key", f"not a valid {kem.name} public key")
    ephemeral = _derive(kem, rng(kem.nsk))
    dh = _dh(kem, ephemeral._key, peer)
    if dh is None:
        raise InvalidMessage("hpke-bad-public-key", f"not a valid {kem.name} public key")
    enc = ephemeral.public_bytes
    return _extract_and_expand(kem, dh, enc + pk_r), enc


def _decap(s: _Suite, enc: bytes, sk_r: bytes | PrivateKey) -> bytes:
    kem = s.kem
    if isinstance(sk_r, PrivateKey):
        if sk_r.kem_id != kem.id:
            raise UsageError(f"private key is for KEM 0x{sk_r.kem_id:04x}, not {kem.name}")
        key = sk_r
    else:
        key = _load(kem, sk_r)
    if len(enc) != kem.npk:
        raise InvalidMessage("hpke-open-failed", f"enc must be {kem.npk} bytes")
    dh = _dh(kem, key._key, _peer(kem.id, enc))
    if dh is None:
        raise InvalidMessage("hpke-open-failed", "invalid encapsulated key")
    return _extract_and_expand(kem, dh, enc + key.public_bytes)


def setup_base_s(
    kem: int, kdf: int, aead: int, pk_r: bytes, info: bytes, *, rng: Rng
) -> tuple[bytes, SenderContext]:
    """SetupBaseS(pkR, info) (§5.1.1): (enc, sender context)."""
    s = _suite(kem, kdf, aead)
    shared_secret, enc = _encap(s, pk_r, rng)
    return enc, SenderContext(s, shared_secret, info)


def setup_base_r(
    kem: int, kdf: int, aead: int, enc: bytes, sk_r: bytes | PrivateKey, info: bytes
) -> RecipientContext:
    """SetupBaseR(enc, skR, info) (§5.1.1)."""
    s = _suite(kem, kdf, aead)
    return RecipientContext(s, _decap(s, enc, sk_r), info)


# --- single-shot APIs (§6) -------------------------------------------------------------


def seal_base(
    kem: int,
    kdf: int,
    aead: int,
    pk_r: bytes,
    info: bytes,
    aad: bytes,
    pt: bytes,
    *,
    rng: Rng,
) -> tuple[bytes, bytes]:
    """SealBase(pkR, info, aad, pt) (§6.1): (enc, ct)."""
    s = _suite(kem, kdf, aead)
    if s.nk == 0:
        raise UsageError("an export-only HPKE suite cannot seal")
    shared_secret, enc = _encap(s, pk_r, rng)
    cipher, nonce, _ = _key_schedule(s, shared_secret, info)
    assert cipher is not None
    return enc, cipher.encrypt(nonce.to_bytes(_NN, "big"), pt, aad)


def open_base(
    kem: int,
    kdf: int,
    aead: int,
    enc: bytes,
    sk_r: bytes | PrivateKey,
    info: bytes,
    aad: bytes,
    ct: bytes,
) -> bytes:
    """OpenBase(enc, skR, info, aad, ct) (§6.1), or `InvalidMessage("hpke-open-failed")`."""
    s = _suite(kem, kdf, aead)
    if s.nk == 0:
        raise UsageError("an export-only HPKE suite cannot open")
    cipher, nonce, _ = _key_schedule(s, _decap(s, enc, sk_r), info)
    assert cipher is not None
    try:
        return cipher.decrypt(nonce.to_bytes(_NN, "big"), ct, aad)
    except InvalidTag:
        raise InvalidMessage("hpke-open-failed", "ciphertext failed authentication") from None


def export_base_s(
    kem: int,
    kdf: int,
    aead: int,
    pk_r: bytes,
    info: bytes,
    exporter_context: bytes,
    length: int,
    *,
    rng: Rng,
) -> tuple[bytes, bytes]:
    """SendExportBase(pkR, info, exporter_context, L) (§6.2): (enc, exported)."""
    enc, ctx = setup_base_s(kem, kdf, aead, pk_r, info, rng=rng)
    return enc, ctx.export(exporter_context, length)


def export_base_r(
    kem: int,
    kdf: int,
    aead: int,
    enc: bytes,
    sk_r: bytes | PrivateKey,
    info: bytes,
    exporter_context: bytes,
    length: int,
) -> bytes:
    """ReceiveExportBase(enc, skR, info, exporter_context, L) (§6.2)."""
    return setup_base_r(kem, kdf, aead, enc, sk_r, info).export(exporter_context, length)
