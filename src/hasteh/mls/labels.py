"""Labeled cryptographic helpers (RFC 9420 §5.2-§5.3, §8).

Every use of a primitive in MLS is domain-separated by a label prefixed with
"MLS 1.0 ". These functions are the only place that prefix is added.
"""

from __future__ import annotations

import functools
import hmac

from .cipher_suite import CipherSuite, Rng
from .codec import Writer, encode_varint, opaque_bytes
from .errors import InvalidMessage, UsageError

LABEL_PREFIX = b"MLS 1.0 "


def _label(label: bytes | str) -> bytes:
    return LABEL_PREFIX + (label.encode() if isinstance(label, str) else label)


def ref_hash(suite: CipherSuite, label: bytes | str, value: bytes) -> bytes:
    """RefHash(label, value) = Hash(RefHashInput) (§5.2). The label has no prefix."""
    w = Writer()
    w.opaque(label.encode() if isinstance(label, str) else label)
    w.opaque(value)
    return suite.hash(w.getvalue())


def expand_with_label(
    suite: CipherSuite, secret: bytes, label: bytes | str, context: bytes, length: int
) -> bytes:
    """ExpandWithLabel (§8): KDF.Expand(secret, KDFLabel, length)."""
    # KDFLabel { uint16 length; opaque label<V>; opaque context<V>; }, built directly:
    # this runs five times per message received.
    if not 0 <= length < 1 << 16:
        raise UsageError(f"ExpandWithLabel length {length} does not fit in uint16")
    n = len(context)
    # opaque context<V>: a one-byte varint for the short contexts of every message.
    size = n.to_bytes(1, "big") if n < 64 else encode_varint(n)
    info = _kdf_label_head(label, length) + size + context
    if length <= suite.nh:
        # One HKDF-Expand block (RFC 5869 §2.3, T(1) = HMAC(PRK, info | 0x01)): every
        # key, nonce and secret of the ratchets, the sender data and the key schedule.
        return hmac.digest(secret, info + b"\x01", suite.hash_name)[:length]
    return suite.kdf_expand(secret, info, length)


@functools.lru_cache(maxsize=256)
def _kdf_label_head(label: bytes | str, length: int) -> bytes:
    """KDFLabel's `length` and `label` fields: the same few labels and lengths come back
    for every message (§8, §9), so they are encoded once. Only public constants are
    cached here, never a secret or a context."""
    return length.to_bytes(2, "big") + opaque_bytes(_label(label))


def derive_secret(suite: CipherSuite, secret: bytes, label: bytes | str) -> bytes:
    """DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", Nh) (§8)."""
    return expand_with_label(suite, secret, label, b"", suite.nh)


def derive_tree_secret(
    suite: CipherSuite, secret: bytes, label: bytes | str, generation: int, length: int
) -> bytes:
    """DeriveTreeSecret (§9): the context is the uint32 generation."""
    return expand_with_label(suite, secret, label, generation.to_bytes(4, "big"), length)


def ratchet_step_secrets(
    suite: CipherSuite, secret: bytes, generation: int
) -> tuple[bytes, bytes, bytes]:
    """One sender-ratchet step (§9.1): DeriveTreeSecret of `secret` with the labels
    "key" (Nk bytes), "nonce" (Nn) and "secret" (Nh) at `generation`; the same bytes as
    three `derive_tree_secret` calls. Each is one HKDF-Expand block (RFC 5869 §2.3), so
    the three KDFLabels share their context and differ only in their public heads."""
    nk, nn, nh = suite.nk, suite.nn, suite.nh
    if not (0 <= generation < 1 << 32 and nk <= nh and nn <= nh):
        return (
            derive_tree_secret(suite, secret, "key", generation, nk),
            derive_tree_secret(suite, secret, "nonce", generation, nn),
            derive_tree_secret(suite, secret, "secret", generation, nh),
        )
    key_head, nonce_head, secret_head = _ratchet_heads(nk, nn, nh)
    # opaque context<V> = the uint32 generation (a one-byte varint length 4), then the
    # HKDF-Expand block counter 0x01.
    tail = b"\x04" + generation.to_bytes(4, "big") + b"\x01"
    name = suite.hash_name
    digest = hmac.digest
    return (
        digest(secret, key_head + tail, name)[:nk],
        digest(secret, nonce_head + tail, name)[:nn],
        digest(secret, secret_head + tail, name)[:nh],
    )


@functools.lru_cache(maxsize=16)
def _ratchet_heads(nk: int, nn: int, nh: int) -> tuple[bytes, bytes, bytes]:
    """The KDFLabel heads of a ratchet step's three labels (public constants)."""
    return _kdf_label_head("key", nk), _kdf_label_head("nonce", nn), _kdf_label_head("secret", nh)


def _sign_content(label: bytes | str, content: bytes) -> bytes:
    """SignContent { opaque label<V>; opaque content<V>; } (§5.1.2)."""
    return _opaque_label(label) + encode_varint(len(content)) + content


@functools.lru_cache(maxsize=64)
def _opaque_label(label: bytes | str) -> bytes:
    """`opaque label<V>` of a prefixed label: a handful of public constants, encoded once
    (every message received is verified under "FramedContentTBS")."""
    return opaque_bytes(_label(label))


def sign_with_label(
    suite: CipherSuite, private_key: bytes, label: bytes | str, content: bytes
) -> bytes:
    """SignWithLabel (§5.1.2)."""
    return suite.sign(private_key, _sign_content(label, content))


def verify_with_label(
    suite: CipherSuite, public_key: bytes, label: bytes | str, content: bytes, signature: bytes
) -> bool:
    """VerifyWithLabel (§5.1.2): True when the signature is valid."""
    return suite.verify(public_key, _sign_content(label, content), signature)


def _encrypt_context(label: bytes | str, context: bytes) -> bytes:
    w = Writer()
    w.opaque(_label(label))
    w.opaque(context)
    return w.getvalue()


def encrypt_with_label(
    suite: CipherSuite,
    public_key: bytes,
    label: bytes | str,
    context: bytes,
    plaintext: bytes,
    *,
    rng: Rng,
) -> tuple[bytes, bytes]:
    """EncryptWithLabel (§5.1.3): HPKE SealBase; returns (kem_output, ciphertext)."""
    from . import hpke

    return hpke.seal_base(
        suite.kem,
        suite.kdf,
        suite.aead,
        public_key,
        _encrypt_context(label, context),
        b"",
        plaintext,
        rng=rng,
    )


def decrypt_with_label(
    suite: CipherSuite,
    private_key: bytes,
    label: bytes | str,
    context: bytes,
    kem_output: bytes,
    ciphertext: bytes,
) -> bytes:
    """DecryptWithLabel (§5.1.3): HPKE OpenBase, or `InvalidMessage("hpke-open-failed")`."""
    from . import hpke

    try:
        return hpke.open_base(
            suite.kem,
            suite.kdf,
            suite.aead,
            kem_output,
            private_key,
            _encrypt_context(label, context),
            b"",
            ciphertext,
        )
    except InvalidMessage:
        raise
    except ValueError as exc:
        raise InvalidMessage("hpke-open-failed", str(exc)) from None
