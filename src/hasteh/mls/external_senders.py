"""The external_senders extension (RFC 9420 §12.1.8.1): who may send external proposals.

    struct {
      SignaturePublicKey signature_key;
      Credential credential;
    } ExternalSender;

    ExternalSender external_senders<V>;

It lives in the GroupContext. An external proposal (§12.1.8) names its signer by index
into this list (`Sender.external(i)`), and its signature is checked with that entry's
key (§6.1). A malformed extension makes the message carrying it invalid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .codec import Reader, Writer, decode_all
from .credential import Credential, decode_credential
from .errors import InvalidMessage, MLSDecodeError
from .extensions import EXTERNAL_SENDERS, Extension

__all__ = ["ExternalSender", "external_senders", "external_senders_extension"]


@dataclass(frozen=True, slots=True)
class ExternalSender:
    """§12.1.8.1: a signature key and credential allowed to send external proposals."""

    signature_key: bytes
    credential: Credential

    def encode(self, w: Writer) -> None:
        w.opaque(self.signature_key)
        self.credential.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> ExternalSender:
        return cls(r.opaque(), decode_credential(r))


def encode_external_senders(senders: Sequence[ExternalSender]) -> bytes:
    """The extension_data of an external_senders extension."""
    w = Writer()
    w.vector(tuple(senders), lambda w2, s: s.encode(w2))
    return w.getvalue()


def decode_external_senders(data: bytes) -> tuple[ExternalSender, ...]:
    """Parse extension_data; `MLSDecodeError` if it is not exactly one list."""
    return tuple(decode_all(data, lambda r: r.vector(ExternalSender.decode)))


def external_senders_extension(senders: Sequence[ExternalSender]) -> Extension:
    return Extension(EXTERNAL_SENDERS, encode_external_senders(senders))


def external_senders(extensions: Sequence[Extension]) -> tuple[ExternalSender, ...]:
    """The external senders a GroupContext's `extensions` allow (empty if none);
    a malformed extension raises `InvalidMessage("malformed-extension")`."""
    for ext in extensions:
        if ext.extension_type == EXTERNAL_SENDERS:
            try:
                return decode_external_senders(ext.extension_data)
            except MLSDecodeError as exc:
                raise InvalidMessage("malformed-extension", f"external_senders: {exc}") from None
    return ()
