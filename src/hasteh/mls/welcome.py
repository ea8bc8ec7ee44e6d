"""Welcome, GroupSecrets and GroupInfo (RFC 9420 §12.4.3): how a new member joins.

GroupInfo describes the new epoch and is signed by the committer (§12.4.3, label
"GroupInfoTBS"); a Welcome carries it encrypted under a key from the joiner_secret, and
the joiner_secret (in GroupSecrets) HPKE-encrypted to each new member's init key.
Codec and to-be-signed bytes only; joining is the group code's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codec import Reader, Writer, decode_all, encode
from .commit import HPKECiphertext
from .extensions import Extension, decode_extensions, encode_extensions
from .group_context import GroupContext
from .psk_id import PreSharedKeyID

#: Label for SignWithLabel over GroupInfoTBS (§12.4.3).
GROUP_INFO_TBS_LABEL = "GroupInfoTBS"


@dataclass(frozen=True, slots=True)
class KeyPackageRef:
    """A KeyPackage named by RefHash (§5.2); a distinct type from other opaque bytes."""

    value: bytes

    def encode(self, w: Writer) -> None:
        w.opaque(self.value)

    @classmethod
    def decode(cls, r: Reader) -> KeyPackageRef:
        return cls(r.opaque())


@dataclass(frozen=True, slots=True)
class PathSecret:
    """§12.4.3.1: the path secret at the lowest common ancestor of committer and joiner."""

    path_secret: bytes

    def encode(self, w: Writer) -> None:
        w.opaque(self.path_secret)

    @classmethod
    def decode(cls, r: Reader) -> PathSecret:
        return cls(r.opaque())


@dataclass(frozen=True, slots=True)
class GroupSecrets:
    """§12.4.3.1: what each joiner decrypts; the PSKs must match the Commit's, in order."""

    joiner_secret: bytes
    path_secret: PathSecret | None
    psks: tuple[PreSharedKeyID, ...]

    def encode(self, w: Writer) -> None:
        w.opaque(self.joiner_secret)
        w.optional(self.path_secret, lambda w2, p: p.encode(w2))
        w.vector(self.psks, lambda w2, p: p.encode(w2))

    @classmethod
    def decode(cls, r: Reader) -> GroupSecrets:
        joiner_secret = r.opaque()
        path_secret = r.optional(PathSecret.decode)
        return cls(joiner_secret, path_secret, tuple(r.vector(PreSharedKeyID.decode)))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> GroupSecrets:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class EncryptedGroupSecrets:
    """§12.4.3.1: GroupSecrets sealed to the KeyPackage `new_member` names."""

    new_member: KeyPackageRef
    encrypted_group_secrets: HPKECiphertext

    def encode(self, w: Writer) -> None:
        self.new_member.encode(w)
        self.encrypted_group_secrets.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> EncryptedGroupSecrets:
        return cls(KeyPackageRef.decode(r), HPKECiphertext.decode(r))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> EncryptedGroupSecrets:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class Welcome:
    """§12.4.3.1: one encrypted GroupInfo for many joiners, one secrets entry each."""

    cipher_suite: int
    secrets: tuple[EncryptedGroupSecrets, ...]
    encrypted_group_info: bytes

    def encode(self, w: Writer) -> None:
        w.u16(self.cipher_suite)
        w.vector(self.secrets, lambda w2, s: s.encode(w2))
        w.opaque(self.encrypted_group_info)

    @classmethod
    def decode(cls, r: Reader) -> Welcome:
        cipher_suite = r.u16()
        secrets = tuple(r.vector(EncryptedGroupSecrets.decode))
        return cls(cipher_suite, secrets, r.opaque())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Welcome:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class GroupInfoTBS:
    """§12.4.3: every GroupInfo field above the signature."""

    group_context: GroupContext
    extensions: tuple[Extension, ...]
    confirmation_tag: bytes
    signer: int

    def encode(self, w: Writer) -> None:
        self.group_context.encode(w)
        encode_extensions(w, self.extensions)
        w.opaque(self.confirmation_tag)
        w.u32(self.signer)

    @classmethod
    def decode(cls, r: Reader) -> GroupInfoTBS:
        group_context = GroupContext.decode(r)
        extensions = decode_extensions(r)
        confirmation_tag = r.opaque()
        return cls(group_context, extensions, confirmation_tag, r.u32())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> GroupInfoTBS:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """§12.4.3: the new epoch's public state, signed by leaf `signer`. Unknown
    `extensions` here must be ignored by joiners (GREASE, §13), so they are kept as-is."""

    group_context: GroupContext
    extensions: tuple[Extension, ...]
    confirmation_tag: bytes
    signer: int
    signature: bytes

    @property
    def tbs(self) -> GroupInfoTBS:
        return GroupInfoTBS(self.group_context, self.extensions, self.confirmation_tag, self.signer)

    def encode(self, w: Writer) -> None:
        self.tbs.encode(w)
        w.opaque(self.signature)

    @classmethod
    def decode(cls, r: Reader) -> GroupInfo:
        tbs = GroupInfoTBS.decode(r)
        return cls(tbs.group_context, tbs.extensions, tbs.confirmation_tag, tbs.signer, r.opaque())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> GroupInfo:
        return decode_all(data, cls.decode)
