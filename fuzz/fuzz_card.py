"""Invitation cards: the text code (mode 0), the payload a member's vault keeps (mode 1),
and a KeyPackage the newcomer re-signs with its own key (mode 2: the fuzzed bytes are a
KeyPackage; its leaf and itself are signed again, so the signature checks pass and
everything behind them is reached). Only `CardError` may escape; a card that decodes
encodes back to a code that decodes to the same card."""

from __future__ import annotations

from dataclasses import replace

import msgspec

from fuzz._common import NOW, DetRng, Finding, harness, main
from hasteh.app.cards import decode_card, encode_card, read_card
from hasteh.app.errors import CardError
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import MLSMessage
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.key_package_ops import KEY_PACKAGE_TBS_LABEL, _replace_signature
from hasteh.mls.labels import sign_with_label

SUITE = get_suite(1)
_SIGNER, _SIGNER_PUBLIC = SUITE.generate_signature_key(DetRng(b"card"))


def payload(key_package: bytes) -> bytes:
    return msgspec.msgpack.encode([1, key_package, b"p" * 32, ["https://relay.example"], NOW + 1])


def resign(data: bytes) -> bytes | None:
    """The fuzzed KeyPackage, signed again by the newcomer's own key."""
    try:
        kp = KeyPackage.from_bytes(data)
    except MLSError:
        return None
    leaf = replace(kp.leaf_node, signature_key=_SIGNER_PUBLIC)
    try:
        leaf = _replace_signature(leaf, sign_with_label(SUITE, _SIGNER, "LeafNodeTBS", leaf.tbs()))
        unsigned = replace(kp, leaf_node=leaf, signature=b"")
        signature = sign_with_label(SUITE, _SIGNER, KEY_PACKAGE_TBS_LABEL, unsigned.tbs())
        return MLSMessage(replace(unsigned, signature=signature)).to_bytes()
    except MLSError:
        return None


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    try:
        if mode == 0:
            card = read_card(rest.decode("utf-8", errors="surrogateescape"), now=NOW)
        elif mode == 1:
            card = decode_card(rest, now=NOW)
        else:
            wire = resign(rest)
            if wire is None:
                return
            card = decode_card(payload(wire), now=NOW)
    except CardError:
        return
    again = read_card(encode_card(card), now=NOW)
    if again != card or card.cover_name != again.cover_name:
        raise Finding("a card does not survive encode/decode")


if __name__ == "__main__":
    main(TestOneInput)
