"""Differential MLS: hasteh against mls-rs (AWS's Rust implementation, through the
`agentvault-mls-rs-uniffi` wheel of the dev group), on the same bytes.

Mode 0: an MLSMessage of any wire format: does it decode? Both must agree, and a message
both decode must re-encode to the same bytes in both. Mode 1: a KeyPackage (as an
MLSMessage): hasteh's `validate_key_package` against mls-rs adding it to a group (a
commit: mls-rs validates a KeyPackage there, not when proposing). Disagreements are
listed in docs/fuzzing.md (accepted: D1 mls-rs ignores trailing bytes, D2 mls-rs
decodes any protocol version, D6 mls-rs decodes what it cannot re-encode); the others
are `known(...)` until understood, and fail under HASTEH_FUZZ_STRICT=1.

The wheel exposes only suite 1 and PublicMessage handshakes (docs/interop.md). The same
comparison inside one group (processing, not only decoding): `fuzz_mls_diff_group`."""

from __future__ import annotations

from typing import Any

import mls_rs_uniffi as rs  # type: ignore[import-untyped]
from tests.interop.mlsrs_driver import MemoryStorage

from fuzz._common import Finding, harness, known, main
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import MLSMessage
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.key_package_ops import validate_key_package

_SUITE = rs.CipherSuite.CURVE25519_AES128
_CLIENT = rs.Client(
    b"differential",
    rs.generate_signature_keypair(_SUITE),
    rs.ClientConfig(group_state_storage=MemoryStorage(), use_ratchet_tree_extension=True),
)


def _hasteh_decodes(data: bytes) -> MLSMessage | None:
    try:
        return MLSMessage.from_bytes(data)
    except MLSError:
        return None


def _rs_decodes(data: bytes) -> Any:
    try:
        return rs.Message.from_bytes(data)
    except rs.Error:
        return None


def _rs_encodes(message: Any) -> bytes | None:
    try:
        return bytes(message.to_bytes())
    except rs.Error:
        return None  # D6: mls-rs decodes messages its own encoder then refuses


def _decoding(data: bytes) -> None:
    ours, theirs = _hasteh_decodes(data), _rs_decodes(data)
    if theirs is not None and _rs_encodes(theirs) is None:
        return  # D6 (accepted, mls-rs leniency): e.g. the reserved proposal type 0 (§17.4)
    if ours is None and theirs is not None:
        if _rs_encodes(theirs) != data:
            return  # D1 (accepted): mls-rs ignores trailing bytes; hasteh refuses them
        if data[:2] != b"\x00\x01":
            return  # D2 (accepted): mls-rs decodes any protocol version; hasteh only mls10
        known("D3-decode-only-mls-rs-accepts")  # docs/fuzzing.md
        return
    if ours is not None and theirs is None:
        known("D4-decode-only-hasteh-accepts")  # docs/fuzzing.md
        return
    if ours is not None and (ours.to_bytes() != data or _rs_encodes(theirs) != data):
        raise Finding("a message both decode does not re-encode to its bytes")


def _key_package(data: bytes) -> None:
    message = _hasteh_decodes(data)
    if message is None or not isinstance(message.body, KeyPackage):
        return
    try:
        validate_key_package(message.body, suite_id=1)  # lifetime: seeds live 10 years
        ours = True
    except MLSError:
        ours = False
    theirs = _rs_decodes(data)
    if theirs is None:
        known("D4-decode-only-hasteh-accepts")
        return
    group = _CLIENT.create_group(None)
    try:
        group.add_members([theirs])  # propose_add_members does not validate the KeyPackage
        accepted = True
    except rs.Error:
        accepted = False
    if ours != accepted:
        # D5: the two validate KeyPackages differently (docs/fuzzing.md).
        known(f"D5-key-package-{'hasteh' if not ours else 'mls-rs'}-refuses")


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    if data[0] % 2 == 0:
        _decoding(data[1:])
    else:
        _key_package(data[1:])


if __name__ == "__main__":
    main(TestOneInput)
