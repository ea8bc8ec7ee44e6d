"""Shared helpers for the group tests: deterministic randomness and a tiny group driver."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.credential import BasicCredential
from hasteh.mls.group import CommitApplied, GroupConfig, GroupState, create_group, join_from_welcome
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package
from hasteh.mls.proposals import Add, Proposal

NOW = 1_760_000_000
SUITE = 1


class DetRng:
    """A deterministic byte source (SHA-256 in counter mode): tests replay exactly."""

    def __init__(self, seed: bytes | str = b"seed") -> None:
        self._seed = seed.encode() if isinstance(seed, str) else seed
        self._counter = 0

    def __call__(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            self._counter += 1
            out += hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        return out[:n]


def new_key_package(name: str, rng: DetRng, suite_id: int = SUITE) -> KeyPackageSecrets:
    suite = get_suite(suite_id)
    signature_private, _ = suite.generate_signature_key(rng)
    return create_key_package(
        suite_id, BasicCredential(name.encode()), signature_private, rng=rng, now=NOW
    )


@dataclass
class World:
    """Members by name, each with its current state; commits are delivered to all."""

    rng: DetRng = field(default_factory=DetRng)
    states: dict[str, GroupState] = field(default_factory=dict)
    config: GroupConfig = field(default_factory=GroupConfig)

    @classmethod
    def start(cls, creator: str = "alice", *, config: GroupConfig | None = None) -> World:
        world = cls(config=config or GroupConfig())
        kp = new_key_package(creator, world.rng)
        world.states[creator] = create_group(
            SUITE, b"group-" + creator.encode(), kp, rng=world.rng, config=world.config
        )
        return world

    def commit(
        self,
        committer: str,
        proposals: list[Proposal],
        *,
        joiners: dict[str, KeyPackageSecrets] | None = None,
        force_path: bool = False,
    ) -> None:
        out = self.states[committer].commit(proposals, force_path=force_path, rng=self.rng, now=NOW)
        self.deliver(committer, out.commit)
        self.states[committer] = self.states[committer].merge_pending(out.pending)
        for name, kps in (joiners or {}).items():
            assert out.welcome is not None
            self.states[name] = join_from_welcome(out.welcome, kps, now=NOW, config=self.config)

    def deliver(self, sender: str, message: bytes) -> None:
        for name in list(self.states):
            if name == sender:
                continue
            result = self.states[name].process(message, now=NOW)
            assert isinstance(result, CommitApplied)
            if result.removed_self:
                del self.states[name]
            else:
                assert result.new_state is not None
                self.states[name] = result.new_state

    def add(self, committer: str, *names: str, force_path: bool = False) -> None:
        kps = {n: new_key_package(n, self.rng) for n in names}
        self.commit(
            committer,
            [Add(k.key_package) for k in kps.values()],
            joiners=kps,
            force_path=force_path,
        )

    def assert_agree(self) -> None:
        states = list(self.states.values())
        first = states[0]
        for s in states[1:]:
            assert s.epoch == first.epoch
            assert s.tree_hash == first.tree_hash
            assert s.epoch_authenticator == first.epoch_authenticator
            assert s.export("test", b"ctx", 32) == first.export("test", b"ctx", 32)
