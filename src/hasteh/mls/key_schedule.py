"""Key schedule (RFC 9420 §8).

Each epoch's secrets come from three inputs: the previous epoch's `init_secret`, the
Commit's `commit_secret` (from TreeKEM, or all zeros) and the `psk_secret` (§8.4, or
all zeros), bound to the new epoch's serialized GroupContext:

    joiner_secret = ExpandWithLabel(Extract(salt=init_secret, ikm=commit_secret),
                                    "joiner", GroupContext, Nh)
    member        = Extract(salt=joiner_secret, ikm=psk_secret)
    welcome_secret = DeriveSecret(member, "welcome")
    epoch_secret  = ExpandWithLabel(member, "epoch", GroupContext, Nh)
    <secret>      = DeriveSecret(epoch_secret, <label>)          (§8 Table 4)
    init_secret'  = DeriveSecret(epoch_secret, "init")

Members enter at `init_secret`; joiners from a Welcome enter at `joiner_secret`
(§12.4.3.1). Both paths end in the same `EpochSecrets`.

The caller owns deletion (§9.2): once an epoch's secrets are derived, the previous
`init_secret`, the `commit_secret`, `psk_secret` and `joiner_secret` are consumed; the
group state should keep only the `EpochSecrets` fields it still needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import hpke
from .cipher_suite import CipherSuite, Rng
from .errors import InvalidMessage, UsageError
from .labels import derive_secret, expand_with_label


@dataclass(frozen=True, slots=True)
class EpochSecrets:
    """Everything §8 derives for one epoch. `init_secret` is the *next* epoch's input.

    Secrets are kept out of `repr` so that logging a state never prints key material.
    """

    joiner_secret: bytes = field(repr=False)
    welcome_secret: bytes = field(repr=False)
    epoch_secret: bytes = field(repr=False)
    sender_data_secret: bytes = field(repr=False)
    encryption_secret: bytes = field(repr=False)
    exporter_secret: bytes = field(repr=False)
    external_secret: bytes = field(repr=False)
    confirmation_key: bytes = field(repr=False)
    membership_key: bytes = field(repr=False)
    resumption_psk: bytes = field(repr=False)
    epoch_authenticator: bytes = field(repr=False)
    init_secret: bytes = field(repr=False)


def zero_secret(suite: CipherSuite) -> bytes:
    """Nh zero bytes: the commit_secret without a path, the psk_secret without PSKs (§8)."""
    return bytes(suite.nh)


def _check_len(suite: CipherSuite, name: str, value: bytes) -> None:
    if len(value) != suite.nh:
        raise UsageError(f"{name} must be Nh={suite.nh} bytes, got {len(value)}")


def joiner_secret(
    suite: CipherSuite, init_secret: bytes, commit_secret: bytes, group_context: bytes
) -> bytes:
    """The joiner secret (§8): what a Welcome hands new members (§12.4.3.1)."""
    _check_len(suite, "init_secret", init_secret)
    _check_len(suite, "commit_secret", commit_secret)
    # Figure 22: Extract takes its salt from above (init_secret), its IKM from the left.
    extracted = suite.kdf_extract(init_secret, commit_secret)
    return expand_with_label(suite, extracted, "joiner", group_context, suite.nh)


def _member_secret(suite: CipherSuite, joiner: bytes, psk_secret: bytes) -> bytes:
    _check_len(suite, "joiner_secret", joiner)
    _check_len(suite, "psk_secret", psk_secret)
    return suite.kdf_extract(joiner, psk_secret)


def welcome_secret(suite: CipherSuite, joiner: bytes, psk_secret: bytes) -> bytes:
    """DeriveSecret(Extract(joiner_secret, psk_secret), "welcome") (§8)."""
    return derive_secret(suite, _member_secret(suite, joiner, psk_secret), "welcome")


def epoch_secrets_from_joiner(
    suite: CipherSuite, joiner: bytes, psk_secret: bytes, group_context: bytes
) -> EpochSecrets:
    """The epoch's secrets from its joiner secret: the path a Welcome takes (§12.4.3.1)."""
    member = _member_secret(suite, joiner, psk_secret)
    epoch = expand_with_label(suite, member, "epoch", group_context, suite.nh)
    return secrets_from_epoch_secret(
        suite, epoch, joiner_secret=joiner, welcome_secret=derive_secret(suite, member, "welcome")
    )


def secrets_from_epoch_secret(
    suite: CipherSuite, epoch: bytes, *, joiner_secret: bytes = b"", welcome_secret: bytes = b""
) -> EpochSecrets:
    """Every secret §8 derives from an epoch_secret (also a new group's first epoch, §11)."""

    def derive(label: str) -> bytes:
        return derive_secret(suite, epoch, label)

    return EpochSecrets(
        joiner_secret=joiner_secret,
        welcome_secret=welcome_secret,
        epoch_secret=epoch,
        sender_data_secret=derive("sender data"),
        encryption_secret=derive("encryption"),
        exporter_secret=derive("exporter"),
        external_secret=derive("external"),
        confirmation_key=derive("confirm"),
        membership_key=derive("membership"),
        resumption_psk=derive("resumption"),
        epoch_authenticator=derive("authentication"),
        init_secret=derive("init"),
    )


def derive_epoch_secrets(
    suite: CipherSuite,
    init_secret: bytes,
    commit_secret: bytes,
    psk_secret: bytes,
    group_context: bytes,
) -> EpochSecrets:
    """The new epoch's secrets from the previous init secret (§8 Figure 22).

    `group_context` is the serialized GroupContext of the *new* epoch. Pass
    `zero_secret(suite)` for a missing commit_secret or psk_secret.
    """
    joiner = joiner_secret(suite, init_secret, commit_secret, group_context)
    return epoch_secrets_from_joiner(suite, joiner, psk_secret, group_context)


def welcome_key_nonce(suite: CipherSuite, welcome_secret: bytes) -> tuple[bytes, bytes]:
    """The AEAD key and nonce that protect a Welcome's GroupInfo (§12.4.3.1)."""
    _check_len(suite, "welcome_secret", welcome_secret)
    key = expand_with_label(suite, welcome_secret, "key", b"", suite.nk)
    nonce = expand_with_label(suite, welcome_secret, "nonce", b"", suite.nn)
    return key, nonce


def external_key_pair(suite: CipherSuite, external_secret: bytes) -> tuple[bytes, bytes]:
    """(external_priv, external_pub) = KEM.DeriveKeyPair(external_secret) (§8)."""

    return hpke.derive_key_pair(suite.kem, external_secret)


def external_pub(suite: CipherSuite, external_secret: bytes) -> bytes:
    """The group's external public key, published in GroupInfo for external joins (§8)."""
    return external_key_pair(suite, external_secret)[1]


#: §8.3: the HPKE exporter context of the external init secret.
EXTERNAL_INIT_LABEL = b"MLS 1.0 external init secret"


def external_init_secret_for_joiner(
    suite: CipherSuite, external_pub_key: bytes, rng: Rng
) -> tuple[bytes, bytes]:
    """§8.3 joiner: (kem_output, init_secret) from SetupBaseS(external_pub, "")."""
    return hpke.export_base_s(
        suite.kem,
        suite.kdf,
        suite.aead,
        external_pub_key,
        b"",
        EXTERNAL_INIT_LABEL,
        suite.nh,
        rng=rng,
    )


def external_init_secret_for_members(
    suite: CipherSuite, external_secret: bytes, kem_output: bytes
) -> bytes:
    """§8.3 members: init_secret from SetupBaseR(kem_output, external_priv, "");
    a kem_output that does not decapsulate is the joiner's fault."""
    external_priv, _ = external_key_pair(suite, external_secret)
    try:
        return hpke.export_base_r(
            suite.kem,
            suite.kdf,
            suite.aead,
            kem_output,
            external_priv,
            b"",
            EXTERNAL_INIT_LABEL,
            suite.nh,
        )
    except InvalidMessage:
        raise InvalidMessage("bad-external-init", "the ExternalInit kem_output") from None


def exporter(
    suite: CipherSuite, exporter_secret: bytes, label: bytes | str, context: bytes, length: int
) -> bytes:
    """MLS-Exporter(Label, Context, Length) (§8.5).

    = ExpandWithLabel(DeriveSecret(exporter_secret, Label), "exported", Hash(Context),
    Length). Labels should be registered in the §17.8 registry or be unique to hasteh.
    """
    if not 0 <= length <= 0xFFFF:
        raise UsageError(f"exporter length must fit a uint16, got {length}")
    derived = derive_secret(suite, exporter_secret, label)
    return expand_with_label(suite, derived, "exported", suite.hash(context), length)
