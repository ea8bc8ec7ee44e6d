"""Making and checking KeyPackages (RFC 9420 §10, §10.1, §7.3, §16.8).

`key_package.py` is the codec; this module is what a client does with one:

* `create_key_package` builds and signs a fresh KeyPackage (§10) and returns it with the
  private keys its owner keeps (`KeyPackageSecrets`) until a Welcome arrives;
* `validate_key_package` runs the §10.1 checks that need no group (signature, leaf node
  source, leaf signature, capabilities covering the extensions in use, init key distinct
  from the encryption key, lifetime), so that a group can add its own checks (§7.3:
  required capabilities, uniqueness of keys) on top in `proposal_validation`.

KeyPackages are single-use (§10, §16.8): reusing one lets an attacker who learns its
init key decrypt every Welcome sent to it. A *last resort* KeyPackage — one that may be
reused when a client has run out of fresh ones — is therefore off by default; asking for
it marks the KeyPackage with the `last_resort` extension so other clients can tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import hpke
from .cipher_suite import CipherSuite, Rng, get_suite
from .codec import Reader, Writer, decode_all, encode
from .credential import BasicCredential, Credential
from .errors import InvalidMessage, UsageError
from .extensions import Extension, check_unique
from .group_context import MLS10
from .key_package import KEY_PACKAGE_TBS_LABEL, KeyPackage
from .labels import sign_with_label, verify_with_label
from .leaf_node import Capabilities, LeafNode, LeafNodeSource, Lifetime

#: The `last_resort` KeyPackage extension type (MLS extensions registry, 0x000A): marks a
#: KeyPackage its owner may reuse once fresh ones are gone (§16.8).
LAST_RESORT = 0x000A

#: Extension types RFC 9420 §7.2 calls "default": supported by everyone and never listed
#: in capabilities.
DEFAULT_EXTENSION_TYPES = frozenset({0x0001, 0x0002, 0x0003, 0x0004, 0x0005})
#: Proposal types §7.2 calls "default" (add .. group_context_extensions).
DEFAULT_PROPOSAL_TYPES = frozenset(range(0x0001, 0x0008))

#: Validity window given to a fresh KeyPackage's leaf when the caller names none.
DEFAULT_LIFETIME_SECONDS = 90 * 24 * 3600
#: Slack before `now` in a fresh lifetime, so a peer whose clock runs a little behind
#: does not reject the KeyPackage as not yet valid (§7.2 asks for synchronized clocks).
CLOCK_SKEW_SECONDS = 3600
#: §7.2: "Applications MUST define a maximum total lifetime that is acceptable for a
#: LeafNode". Two years, generous enough for other implementations' defaults.
MAX_TOTAL_LIFETIME_SECONDS = 2 * 365 * 24 * 3600


def _u16(w: Writer, v: int) -> None:
    w.u16(v)


@dataclass(frozen=True, slots=True)
class KeyPackageSecrets:
    """What the owner of a KeyPackage keeps to join with it (§12.4.3.1).

    `init_private` opens the Welcome's GroupSecrets; `encryption_private` is the leaf's
    HPKE key once in the tree; `signature_private` signs as that member.
    """

    key_package: KeyPackage
    init_private: bytes = field(repr=False)
    encryption_private: bytes = field(repr=False)
    signature_private: bytes = field(repr=False)

    @property
    def suite(self) -> CipherSuite:
        return get_suite(self.key_package.cipher_suite)

    @property
    def ref(self) -> bytes:
        """KeyPackageRef (§5.2), how a Welcome names this KeyPackage."""
        return self.key_package.ref(self.suite)

    @property
    def is_last_resort(self) -> bool:
        return is_last_resort(self.key_package)

    def encode(self, w: Writer) -> None:
        self.key_package.encode(w)
        w.opaque(self.init_private)
        w.opaque(self.encryption_private)
        w.opaque(self.signature_private)

    @classmethod
    def decode(cls, r: Reader) -> KeyPackageSecrets:
        return cls(KeyPackage.decode(r), r.opaque(), r.opaque(), r.opaque())

    def to_bytes(self) -> bytes:
        """For the vault: the KeyPackage and its private keys (secret!)."""
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyPackageSecrets:
        return decode_all(data, cls.decode)


def default_capabilities(suite_id: int, *, extensions: tuple[int, ...] = ()) -> Capabilities:
    """Capabilities hasteh advertises (§7.2): MLS 1.0, every suite we implement, basic
    credentials, and whatever non-default extension types the caller uses."""
    from .cipher_suite import SUITES

    suites = (suite_id, *(s for s in SUITES if s != suite_id))
    exts = tuple(sorted(set(extensions) - DEFAULT_EXTENSION_TYPES))
    return Capabilities(
        versions=(MLS10,),
        cipher_suites=suites,
        extensions=exts,
        proposals=(),
        credentials=(BasicCredential.credential_type,),
    )


def create_key_package(
    suite_id: int,
    credential: Credential,
    signature_private: bytes,
    *,
    rng: Rng,
    now: int,
    lifetime: Lifetime | None = None,
    capabilities: Capabilities | None = None,
    extensions: tuple[Extension, ...] = (),
    leaf_extensions: tuple[Extension, ...] = (),
    last_resort: bool = False,
) -> KeyPackageSecrets:
    """A fresh signed KeyPackage (§10) and the private keys to keep with it.

    The init and leaf encryption keys are two independent HPKE key pairs from `rng`
    (§10.1 requires them to differ). `now` (seconds since the Unix epoch) anchors the
    default lifetime. `last_resort=True` adds the `last_resort` extension (§16.8).
    """
    suite = get_suite(suite_id)
    signature_public = suite.signature_public_key(signature_private)
    if last_resort:
        extensions = (*extensions, Extension(LAST_RESORT, b""))
    used = {e.extension_type for e in (*extensions, *leaf_extensions)}
    if capabilities is None:
        capabilities = default_capabilities(suite_id, extensions=tuple(used))
    missing = used - DEFAULT_EXTENSION_TYPES - set(capabilities.extensions)
    if missing:
        raise UsageError(f"capabilities must list the extensions used: {sorted(missing)}")
    if lifetime is None:
        lifetime = Lifetime(max(0, now - CLOCK_SKEW_SECONDS), now + DEFAULT_LIFETIME_SECONDS)
    init_private, init_public = hpke.generate_key_pair(suite.kem, rng)
    enc_private, enc_public = hpke.generate_key_pair(suite.kem, rng)
    unsigned_leaf = LeafNode(
        encryption_key=enc_public,
        signature_key=signature_public,
        credential=credential,
        capabilities=capabilities,
        leaf_node_source=LeafNodeSource.KEY_PACKAGE,
        extensions=leaf_extensions,
        signature=b"",
        lifetime=lifetime,
    )
    leaf = _replace_signature(
        unsigned_leaf, sign_with_label(suite, signature_private, "LeafNodeTBS", unsigned_leaf.tbs())
    )
    unsigned = KeyPackage(suite_id, init_public, leaf, extensions, b"")
    signature = sign_with_label(suite, signature_private, KEY_PACKAGE_TBS_LABEL, unsigned.tbs())
    kp = KeyPackage(suite_id, init_public, leaf, extensions, signature)
    return KeyPackageSecrets(kp, init_private, enc_private, signature_private)


def _replace_signature(leaf: LeafNode, signature: bytes) -> LeafNode:
    return LeafNode(
        leaf.encryption_key,
        leaf.signature_key,
        leaf.credential,
        leaf.capabilities,
        leaf.leaf_node_source,
        leaf.extensions,
        signature,
        leaf.lifetime,
        leaf.parent_hash,
    )


def is_last_resort(kp: KeyPackage) -> bool:
    """True when `kp` carries the `last_resort` extension (§16.8)."""
    return any(e.extension_type == LAST_RESORT for e in kp.extensions)


def check_lifetime(lifetime: Lifetime, now: int, *, max_total: int) -> None:
    """§7.2/§7.3: `now` within [not_before, not_after], and the window not too long."""
    if lifetime.not_after < lifetime.not_before:
        raise InvalidMessage("bad-lifetime", "not_after precedes not_before")
    if lifetime.not_after - lifetime.not_before > max_total:
        raise InvalidMessage("bad-lifetime", "lifetime longer than the accepted maximum")
    if not lifetime.not_before <= now <= lifetime.not_after:
        raise InvalidMessage("expired-lifetime", "the current time is outside the lifetime")


def check_leaf_self_consistency(leaf: LeafNode) -> None:
    """§7.2/§7.3 checks on a leaf that need no group: non-default extensions and the
    credential type are listed in the leaf's own capabilities."""
    listed = set(leaf.capabilities.extensions)
    for ext in leaf.extensions:
        if ext.extension_type not in DEFAULT_EXTENSION_TYPES and ext.extension_type not in listed:
            raise InvalidMessage(
                "unsupported-extension",
                f"leaf extension 0x{ext.extension_type:04x} missing from its capabilities",
            )
    if leaf.credential.credential_type not in leaf.capabilities.credentials:
        raise InvalidMessage(
            "unsupported-credential", "the leaf's credential type is not in its capabilities"
        )


def validate_key_package(
    kp: KeyPackage,
    *,
    suite_id: int | None = None,
    now: int | None = None,
    max_total_lifetime: int = MAX_TOTAL_LIFETIME_SECONDS,
) -> None:
    """The §10.1 checks that do not depend on a group; `InvalidMessage` on failure.

    * version mls10 (the codec admits nothing else) and, with `suite_id`, the group's suite;
    * the leaf is a key_package leaf (§10), signed by its signature key (§7.3), listing its
      extensions and credential type in its capabilities (§7.2);

    The KeyPackage's own extensions are not checked against the capabilities: §10 asks
    the *creator* to list them, but §10.1's receiver steps do not, and §13 says unknown
    KeyPackage extensions MUST be ignored.

    * the KeyPackage signature verifies with the leaf's signature key (§10.1);
    * `init_key` differs from the leaf's `encryption_key` (§10.1);
    * with `now`, the lifetime covers it (§7.3 RECOMMENDED for received leaves).
    """
    if kp.version != MLS10:
        raise InvalidMessage("bad-version", f"KeyPackage version {kp.version}")
    if suite_id is not None and kp.cipher_suite != suite_id:
        raise InvalidMessage("suite-mismatch", "KeyPackage cipher suite differs from the group's")
    try:
        suite = get_suite(kp.cipher_suite)
    except UsageError:
        raise InvalidMessage("suite-mismatch", "KeyPackage uses an unknown cipher suite") from None
    leaf = kp.leaf_node
    if leaf.leaf_node_source != LeafNodeSource.KEY_PACKAGE or leaf.lifetime is None:
        raise InvalidMessage("bad-leaf-source", "a KeyPackage's leaf must have source key_package")
    if not verify_with_label(suite, leaf.signature_key, "LeafNodeTBS", leaf.tbs(), leaf.signature):
        raise InvalidMessage("bad-signature", "KeyPackage leaf node signature")
    check_leaf_self_consistency(leaf)
    if not verify_with_label(
        suite, leaf.signature_key, KEY_PACKAGE_TBS_LABEL, kp.tbs(), kp.signature
    ):
        raise InvalidMessage("bad-signature", "KeyPackage signature")
    check_unique(kp.extensions, "KeyPackage")  # RFC 9420 §13.4
    if kp.init_key == leaf.encryption_key:
        raise InvalidMessage("init-key-reused", "init_key equals the leaf encryption_key")
    if now is not None:
        check_lifetime(leaf.lifetime, now, max_total=max_total_lifetime)


def key_package_ref(kp: KeyPackage) -> bytes:
    """KeyPackageRef (§5.2) under the KeyPackage's own suite."""
    return kp.ref(get_suite(kp.cipher_suite))
