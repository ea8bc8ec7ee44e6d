"""The PSK secret: chaining pre-shared keys into the key schedule (RFC 9420 §8.4).

A Commit (via PreSharedKey proposals) or a Welcome (via GroupSecrets.psks) names PSKs in
an order every member must follow. Each PSK is bound to its PreSharedKeyID and position
through PSKLabel, then chained:

    psk_extracted_[i] = Extract(0, psk_[i])
    psk_input_[i]     = ExpandWithLabel(psk_extracted_[i], "derived psk", PSKLabel_[i], Nh)
    psk_secret_[0]    = 0
    psk_secret_[i+1]  = Extract(salt=psk_input_[i], ikm=psk_secret_[i])

so the result depends on every PSK, its identity, its nonce, and the order. With no PSKs
the result is Nh zero bytes, the key schedule's "psk_secret (or 0)".

Looking a PSK up (external store, earlier epoch's resumption_psk) is not done here; see
`psk_store`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .cipher_suite import CipherSuite
from .codec import Writer
from .errors import UsageError
from .labels import expand_with_label
from .psk_id import PreSharedKeyID, ResumptionPSKUsage


@dataclass(frozen=True, slots=True)
class PskInput:
    """One PSK to inject: its PreSharedKeyID (what the Commit names) and its value."""

    id: PreSharedKeyID
    psk: bytes = field(repr=False)

    @classmethod
    def external(cls, psk_id: bytes, psk_nonce: bytes, psk: bytes) -> PskInput:
        """An application-provisioned PSK (§8.4 PSKType external)."""
        return cls(PreSharedKeyID.external(psk_id, psk_nonce), psk)

    @classmethod
    def resumption(
        cls,
        usage: ResumptionPSKUsage,
        psk_group_id: bytes,
        psk_epoch: int,
        psk_nonce: bytes,
        psk: bytes,
    ) -> PskInput:
        """An earlier epoch's resumption_psk (§8.6)."""
        return cls(PreSharedKeyID.resumption(usage, psk_group_id, psk_epoch, psk_nonce), psk)

    @property
    def psk_id(self) -> bytes:
        return self.id.psk_id

    @property
    def psk_nonce(self) -> bytes:
        return self.id.psk_nonce


def psk_label(psk_id: PreSharedKeyID, index: int, count: int) -> bytes:
    """PSKLabel{id, uint16 index, uint16 count} (§8.4): binds a PSK to its position."""
    w = Writer()
    psk_id.encode(w)
    w.u16(index)
    w.u16(count)
    return w.getvalue()


def psk_secret(suite: CipherSuite, psks: Sequence[PskInput]) -> bytes:
    """The psk_secret for the key schedule from `psks`, in the order the Commit lists them."""
    count = len(psks)
    if count > 0xFFFF:
        raise UsageError(f"at most 65535 PSKs fit PSKLabel's uint16 count, got {count}")
    zero = bytes(suite.nh)
    secret = zero
    for index, item in enumerate(psks):
        extracted = suite.kdf_extract(zero, item.psk)
        label = psk_label(item.id, index, count)
        psk_input = expand_with_label(suite, extracted, "derived psk", label, suite.nh)
        secret = suite.kdf_extract(psk_input, secret)
    return secret
