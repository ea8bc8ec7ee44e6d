"""crypto-basics.json: RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret,
SignWithLabel/VerifyWithLabel and EncryptWithLabel/DecryptWithLabel (RFC 9420 §5, §8)."""

from __future__ import annotations

from typing import Any

from hasteh.mls import labels
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.vectors import Mismatch, expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])

    v = case["ref_hash"]
    expect("ref_hash", labels.ref_hash(suite, v["label"], h(v["value"])), h(v["out"]))

    v = case["expand_with_label"]
    out = labels.expand_with_label(suite, h(v["secret"]), v["label"], h(v["context"]), v["length"])
    expect("expand_with_label", out, h(v["out"]))

    v = case["derive_secret"]
    expect("derive_secret", labels.derive_secret(suite, h(v["secret"]), v["label"]), h(v["out"]))

    v = case["derive_tree_secret"]
    out = labels.derive_tree_secret(suite, h(v["secret"]), v["label"], v["generation"], v["length"])
    expect("derive_tree_secret", out, h(v["out"]))

    # Verification: the given signature verifies, and so does one we make.
    v = case["sign_with_label"]
    priv, pub, content = h(v["priv"]), h(v["pub"]), h(v["content"])
    if not labels.verify_with_label(suite, pub, v["label"], content, h(v["signature"])):
        raise Mismatch("sign_with_label: the vector's signature does not verify")
    ours = labels.sign_with_label(suite, priv, v["label"], content)
    if not labels.verify_with_label(suite, pub, v["label"], content, ours):
        raise Mismatch("sign_with_label: our signature does not verify")

    # Verification: the vector's ciphertext decrypts to the plaintext.
    v = case["encrypt_with_label"]
    pt = labels.decrypt_with_label(
        suite, h(v["priv"]), v["label"], h(v["context"]), h(v["kem_output"]), h(v["ciphertext"])
    )
    expect("decrypt_with_label", pt, h(v["plaintext"]))
    # ... and our own encryption to the vector's public key decrypts with its private key.
    seed = iter(suite.kdf_expand(suite.hash(h(v["ciphertext"])), b"rng", 255 * suite.nh))

    def rng(n: int) -> bytes:
        return bytes(next(seed) for _ in range(n))

    kem_output, ct = labels.encrypt_with_label(
        suite, h(v["pub"]), v["label"], h(v["context"]), h(v["plaintext"]), rng=rng
    )
    pt = labels.decrypt_with_label(suite, h(v["priv"]), v["label"], h(v["context"]), kem_output, ct)
    expect("encrypt_with_label round trip", pt, h(v["plaintext"]))
