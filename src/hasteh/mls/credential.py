"""Credentials (RFC 9420 §5.3): who a member claims to be, bound to its signature key.

`CredentialType` is a uint16 from an IANA registry, but the `Credential` select gives no
length for types it does not list, so a decoder can only read the two types the RFC
defines (basic, x509); any other type is undecodable and raises `MLSDecodeError`.
Capabilities lists (§7.2) still carry arbitrary credential type numbers as plain ints,
since there they are just numbers (and may be GREASE, §13.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from .codec import Reader, Writer, decode_all, encode
from .errors import MLSDecodeError


class CredentialType(IntEnum):
    """The credential types RFC 9420 §17.7 registers with a defined encoding."""

    BASIC = 0x0001
    X509 = 0x0002


@dataclass(frozen=True, slots=True)
class BasicCredential:
    """§5.3.1: a bare identity whose format the application defines."""

    identity: bytes
    credential_type: ClassVar[CredentialType] = CredentialType.BASIC

    def encode(self, w: Writer) -> None:
        w.u16(self.credential_type)
        w.opaque(self.identity)

    def to_bytes(self) -> bytes:
        return encode(self)


@dataclass(frozen=True, slots=True)
class X509Credential:
    """§5.3: DER certificates, end-entity first. Chain validation is the AS's job."""

    certificates: tuple[bytes, ...]
    credential_type: ClassVar[CredentialType] = CredentialType.X509

    def encode(self, w: Writer) -> None:
        w.u16(self.credential_type)
        # Certificate { opaque cert_data<V>; }
        w.vector(self.certificates, Writer.opaque)

    def to_bytes(self) -> bytes:
        return encode(self)


#: `Credential` (§5.3): one of the registered credential variants.
Credential = BasicCredential | X509Credential


def decode_credential(r: Reader) -> Credential:
    """Read a `Credential`; unknown credential types cannot be delimited, so they fail."""
    ctype = r.u16()
    if ctype == CredentialType.BASIC:
        return BasicCredential(r.opaque())
    if ctype == CredentialType.X509:
        return X509Credential(tuple(r.vector(Reader.opaque)))
    raise MLSDecodeError(f"unknown credential type 0x{ctype:04x}")


def credential_from_bytes(data: bytes) -> Credential:
    return decode_all(data, decode_credential)
