"""Properties: same log ⇒ same state; any relay interleaving of concurrent sends is valid.

The relay orders the log, so members agree if (1) folding is a function of the log alone
(nothing hidden, nothing mutated, no dependence on the process's hash seed) and (2) an
event's validity depends only on the log before it and the event's own fields. For events
that commute (concurrent posts, stances, approvals), every order the relay could produce,
keeping each author's own order, must be accepted whole and give the same state.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.org import (
    AdmissionApproved,
    AdmissionObjected,
    Choice,
    Choices,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    InvalidEvent,
    LeaveAnnounced,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    MessageDeleted,
    MessagePosted,
    NewcomerProposed,
    Objection,
    OptIn,
    OrgState,
    ProposalStance,
    Ranking,
    StanceCast,
    ThreadOpened,
    Vouched,
    apply,
    compute_outcome,
    empty_state,
    replay,
)
from hasteh.org.pmap import PMap

from .helpers import DAY, T0, Log, card, cell
from .test_bad_input import build_world

ROOT = Path(__file__).resolve().parents[2]


def canonical(value: Any) -> Any:
    """A process-independent picture of a state (sorted, no hash order)."""
    if isinstance(value, PMap):
        return ("pmap", sorted((canonical(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, dict):
        return ("dict", sorted((canonical(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, frozenset | set):
        return ("set", sorted(canonical(v) for v in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            [canonical(getattr(value, f.name)) for f in dataclasses.fields(value)],
        )
    if isinstance(value, msgspec.Struct):
        return (type(value).__name__, canonical(msgspec.to_builtins(value)))
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value


def digest(state: OrgState) -> str:
    return hashlib.sha256(repr(canonical(state)).encode()).hexdigest()


# --- same log => same state ----------------------------------------------------------------

authors = st.integers(0, 6)
texts = st.text(min_size=1, max_size=20)
stances = st.one_of(
    st.just(Consent()),
    st.builds(Objection, st.sampled_from(["", "no", "risky"])),
    st.builds(
        ProposalStance,
        st.sampled_from(["agree", "abstain", "disagree", "block"]),
        st.sampled_from(["", "why"]),
    ),
    st.builds(Choice, st.integers(0, 3)),
    st.builds(Choices, st.lists(st.integers(0, 2), max_size=3).map(tuple)),
    st.builds(Ranking, st.lists(st.integers(0, 3), min_size=1, max_size=3).map(tuple)),
    st.just(OptIn()),
)
actions = st.one_of(
    st.tuples(st.just("thread"), authors, texts),
    st.tuples(st.just("post"), authors, st.integers(0, 40), texts, st.integers(-5, 20 * DAY)),
    st.tuples(st.just("delete"), authors, st.integers(0, 40)),
    st.tuples(st.just("stance"), authors, st.integers(0, 40), stances),
    st.tuples(st.just("close"), authors, st.integers(0, 40), st.integers(-5, 2 * DAY)),
    st.tuples(
        st.just("open"),
        authors,
        st.sampled_from(["consent", "proposal", "single", "opt-in"]),
        st.integers(-5, 2 * DAY),
    ),
    st.tuples(st.just("propose"), authors, st.sampled_from(["Nima", "Kaveh", "Sara"])),
    st.tuples(st.just("answer"), authors, st.integers(0, 40), st.integers(0, 2)),
    st.tuples(st.just("add"), authors, st.integers(0, 6), st.sampled_from(["Nima", "Sara", "X"])),
    st.tuples(st.just("remove"), authors, st.integers(0, 6)),
    st.tuples(st.just("seize"), authors, st.integers(0, 6)),
    st.tuples(st.just("leave"), authors),
    st.tuples(st.just("time"), st.integers(0, DAY)),
)


def build_log(
    script: list[tuple[Any, ...]],
) -> tuple[OrgState, list[EventEnvelope], list[EventEnvelope]]:
    """Member A, fed by the relay: its state, the whole log, and the events it accepted."""
    world = build_world()
    log = world.log
    pool = list(world.ids.values())
    everything: list[EventEnvelope] = list(log.envelopes)
    accepted: list[EventEnvelope] = list(log.envelopes)
    for step in script:
        kind, *args = step
        if kind == "time":
            log.now += args[0]
            continue
        author = args[0]
        ref = pool[args[1] % len(pool)] if len(args) > 1 and isinstance(args[1], int) else b""
        body: Any
        at = log.now
        if kind == "thread":
            body = ThreadOpened(args[1])
        elif kind == "post":
            body = MessagePosted(ref, args[2], log.now + args[3])
        elif kind == "delete":
            body = MessageDeleted(ref)
        elif kind == "stance":
            body = StanceCast(ref, args[2])
        elif kind == "close":
            at = log.now + args[2]
            decision = log.state.decisions.get(ref)  # type: ignore[arg-type]
            if decision is None or not decision.is_open:
                continue
            body = DecisionClosed(ref, compute_outcome(decision))
        elif kind == "open":
            options = ("a", "b", "c") if args[1] == "single" else ()
            body = DecisionOpened(args[1], "q", log.now + args[2], options)
        elif kind == "propose":
            body = NewcomerProposed(card(args[1]), args[1], log.now + DAY)
        elif kind == "answer":
            body = (Vouched, AdmissionApproved, lambda p: AdmissionObjected(p, "no"))[args[2]](ref)
        elif kind == "add":
            body = MemberAdded(args[1], args[2], card(args[2]), author, log.next_epoch())
        elif kind == "remove":
            body = MemberRemoved(args[1], author, log.next_epoch())
        elif kind == "seize":
            body = MemberSeized(args[1])
        else:
            body = LeaveAnnounced()
        env = log.envelope(author, body, at)
        everything.append(env)
        pool.append(env.event_id)
        try:
            log.state = apply(log.state, env)
        except InvalidEvent:
            continue
        accepted.append(env)
    return log.state, everything, accepted


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, max_size=40))
def test_same_log_same_state(script: list[tuple[Any, ...]]) -> None:
    state_a, everything, accepted_a = build_log(script)
    # Member B receives the same log from the relay, refused events included, and
    # refuses exactly the events A refused.
    state_b = empty_state()
    accepted_b = []
    for env in everything:
        try:
            state_b = apply(state_b, env)
        except InvalidEvent:
            continue
        accepted_b.append(env.event_id)
    assert accepted_b == [e.event_id for e in accepted_a]
    assert state_b == state_a
    assert canonical(state_b) == canonical(state_a)
    # A replay of the accepted log (as after a restart) gives the same state again.
    assert replay(accepted_a) == state_a


SCENARIO = """
import hashlib, sys
sys.path.insert(0, {root!r})
from tests.org.test_properties import digest, build_log, SCRIPT
state, _, _ = build_log(SCRIPT)
print(digest(state))
"""

SCRIPT: list[tuple[Any, ...]] = [
    ("thread", 0, "plan"),
    ("post", 1, 0, "hello", DAY),
    ("stance", 1, 4, Choice(1)),
    ("stance", 2, 4, Choice(1)),
    ("propose", 2, "Nima"),
    ("time", 2 * DAY),
    ("close", 0, 4, 0),
    ("remove", 1, 2),
    ("seize", 0, 1),
]


def test_same_log_same_state_across_hash_seeds() -> None:
    """Two processes with different hash seeds (so different PMap layouts) agree."""
    digests = set()
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", SCENARIO.format(root=str(ROOT))],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=ROOT,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    assert digests == {digest(build_log(SCRIPT)[0])}


# --- concurrent sends: every interleaving ------------------------------------------------


def concurrent_cell() -> tuple[Log, dict[str, EventId]]:
    log = cell(4)
    ids = {
        "thread": log.do(0, ThreadOpened("general")).event_id,
        "single": log.do(0, DecisionOpened("single", "q", T0 + DAY, ("a", "b"))).event_id,
        "consent": log.do(0, DecisionOpened("consent", "q", T0 + DAY)).event_id,
        "optin": log.do(0, DecisionOpened("opt-in", "q", T0 + DAY)).event_id,
        "ranked": log.do(
            0, DecisionOpened("ranked", "q", T0 + DAY, ("a", "b", "c"), seats=2)
        ).event_id,
        "proposal": log.do(0, NewcomerProposed(card("Nima"), "Nima", T0 + DAY)).event_id,
    }
    return log, ids


member_plan = st.fixed_dictionaries(
    {
        "posts": st.integers(0, 3),
        "own_thread": st.booleans(),
        "single": st.one_of(st.none(), st.integers(0, 1)),
        "consent": st.booleans(),
        "optin": st.booleans(),
        "ranked": st.one_of(st.none(), st.permutations([0, 1, 2])),
        "answer": st.booleans(),
    }
)


def sends(
    member: int, plan: dict[str, Any], ids: dict[str, EventId], log: Log
) -> list[EventEnvelope]:
    """One member's events, in the order their client sends them."""
    out: list[EventEnvelope] = []

    def send(body: Any, offset: int = 0) -> EventEnvelope:
        env = log.envelope(member, body, T0 + offset)
        out.append(env)
        return env

    for i in range(plan["posts"]):
        send(MessagePosted(ids["thread"], f"{member}:{i}", T0 + DAY), i)
    if plan["own_thread"]:
        own = send(ThreadOpened(f"thread of {member}")).event_id
        send(MessagePosted(own, "first", T0 + DAY), 1)
    if plan["single"] is not None:
        send(StanceCast(ids["single"], Choice(plan["single"])))
    if plan["consent"]:
        send(StanceCast(ids["consent"], Consent() if member % 2 else Objection("wait")))
    if plan["optin"]:
        send(StanceCast(ids["optin"], OptIn()))
    if plan["ranked"] is not None:
        send(StanceCast(ids["ranked"], Ranking(tuple(plan["ranked"]))))
    if plan["answer"] and member != 0:
        send((Vouched if member == 1 else AdmissionApproved)(ids["proposal"]))
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(member_plan, min_size=4, max_size=4), st.randoms(use_true_random=False))
def test_any_interleaving_of_concurrent_sends(plans: list[dict[str, Any]], rnd: Any) -> None:
    log, ids = concurrent_cell()
    base = log.state
    queues = [sends(m, plans[m], ids, log) for m in range(4)]
    # The relay's order: any merge that keeps each author's own order.
    order = [m for m, q in enumerate(queues) for _ in q]
    rnd.shuffle(order)
    positions = [0] * 4
    relay: list[EventEnvelope] = []
    for m in order:
        relay.append(queues[m][positions[m]])
        positions[m] += 1
    in_author_order = [e for q in queues for e in q]

    def fold_all(events: list[EventEnvelope]) -> OrgState:
        state = base
        for env in events:
            state = apply(state, env)  # every one is valid, in any such order
        return state

    member_a = fold_all(relay)
    member_b = fold_all(relay)
    assert member_a == member_b
    # These events commute, so even members fed different orders end the same.
    assert member_a == fold_all(in_author_order)
    assert len(member_a.messages) == sum(p["posts"] + p["own_thread"] for p in plans)
    optin = member_a.decisions[ids["optin"]]
    assert optin.optin_count == sum(p["optin"] for p in plans)


def test_pmap_matches_dict_model() -> None:
    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(st.booleans(), st.integers(0, 60), st.integers()), max_size=200))
    def check(ops: list[tuple[bool, int, int]]) -> None:
        model: dict[int, int] = {}
        pmap: PMap[int, int] = PMap()
        versions = []
        for is_set, key, value in ops:
            versions.append((pmap, dict(model)))
            if is_set:
                model[key] = value
                pmap = pmap.set(key, value)
            else:
                model.pop(key, None)
                pmap = pmap.delete(key)
            assert len(pmap) == len(model)
        assert dict(pmap.items()) == model
        assert all(pmap.get(k) == v for k, v in model.items())
        assert all(k not in pmap for k in range(61) if k not in model)
        # Older versions are untouched.
        for old, old_model in versions:
            assert dict(old.items()) == old_model
        assert pmap == PMap.from_items(model.items())

    check()


def test_pmap_hash_collisions() -> None:
    class Colliding:
        def __init__(self, n: int) -> None:
            self.n = n

        def __hash__(self) -> int:
            return 7

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Colliding) and other.n == self.n

    keys = [Colliding(i) for i in range(5)]
    m: PMap[Colliding, int] = PMap()
    for i, k in enumerate(keys):
        m = m.set(k, i)
    m = m.set(keys[0], 99)
    assert len(m) == 5 and m[keys[0]] == 99
    m = m.delete(keys[1]).delete(keys[1])
    assert len(m) == 4 and keys[1] not in m and m[keys[4]] == 4
