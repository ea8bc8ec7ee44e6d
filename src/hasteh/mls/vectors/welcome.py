"""welcome.json: opening a Welcome and checking its GroupInfo (RFC 9420 §12.4.3.1).

Verification (test-vectors.md):

* Decrypt the Welcome message:
  * identify the entry in `welcome.secrets` corresponding to `key_package`;
  * decrypt the encrypted group secrets using `init_priv`;
  * decrypt the encrypted group info.
* Verify the signature on the decrypted group info using `signer_pub`.
* Verify the `confirmation_tag` in the decrypted group info: initialize a key schedule
  epoch using the decrypted `joiner_secret` and no PSKs, and recompute a candidate
  `confirmation_tag` using that epoch's `confirmation_key` and the
  `confirmed_transcript_hash` from the decrypted GroupContext.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.framing import MLSMessage
from hasteh.mls.group import (
    decrypt_group_info,
    decrypt_group_secrets,
    find_welcome_entry,
    verify_group_info_signature,
)
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.key_schedule import epoch_secrets_from_joiner
from hasteh.mls.psk import psk_secret
from hasteh.mls.transcript_hash import confirmation_tag
from hasteh.mls.vectors import Mismatch, expect, h
from hasteh.mls.welcome import Welcome


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    kp_msg = MLSMessage.from_bytes(h(case["key_package"]))
    welcome_msg = MLSMessage.from_bytes(h(case["welcome"]))
    if not isinstance(kp_msg.body, KeyPackage) or not isinstance(welcome_msg.body, Welcome):
        raise Mismatch("key_package / welcome do not hold a KeyPackage / Welcome")
    kp, welcome = kp_msg.body, welcome_msg.body

    # Step 1: the entry for our KeyPackage, its GroupSecrets, then the GroupInfo.
    entry = find_welcome_entry(welcome, kp.ref(suite))
    secrets = decrypt_group_secrets(suite, welcome, entry, h(case["init_priv"]))
    expect("psks in GroupSecrets", secrets.psks, ())
    group_info = decrypt_group_info(suite, welcome, secrets.joiner_secret, psk_secret(suite, []))

    # Step 2: the signature, under the given signer key.
    verify_group_info_signature(suite, group_info, h(case["signer_pub"]))

    # Step 3: the confirmation tag from a fresh epoch keyed by the joiner secret.
    epoch = epoch_secrets_from_joiner(
        suite, secrets.joiner_secret, psk_secret(suite, []), group_info.group_context.to_bytes()
    )
    expect(
        "confirmation_tag",
        confirmation_tag(
            suite, epoch.confirmation_key, group_info.group_context.confirmed_transcript_hash
        ),
        group_info.confirmation_tag,
    )
