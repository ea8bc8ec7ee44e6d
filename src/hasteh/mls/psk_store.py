"""Where a member finds the pre-shared keys a Commit or Welcome names (RFC 9420 §8.4, §8.6).

A PreSharedKeyID only *names* a PSK; the secret itself comes from somewhere else:

* **external** PSKs (§8.4) are provisioned by the application, out of band, and looked up
  by their `psk_id`;
* **resumption** PSKs (§8.6) are the `resumption_psk` of an earlier epoch of some group,
  looked up by `(psk_group_id, psk_epoch)`.

A `PskStore` is an immutable value, like the group state that carries it: adding a key
returns a new store. §12.4.2 requires that a Commit whose PSKs are not all available be
rejected, and §12.4.3.1 the same for a Welcome, so a failed lookup raises
`InvalidMessage("psk-unknown")` (the peer named a key we do not have).

§8.6 asks the application to bound how many past epochs' resumption PSKs it stores:
`with_resumption` keeps at most `max_resumption_epochs` per group, dropping the oldest, so
old epochs' secrets do not outlive their use (they are secrets like any other, §16.6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import InvalidMessage, UsageError
from .psk_id import PreSharedKeyID, PSKType

#: Default bound on stored resumption PSKs per group (§8.6 "SHOULD specify an upper limit").
DEFAULT_MAX_RESUMPTION_EPOCHS = 4


def _frozen(d: Mapping[bytes, bytes] | None = None) -> Mapping[bytes, bytes]:
    return MappingProxyType(dict(d or {}))


def _frozen_res(
    d: Mapping[tuple[bytes, int], bytes] | None = None,
) -> Mapping[tuple[bytes, int], bytes]:
    return MappingProxyType(dict(d or {}))


@dataclass(frozen=True, slots=True)
class PskStore:
    """External PSKs by id, and resumption PSKs by (group id, epoch)."""

    external: Mapping[bytes, bytes] = field(default_factory=_frozen, repr=False)
    resumption: Mapping[tuple[bytes, int], bytes] = field(default_factory=_frozen_res, repr=False)
    max_resumption_epochs: int = DEFAULT_MAX_RESUMPTION_EPOCHS

    @classmethod
    def of(cls, external: Iterable[tuple[bytes, bytes]] = ()) -> PskStore:
        """A store holding the given `(psk_id, psk)` external keys."""
        store = cls()
        for psk_id, psk in external:
            store = store.with_external(psk_id, psk)
        return store

    def with_external(self, psk_id: bytes, psk: bytes) -> PskStore:
        """This store plus (or with a replaced) external PSK `psk_id`."""
        if not psk:
            raise UsageError("an external PSK must not be empty")
        merged = dict(self.external)
        merged[bytes(psk_id)] = bytes(psk)
        return PskStore(_frozen(merged), self.resumption, self.max_resumption_epochs)

    def without_external(self, psk_id: bytes) -> PskStore:
        merged = dict(self.external)
        merged.pop(bytes(psk_id), None)
        return PskStore(_frozen(merged), self.resumption, self.max_resumption_epochs)

    def with_resumption(self, group_id: bytes, epoch: int, psk: bytes) -> PskStore:
        """This store plus the resumption PSK of `group_id` at `epoch` (§8.6).

        Only the newest `max_resumption_epochs` epochs of each group are kept.
        """
        merged = dict(self.resumption)
        merged[(bytes(group_id), epoch)] = bytes(psk)
        epochs = sorted(e for (g, e) in merged if g == group_id)
        for old in epochs[: max(0, len(epochs) - self.max_resumption_epochs)]:
            del merged[(bytes(group_id), old)]
        return PskStore(self.external, _frozen_res(merged), self.max_resumption_epochs)

    def lookup(self, psk_id: PreSharedKeyID) -> bytes:
        """The secret `psk_id` names, or `InvalidMessage("psk-unknown")` (§12.4.2)."""
        if psk_id.psk_type == PSKType.EXTERNAL:
            value = self.external.get(psk_id.psk_id)
        else:
            value = self.resumption.get((psk_id.psk_group_id, psk_id.psk_epoch))
        if value is None:
            raise InvalidMessage("psk-unknown", f"no {psk_id.psk_type.name.lower()} PSK by that id")
        return value

    def resolve(self, ids: Iterable[PreSharedKeyID]) -> list[tuple[PreSharedKeyID, bytes]]:
        """Each id with its secret, in order (§8.4: the order of the derivation)."""
        return [(i, self.lookup(i)) for i in ids]
