"""The seven MLS cipher suites (RFC 9420 §5.1, §17.1) as `CipherSuite` records.

Signatures round-trip and reject anything altered with False (never an exception);
AEAD failures are `InvalidMessage("aead-open-failed")`; wrong key and nonce lengths and
unknown suites are the caller's fault (`UsageError`); key generation is a function of
the `rng` alone.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

from hasteh.mls.cipher_suite import SUITES, AeadId, CipherSuite, SignatureScheme, get_suite
from hasteh.mls.errors import InvalidMessage, UsageError

ALL = list(SUITES.values())
IDS = [s.name for s in ALL]

SIG_PRIVATE_LEN = {
    SignatureScheme.ED25519: 32,
    SignatureScheme.ED448: 57,
    SignatureScheme.ECDSA_SECP256R1_SHA256: 32,
    SignatureScheme.ECDSA_SECP384R1_SHA384: 48,
    SignatureScheme.ECDSA_SECP521R1_SHA512: 66,
}
SIG_PUBLIC_LEN = {
    SignatureScheme.ED25519: 32,
    SignatureScheme.ED448: 57,
    SignatureScheme.ECDSA_SECP256R1_SHA256: 65,
    SignatureScheme.ECDSA_SECP384R1_SHA384: 97,
    SignatureScheme.ECDSA_SECP521R1_SHA512: 133,
}


def seeded(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


def _flip(data: bytes, i: int) -> bytes:
    return data[:i] + bytes([data[i] ^ 0x80]) + data[i + 1 :]


def test_registry() -> None:
    assert sorted(SUITES) == list(range(1, 8))
    for sid, suite in SUITES.items():
        assert suite.id == sid and get_suite(sid) is suite


@pytest.mark.parametrize("bad", [0x0000, 0x0008, 0x0099, 0xFFFF, -1])
def test_unknown_suite_is_usage_error(bad: int) -> None:
    with pytest.raises(UsageError, match="unsupported cipher suite"):
        get_suite(bad)


@pytest.mark.parametrize("suite", ALL, ids=IDS)
def test_sign_verify_round_trip(suite: CipherSuite) -> None:
    priv, pub = suite.generate_signature_key(seeded(suite.id))
    assert len(priv) == SIG_PRIVATE_LEN[suite.signature]
    assert len(pub) == SIG_PUBLIC_LEN[suite.signature]
    assert suite.signature_public_key(priv) == pub
    for message in (b"", b"x", os.urandom(5000)):
        sig = suite.sign(priv, message)
        assert suite.verify(pub, message, sig) is True


@pytest.mark.parametrize("suite", ALL, ids=IDS)
def test_verify_rejects_without_raising(suite: CipherSuite) -> None:
    priv, pub = suite.generate_signature_key(seeded(suite.id))
    other_priv, other_pub = suite.generate_signature_key(seeded(suite.id + 100))
    msg = b"commit for epoch 7"
    sig = suite.sign(priv, msg)
    cases = [
        (pub, msg + b"!", sig),  # tampered message
        (pub, msg[:-1], sig),
        (pub, msg, _flip(sig, 0)),  # tampered signature
        (pub, msg, _flip(sig, len(sig) // 2)),
        (pub, msg, _flip(sig, len(sig) - 1)),
        (pub, msg, sig[:-1]),
        (pub, msg, sig + b"\x00"),
        (pub, msg, b""),
        (pub, msg, os.urandom(len(sig))),
        (other_pub, msg, sig),  # someone else's key
        (pub, msg, suite.sign(other_priv, msg)),
        (b"", msg, sig),  # garbage keys
        (pub[:-1], msg, sig),
        (pub + b"\x00", msg, sig),
        (bytes(len(pub)), msg, sig),
        (b"\x04" + bytes(len(pub) - 1), msg, sig),
        (os.urandom(len(pub)), msg, sig),
        (_flip(pub, len(pub) - 1), msg, sig),
    ]
    for key, message, signature in cases:
        assert suite.verify(key, message, signature) is False


@pytest.mark.parametrize("suite", ALL, ids=IDS)
def test_generate_signature_key_is_a_function_of_rng(suite: CipherSuite) -> None:
    a = suite.generate_signature_key(seeded(42))
    assert a == suite.generate_signature_key(seeded(42))
    assert a != suite.generate_signature_key(seeded(43))


def test_ecdsa_key_generation_rejects_out_of_range_candidates() -> None:
    """Rejection sampling: an all-0xff candidate is >= order and is skipped."""
    suite = get_suite(2)
    draws = [b"\xff" * 32, b"\x00" * 32, b"\x01" * 32]
    priv, _ = suite.generate_signature_key(lambda n: draws.pop(0))
    assert priv == b"\x01" * 32
    # P-521 masks the top byte to one bit (66-byte scalar < 2**521)
    priv521, _ = get_suite(5).generate_signature_key(lambda n: b"\x03" + b"\x11" * 65)
    assert priv521[0] == 0x01


@pytest.mark.parametrize("suite", ALL, ids=IDS)
def test_signing_key_misuse_is_usage_error(suite: CipherSuite) -> None:
    priv, _ = suite.generate_signature_key(seeded(suite.id))
    bad = [b"", priv + b"\x00", b"\x00" + priv]
    if suite.signature in (SignatureScheme.ED25519, SignatureScheme.ED448):
        bad += [priv[:-1]]
    else:
        bad += [bytes(len(priv)), b"\xff" * len(priv), b"\x00"]  # scalar 0, >= order
    for key in bad:
        with pytest.raises(UsageError):
            suite.sign(key, b"m")
        with pytest.raises(UsageError):
            suite.signature_public_key(key)


# --- AEAD ------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ALL, ids=IDS)
def test_aead_round_trip_and_tamper(suite: CipherSuite) -> None:
    key, nonce = os.urandom(suite.nk), os.urandom(suite.nn)
    ct = suite.aead_seal(key, nonce, b"aad", b"plaintext")
    assert len(ct) == len(b"plaintext") + 16
    assert suite.aead_open(key, nonce, b"aad", ct) == b"plaintext"
    bad = [
        (key, nonce, b"aad", _flip(ct, 0)),
        (key, nonce, b"aad", _flip(ct, len(ct) - 1)),
        (key, nonce, b"aad", ct[:-1]),
        (key, nonce, b"aad", b""),
        (key, nonce, b"aaD", ct),
        (key, _flip(nonce, 0), b"aad", ct),
        (_flip(key, 0), nonce, b"aad", ct),
    ]
    for k, n, a, c in bad:
        with pytest.raises(InvalidMessage) as exc:
            suite.aead_open(k, n, a, c)
        assert exc.value.reason == "aead-open-failed"


@pytest.mark.parametrize("suite", ALL, ids=IDS)
def test_aead_length_misuse_is_usage_error(suite: CipherSuite) -> None:
    expected_nk = {AeadId.AES_128_GCM: 16, AeadId.AES_256_GCM: 32, AeadId.CHACHA20_POLY1305: 32}
    assert suite.nk == expected_nk[suite.aead] and suite.nn == 12
    key, nonce = os.urandom(suite.nk), os.urandom(12)
    ct = suite.aead_seal(key, nonce, b"", b"pt")
    for k in (b"", key[:-1], key + b"\x00", os.urandom(24)):
        with pytest.raises(UsageError):
            suite.aead_seal(k, nonce, b"", b"pt")
        with pytest.raises(UsageError):
            suite.aead_open(k, nonce, b"", ct)
    for n in (b"", nonce[:-1], nonce + b"\x00", os.urandom(16)):
        with pytest.raises(UsageError):
            suite.aead_seal(key, n, b"", b"pt")
        with pytest.raises(UsageError):
            suite.aead_open(key, n, b"", ct)


# --- hash and KDF ----------------------------------------------------------------------

_PYCA_HASH = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


@pytest.mark.parametrize("suite", ALL, ids=IDS)
def test_kdf_matches_pyca_hkdf(suite: CipherSuite) -> None:
    algorithm = _PYCA_HASH[suite.hash_name]
    salt, ikm, info = os.urandom(suite.nh), os.urandom(40), b"info"
    prk = suite.kdf_extract(salt, ikm)
    assert len(prk) == suite.nh == algorithm.digest_size
    for length in (1, suite.nh, suite.nh + 1, 3 * suite.nh + 5, 255 * suite.nh):
        want = HKDF(algorithm, length, salt, info).derive(ikm)
        assert suite.kdf_expand(prk, info, length) == want
        assert HKDFExpand(algorithm, length, info).derive(prk) == want
    # an empty salt is Nh zero bytes (RFC 5869 §2.2)
    assert suite.kdf_extract(b"", ikm) == suite.kdf_extract(bytes(suite.nh), ikm)
    with pytest.raises(UsageError):
        suite.kdf_expand(prk, info, 255 * suite.nh + 1)
    assert len(suite.hash(b"abc")) == suite.nh
    assert len(suite.mac(b"k", b"abc")) == suite.nh


def test_ecdsa_orders_are_the_curve_orders() -> None:
    """order - 1 is the largest valid scalar and order itself is refused by OpenSSL."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from hasteh.mls.cipher_suite import _EC_ORDERS

    curves = {
        SignatureScheme.ECDSA_SECP256R1_SHA256: ec.SECP256R1(),
        SignatureScheme.ECDSA_SECP384R1_SHA384: ec.SECP384R1(),
        SignatureScheme.ECDSA_SECP521R1_SHA512: ec.SECP521R1(),
    }
    for scheme, order in _EC_ORDERS.items():
        assert order.bit_length() == curves[scheme].key_size
        ec.derive_private_key(order - 1, curves[scheme])
        with pytest.raises(ValueError):
            ec.derive_private_key(order, curves[scheme])


@pytest.mark.parametrize("suite_id", [2, 5, 7])
def test_ecdsa_keys_without_leading_zeros(suite_id: int) -> None:
    """An ECDSA private key is an integer; shortened encodings (as in the official
    message-protection vectors' 65-byte P-521 keys) name the same key."""
    suite = get_suite(suite_id)
    size = len(suite.generate_signature_key(seeded(0))[0])
    draws = iter([bytes(2) + b"\x01" * (size - 2)])
    priv, pub = suite.generate_signature_key(lambda n: next(draws))
    short = priv.lstrip(b"\x00")
    assert suite.signature_public_key(short) == pub
    assert suite.verify(pub, b"m", suite.sign(short, b"m"))


def test_loaded_ed25519_keys_are_looked_up_by_their_bytes() -> None:
    """Loaded public keys are kept for the next message (a catch-up verifies thousands
    with the same leaf's key): a leaf whose key changed, or a forger who reuses a
    member's signature under another key, must still be judged by the key given now."""
    suite = get_suite(1)
    a_priv, a_pub = suite.generate_signature_key(seeded(1))
    b_priv, b_pub = suite.generate_signature_key(seeded(2))
    msg = b"talk.message"
    sig_a, sig_b = suite.sign(a_priv, msg), suite.sign(b_priv, msg)
    for _ in range(3):  # alternate, so each key is served from what was kept
        assert suite.verify(a_pub, msg, sig_a) is True
        assert suite.verify(b_pub, msg, sig_a) is False
        assert suite.verify(b_pub, msg, sig_b) is True
        assert suite.verify(a_pub, msg, sig_b) is False
    assert suite.verify(bytearray(a_pub), msg, sig_a) is True  # type: ignore[arg-type]
    bad = bytes(31) + b"\x80"  # not a point: refused every time, never kept as a key
    assert suite.verify(bad, msg, sig_a) is False
    assert suite.verify(bad, msg, sig_a) is False
