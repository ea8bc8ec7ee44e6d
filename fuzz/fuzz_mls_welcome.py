"""MLS as a joiner: a malicious committer sends dave a Welcome whose GroupInfo (mode 0:
the fuzzed bytes are a GroupInfoTBS, signed by the committer so the signature passes;
mode 1: raw GroupInfo bytes) or GroupSecrets (mode 2) is fuzzed, then encrypted properly
to dave, so the fuzzed bytes reach every check of §12.4.3.1 (tree, tree hash, parent
hashes, confirmation tag, epoch authenticator). Mode 3: raw Welcome bytes.

Oracle: `join_from_welcome` raises only `MLSError`."""

from __future__ import annotations

from fuzz import _mls_world
from fuzz._common import NOW, DetRng, harness, main
from hasteh.mls.codec import decode_all
from hasteh.mls.commit import HPKECiphertext
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import MLSMessage
from hasteh.mls.group import decrypt_group_info, decrypt_group_secrets, join_from_welcome
from hasteh.mls.key_schedule import welcome_key_nonce, welcome_secret
from hasteh.mls.labels import encrypt_with_label, sign_with_label
from hasteh.mls.psk import psk_secret
from hasteh.mls.welcome import (
    GROUP_INFO_TBS_LABEL,
    EncryptedGroupSecrets,
    GroupInfo,
    GroupInfoTBS,
    Welcome,
)

WORLD = _mls_world.world(True)
SUITE = _mls_world.SUITE
_WELCOME = MLSMessage.from_bytes(WORLD.welcome).body
assert isinstance(_WELCOME, Welcome)
_ENTRY = _WELCOME.secrets[0]
_SECRETS = decrypt_group_secrets(SUITE, _WELCOME, _ENTRY, WORLD.dave.init_private)
_PSK = psk_secret(SUITE, [])
#: The honest GroupInfo and GroupSecrets (the corpus seeds start from these).
GROUP_INFO = decrypt_group_info(SUITE, _WELCOME, _SECRETS.joiner_secret, _PSK)
GROUP_SECRETS = _SECRETS.to_bytes()
_KEY, _NONCE = welcome_key_nonce(SUITE, welcome_secret(SUITE, _SECRETS.joiner_secret, _PSK))
_COMMITTER = WORLD.state("alice").signature_private


def welcome(group_info: bytes, group_secrets: bytes, rng: DetRng) -> bytes:
    """A Welcome to dave carrying these bytes, encrypted as a real committer would."""
    encrypted = SUITE.aead_seal(_KEY, _NONCE, b"", group_info)
    kem_output, ct = encrypt_with_label(
        SUITE, WORLD.dave.key_package.init_key, "Welcome", encrypted, group_secrets, rng=rng
    )
    entry = EncryptedGroupSecrets(_ENTRY.new_member, HPKECiphertext(kem_output, ct))
    return MLSMessage(Welcome(SUITE.id, (entry,), encrypted)).to_bytes()


def signed_group_info(tbs_bytes: bytes) -> bytes | None:
    try:
        tbs = decode_all(tbs_bytes, GroupInfoTBS.decode)
    except MLSError:
        return None
    signature = sign_with_label(SUITE, _COMMITTER, GROUP_INFO_TBS_LABEL, tbs.to_bytes())
    return GroupInfo(
        tbs.group_context, tbs.extensions, tbs.confirmation_tag, tbs.signer, signature
    ).to_bytes()


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 4, data[1:]
    rng = DetRng(rest[:16])
    if mode == 0:
        info = signed_group_info(rest)
        if info is None:
            return
        wire = welcome(info, GROUP_SECRETS, rng)
    elif mode == 1:
        wire = welcome(rest, GROUP_SECRETS, rng)
    elif mode == 2:
        wire = welcome(GROUP_INFO.to_bytes(), rest, rng)
    else:
        wire = rest
    try:
        join_from_welcome(wire, WORLD.dave, now=NOW, config=WORLD.config)
    except MLSError:
        return


if __name__ == "__main__":
    main(TestOneInput)
