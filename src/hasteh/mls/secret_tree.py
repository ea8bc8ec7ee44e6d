"""Secret tree and sender ratchets (RFC 9420 §9), and the sender-data key (§6.3.2).

Each epoch's `encryption_secret` seeds a tree of secrets shaped like the ratchet tree
(§9). Each leaf's secret starts two hash ratchets, one for handshake and one for
application messages; the j-th step of a ratchet gives the single-use key and nonce for
the j-th message that leaf sends (§9.1).

Forward secrecy depends on deleting what has been used (§9.2), so this state object
forgets as it goes:

* a tree node's secret is dropped as soon as both its children's secrets are derived,
  and a leaf's secret as soon as its two ratchets are started;
* a ratchet keeps only its next secret; each step replaces it;
* a key handed out is never kept. Keys skipped over while receiving out of order are
  kept, at most `max_skipped` per ratchet, until used once, then dropped.

A message that names a generation but fails to open (a bad AEAD tag or signature)
uses nothing: its key goes back, and the keys derived to reach it are kept too, as
unused keys ahead of the ratchet's *floor* (the generation after the last one used).
So a member who sends garbage at the edge of the window makes receivers derive once,
not once per message; and since the window counts from the floor, not from how far
garbage pushed the derivation, it cannot push the window forward or evict keys of
real messages. Keys ahead of the floor are bounded by the window (`max_skipped` + 1),
keys behind it by `max_skipped`.

"Deleting" in Python means dropping every reference we hold; CPython cannot scrub the
memory of an immutable `bytes`. That is the best this layer can do and it is what the
tests check: nothing the tree retains equals a key it has handed out.

`SecretTree` is a mutable per-epoch object; the group state owns one per epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from . import tree_math as tm
from .cipher_suite import CipherSuite
from .codec import Reader, Writer
from .errors import InternalError, InvalidMessage, MLSDecodeError, UsageError
from .labels import expand_with_label, ratchet_step_secrets
from .tree_math import LeafIndex, NodeIndex

#: Default number of keys a receiver will derive ahead of a ratchet and keep for
#: out-of-order messages (§9.2 "MAY keep unconsumed values around for some reasonable
#: amount of time"). Larger gaps are refused rather than computed, so a forged
#: generation cannot make us hash millions of times.
MAX_SKIPPED = 1000

T = TypeVar("T")

#: Generations are uint32 on the wire (§6.3.2 SenderData, §9.1 DeriveTreeSecret).
_MAX_GENERATION = (1 << 32) - 1


class RatchetKind(Enum):
    """Which of a leaf's two ratchets (§9); the value is its §9 derivation label."""

    HANDSHAKE = "handshake"
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class RatchetKey:
    """The AEAD key and nonce for one message at one ratchet generation (§9.1)."""

    generation: int
    key: bytes = field(repr=False)
    nonce: bytes = field(repr=False)


class _HashRatchet:
    """One sender ratchet: the secret for `generation`, the keys derived but not used
    (`skipped`), and `floor`, the generation after the last key used (§9.1, §9.2)."""

    __slots__ = ("floor", "generation", "secret", "skipped")

    def __init__(self, secret: bytes) -> None:
        self.generation = 0
        self.floor = 0
        self.secret: bytes = secret
        self.skipped: dict[int, RatchetKey] = {}

    def step(self, suite: CipherSuite) -> RatchetKey:
        """The key at the current generation; the secret moves on and the old one is gone."""
        j = self.generation
        if j > _MAX_GENERATION:
            raise UsageError("sender ratchet exhausted: no generation fits in a uint32")
        key, nonce, self.secret = ratchet_step_secrets(suite, self.secret, j)
        self.generation = j + 1
        return RatchetKey(j, key, nonce)


_KIND_CODES = {RatchetKind.HANDSHAKE: 0, RatchetKind.APPLICATION: 1}


class SecretTree:
    """The secret tree of one epoch (§9) with per-leaf handshake and application ratchets.

    `next_key` is for sending, `key_for` for receiving. Both hand out each key once.
    """

    __slots__ = ("_max_skipped", "_n_leaves", "_nodes", "_ratchets", "_suite")

    def __init__(
        self,
        suite: CipherSuite,
        encryption_secret: bytes,
        n_leaves: int,
        *,
        max_skipped: int = MAX_SKIPPED,
    ) -> None:
        if len(encryption_secret) != suite.nh:
            raise UsageError(
                f"encryption_secret must be Nh={suite.nh} bytes, got {len(encryption_secret)}"
            )
        if max_skipped < 0:
            raise UsageError(f"max_skipped must be non-negative, got {max_skipped}")
        self._suite = suite
        self._n_leaves = n_leaves
        self._max_skipped = max_skipped
        # §9: tree_node_[root]_secret = encryption_secret. Only secrets not yet
        # expanded into their children live here.
        self._nodes: dict[NodeIndex, bytes] = {tm.root(n_leaves): encryption_secret}
        self._ratchets: dict[tuple[LeafIndex, RatchetKind], _HashRatchet] = {}

    @property
    def n_leaves(self) -> int:
        return self._n_leaves

    @property
    def max_skipped(self) -> int:
        return self._max_skipped

    # --- public API ---------------------------------------------------------------

    def next_key(self, leaf: LeafIndex, kind: RatchetKind) -> RatchetKey:
        """The key for our next outgoing message from `leaf`; the ratchet advances.

        Raises `UsageError` for a leaf outside the tree: sending is our own doing.
        """
        if not 0 <= leaf < self._n_leaves:
            raise UsageError(f"leaf {leaf} is outside a tree of {self._n_leaves} leaves")
        return self._ratchet(leaf, kind).step(self._suite)

    def key_for(self, leaf: LeafIndex, kind: RatchetKind, generation: int) -> RatchetKey:
        """The key a peer at `leaf` used for `generation`, handed out at most once.

        Keys for generations skipped to reach this one are kept for late messages.
        Raises `InvalidMessage` with reason ``"unknown-sender"`` (no such leaf),
        ``"key-consumed"`` (already handed out, or no longer kept) or
        ``"generation-too-far"`` (more than `max_skipped` ahead of the ratchet).
        """
        ratchet, key = self._take(leaf, kind, generation)
        self._used(ratchet, key.generation)
        return key

    def open_with(
        self,
        leaf: LeafIndex,
        kind: RatchetKind,
        generation: int,
        use: Callable[[RatchetKey], T],
    ) -> T:
        """Run `use` with the key for `generation`; consume it only if `use` succeeds.

        Every member can derive every leaf's keys, so a forged message with a valid AEAD
        tag but a bad signature is possible; if a failed check consumed the key, any
        member could burn another's keys and make their real messages unreadable. So
        key is put back when `use` raises `InvalidMessage`. What was derived to reach it
        is kept (see the module docstring): a repeat of the same garbage costs nothing.
        """
        ratchet, key = self._take(leaf, kind, generation)
        try:
            out = use(key)
        except InvalidMessage:
            ratchet.skipped[key.generation] = key  # unused: still available, once
            raise
        self._used(ratchet, key.generation)
        return out

    def _take(
        self, leaf: LeafIndex, kind: RatchetKind, generation: int
    ) -> tuple[_HashRatchet, RatchetKey]:
        """Remove the key for `generation` from the ratchet, deriving up to it if needed
        (every key derived on the way is kept as skipped); the floor does not move."""
        if not 0 <= leaf < self._n_leaves:
            raise InvalidMessage(
                "unknown-sender", f"leaf {leaf} is outside a tree of {self._n_leaves} leaves"
            )
        if not 0 <= generation <= _MAX_GENERATION:
            raise InvalidMessage("generation-too-far", f"generation {generation} is not a uint32")
        ratchet = self._ratchet(leaf, kind)
        if generation < ratchet.generation:
            key = ratchet.skipped.pop(generation, None)
            if key is None:
                raise InvalidMessage(
                    "key-consumed", f"{kind.value} key {generation} of leaf {leaf} is gone"
                )
            return ratchet, key
        # The window counts from the floor, so keys derived for messages that failed
        # do not move it forward.
        if generation - ratchet.floor > self._max_skipped:
            raise InvalidMessage(
                "generation-too-far",
                f"generation {generation} is more than {self._max_skipped} past {ratchet.floor}",
            )
        while ratchet.generation < generation:
            skipped = ratchet.step(self._suite)
            ratchet.skipped[skipped.generation] = skipped
        return ratchet, ratchet.step(self._suite)

    def _used(self, ratchet: _HashRatchet, generation: int) -> None:
        """A key was used (§9.2: it is gone already): move the floor past it and bound
        the unused keys behind the floor, oldest first."""
        ratchet.floor = max(ratchet.floor, generation + 1)
        if len(ratchet.skipped) <= self._max_skipped:
            return
        behind = sorted(g for g in ratchet.skipped if g < ratchet.floor)
        for g in behind[: max(0, len(behind) - self._max_skipped)]:
            del ratchet.skipped[g]

    # --- persistence --------------------------------------------------------------

    def encode(self, w: Writer) -> None:
        """Write what the tree still holds: unexpanded node secrets, ratchets, skipped keys.

        Deleted secrets are simply absent, so persisting the tree preserves §9.2 deletion.
        """
        w.u32(self._n_leaves)
        w.u32(self._max_skipped)

        def node(w2: Writer, item: tuple[NodeIndex, bytes]) -> None:
            w2.u32(item[0])
            w2.opaque(item[1])

        def key(w2: Writer, k: RatchetKey) -> None:
            w2.u32(k.generation)
            w2.opaque(k.key)
            w2.opaque(k.nonce)

        def ratchet(w2: Writer, item: tuple[tuple[LeafIndex, RatchetKind], _HashRatchet]) -> None:
            (leaf, kind), r = item
            w2.u32(leaf)
            w2.u8(_KIND_CODES[kind])
            w2.u32(r.generation)
            w2.u32(r.floor)
            w2.opaque(r.secret)
            w2.vector(list(r.skipped.values()), key)

        w.vector(sorted(self._nodes.items()), node)
        w.vector(sorted(self._ratchets.items(), key=lambda kv: (kv[0][0], kv[0][1].value)), ratchet)

    @classmethod
    def decode(cls, r: Reader, suite: CipherSuite, *, with_floor: bool = True) -> SecretTree:
        """Rebuild a tree written by `encode`; malformed input raises `MLSDecodeError`.
        `with_floor=False` reads the older encoding without floors (floor = generation)."""
        n_leaves = r.u32()
        max_skipped = r.u32()
        if n_leaves == 0 or n_leaves & (n_leaves - 1):
            raise MLSDecodeError(f"secret tree of {n_leaves} leaves is not a power of two")
        nodes = dict(r.vector(lambda r2: (NodeIndex(r2.u32()), r2.opaque())))

        def ratchet(r2: Reader) -> tuple[tuple[LeafIndex, RatchetKind], _HashRatchet]:
            leaf = LeafIndex(r2.u32())
            code = r2.u8()
            kind = next((k for k, c in _KIND_CODES.items() if c == code), None)
            if kind is None or leaf >= n_leaves:
                raise MLSDecodeError("malformed secret tree ratchet")
            out = _HashRatchet(b"")
            out.generation = r2.u32()
            out.floor = r2.u32() if with_floor else out.generation
            if out.floor > out.generation:
                raise MLSDecodeError("ratchet floor past its generation")
            out.secret = r2.opaque()
            for k in r2.vector(lambda r3: RatchetKey(r3.u32(), r3.opaque(), r3.opaque())):
                out.skipped[k.generation] = k
            return (leaf, kind), out

        ratchets = dict(r.vector(ratchet))
        tree = cls(suite, bytes(suite.nh), n_leaves, max_skipped=max_skipped)
        tree._nodes = nodes
        tree._ratchets = ratchets
        return tree

    # --- derivation ---------------------------------------------------------------

    def _ratchet(self, leaf: LeafIndex, kind: RatchetKind) -> _HashRatchet:
        ratchet = self._ratchets.get((leaf, kind))
        if ratchet is None:
            self._start_ratchets(leaf)
            ratchet = self._ratchets[(leaf, kind)]
        return ratchet

    def _start_ratchets(self, leaf: LeafIndex) -> None:
        """Derive down to `leaf` (§9), start its two ratchets, and drop used node secrets."""
        target = tm.leaf_to_node(leaf)
        # Root first: the lowest ancestor whose secret we still hold is where we start.
        path = [target, *tm.direct_path(target, self._n_leaves)]
        start = next((i for i, x in enumerate(path) if x in self._nodes), None)
        if start is None:
            raise InternalError(f"secret tree holds no ancestor of leaf {leaf}")
        for node in reversed(path[1 : start + 1]):
            secret = self._nodes.pop(node)
            suite = self._suite
            self._nodes[tm.left(node)] = expand_with_label(suite, secret, "tree", b"left", suite.nh)
            self._nodes[tm.right(node)] = expand_with_label(
                suite, secret, "tree", b"right", suite.nh
            )
        leaf_secret = self._nodes.pop(target)
        for kind in RatchetKind:
            base = expand_with_label(self._suite, leaf_secret, kind.value, b"", self._suite.nh)
            self._ratchets[(leaf, kind)] = _HashRatchet(base)


def sender_data_key_nonce(
    suite: CipherSuite, sender_data_secret: bytes, ciphertext: bytes
) -> tuple[bytes, bytes]:
    """The AEAD key and nonce protecting a PrivateMessage's SenderData (§6.3.2).

    They depend on a sample of the content ciphertext, its first Nh bytes (or all of it
    if shorter), so each message's sender data gets its own key.
    """
    sample = ciphertext[: suite.nh]
    key = expand_with_label(suite, sender_data_secret, "key", sample, suite.nk)
    nonce = expand_with_label(suite, sender_data_secret, "nonce", sample, suite.nn)
    return key, nonce
