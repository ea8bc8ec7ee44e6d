"""PreSharedKeyID (RFC 9420 §8.4): names a PSK in PreSharedKey proposals and GroupSecrets.

Its own module because three places share it: the PSK proposal (§12.1.4), GroupSecrets
in a Welcome (§12.4.3.1) and the PSK secret derivation's PSKLabel (§8.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .codec import Reader, Writer, decode_all, encode
from .errors import MLSDecodeError, UsageError


class PSKType(IntEnum):
    """§8.4 PSKType."""

    EXTERNAL = 1
    RESUMPTION = 2


class ResumptionPSKUsage(IntEnum):
    """§8.4 ResumptionPSKUsage: why a resumption PSK is injected (§8.6)."""

    APPLICATION = 1
    REINIT = 2
    BRANCH = 3


@dataclass(frozen=True, slots=True)
class PreSharedKeyID:
    """§8.4. External PSKs carry `psk_id`; resumption PSKs carry `usage`, `psk_group_id`
    and `psk_epoch`. `psk_nonce` is fresh per injection (KDF.Nh bytes, checked by the
    group code, not here, since the length depends on the group's suite)."""

    psk_type: PSKType
    psk_nonce: bytes
    psk_id: bytes = b""
    usage: ResumptionPSKUsage | None = None
    psk_group_id: bytes = b""
    psk_epoch: int = 0

    def __post_init__(self) -> None:
        if (self.usage is None) != (self.psk_type == PSKType.EXTERNAL):
            raise UsageError("a resumption PSK needs a usage; an external one has none")
        if self.psk_type == PSKType.EXTERNAL and (self.psk_group_id or self.psk_epoch):
            raise UsageError("an external PSK has no group id or epoch")
        if self.psk_type == PSKType.RESUMPTION and self.psk_id:
            raise UsageError("a resumption PSK has no psk_id")

    @classmethod
    def external(cls, psk_id: bytes, psk_nonce: bytes) -> PreSharedKeyID:
        return cls(PSKType.EXTERNAL, psk_nonce, psk_id=psk_id)

    @classmethod
    def resumption(
        cls, usage: ResumptionPSKUsage, psk_group_id: bytes, psk_epoch: int, psk_nonce: bytes
    ) -> PreSharedKeyID:
        return cls(
            PSKType.RESUMPTION,
            psk_nonce,
            usage=usage,
            psk_group_id=psk_group_id,
            psk_epoch=psk_epoch,
        )

    def encode(self, w: Writer) -> None:
        w.u8(self.psk_type)
        if self.usage is None:
            w.opaque(self.psk_id)
        else:
            w.u8(self.usage)
            w.opaque(self.psk_group_id)
            w.u64(self.psk_epoch)
        w.opaque(self.psk_nonce)

    @classmethod
    def decode(cls, r: Reader) -> PreSharedKeyID:
        raw_type = r.u8()
        if raw_type == PSKType.EXTERNAL:
            psk_id = r.opaque()
            return cls.external(psk_id, r.opaque())
        if raw_type == PSKType.RESUMPTION:
            raw_usage = r.u8()
            try:
                usage = ResumptionPSKUsage(raw_usage)
            except ValueError:
                raise MLSDecodeError(f"unknown resumption PSK usage {raw_usage}") from None
            group_id = r.opaque()
            epoch = r.u64()
            return cls.resumption(usage, group_id, epoch, r.opaque())
        raise MLSDecodeError(f"unknown PSK type {raw_type}")

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> PreSharedKeyID:
        return decode_all(data, cls.decode)
