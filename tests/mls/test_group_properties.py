"""Properties of random group histories among several hasteh members (RFC 9420 §8, §12).

Hypothesis draws sequences of adds, removes, Update proposals, empty commits and
application messages, committed by random members over PublicMessage or PrivateMessage
handshakes. After every step:

* every member has the same epoch, tree hash, epoch authenticator and exporter output
  (§8.7: "the epoch_authenticator computed by their client will differ" otherwise);
* every application message is read by every other current member;
* a removed member never decrypts a message sent after its removal.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.mls.errors import InvalidMessage
from hasteh.mls.group import GroupConfig, GroupState, ProposalReceived
from hasteh.mls.proposals import Remove

from .group_helpers import World


@dataclass(frozen=True)
class Step:
    kind: str  # add | remove | update | empty | message
    actor: int  # picks a member (modulo the current count)
    target: int  # picks a second member where one is needed
    force_path: bool


steps = st.lists(
    st.builds(
        Step,
        kind=st.sampled_from(["add", "add", "remove", "update", "empty", "message", "message"]),
        actor=st.integers(0, 15),
        target=st.integers(0, 15),
        force_path=st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


def _check_removed_cannot_read(world: World, removed: dict[str, GroupState]) -> None:
    sender = next(iter(world.states))
    message = world.states[sender].protect(b"after removal", rng=world.rng)
    for name, state in world.states.items():
        if name != sender:
            assert state.unprotect(message).data == b"after removal"
    for state in removed.values():
        with pytest.raises(InvalidMessage):
            state.unprotect(message)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(history=steps, encrypt=st.booleans())
def test_random_histories_keep_members_in_agreement(history: list[Step], encrypt: bool) -> None:
    world = World.start("m0", config=GroupConfig(encrypt_handshake=encrypt))
    world.add("m0", "m1")
    removed: dict[str, GroupState] = {}
    counter = 2
    for step in history:
        names = sorted(world.states)
        actor = names[step.actor % len(names)]
        others = [n for n in names if n != actor]
        if step.kind == "add" and len(names) < 7:
            world.add(actor, f"m{counter}", force_path=step.force_path)
            counter += 1
        elif step.kind == "remove" and len(names) > 2:
            victim = others[step.target % len(others)]
            removed[victim] = world.states[victim]
            world.commit(actor, [Remove(world.states[victim].own_leaf)])
            assert victim not in world.states
        elif step.kind == "update" and others:
            proposer = others[step.target % len(others)]
            state, proposal = world.states[proposer].propose_update(rng=world.rng)
            world.states[proposer] = state
            for name in names:
                if name != proposer:
                    got = world.states[name].process(proposal)
                    assert isinstance(got, ProposalReceived)
                    world.states[name] = got.new_state
            world.commit(actor, [], force_path=step.force_path)
        elif step.kind == "empty":
            world.commit(actor, [], force_path=True)
        else:
            message = world.states[actor].protect(actor.encode(), rng=world.rng)
            for name in others:
                assert world.states[name].unprotect(message).data == actor.encode()
        world.assert_agree()
        if removed:
            _check_removed_cannot_read(world, removed)
