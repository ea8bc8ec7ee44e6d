"""Bad input everywhere: a precise code, and the state exactly as it was.

Every code in `MESSAGES` is produced by at least one case here or in test_events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hasteh.org import (
    MESSAGES,
    AdmissionApproved,
    AdmissionObjected,
    CellCreated,
    CellSettings,
    ChangeSettings,
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
    OrgError,
    Outcome,
    PolicyViolation,
    ProposalStance,
    ProposalWithdrawn,
    Ranking,
    RemoveMember,
    SeizureReviewed,
    SettingsChanged,
    StanceCast,
    ThreadOpened,
    Verdict,
    Vouched,
    apply,
    authorize,
    compute_outcome,
    empty_state,
    replay,
)

from .helpers import DAY, Log, card, cell

NOWHERE = EventId(b"\xee" * 16)


@dataclass
class World:
    """A cell with something of everything, to aim bad events at."""

    log: Log
    ids: dict[str, EventId]


def build_world() -> World:
    log = cell(5)
    ids: dict[str, EventId] = {}

    def do(name: str, author: int, body: Any, at: int | None = None) -> None:
        ids[name] = log.do(author, body, at).event_id

    # two seizures carried out (leaves 4 and 3), the first one reviewed
    do("seizure", 1, MemberSeized(4))
    log.do(1, MemberRemoved(4, 1, log.next_epoch()))
    log.do(0, SeizureReviewed(ids["seizure"], upheld=True))
    do("seizure2", 1, MemberSeized(3))
    log.do(1, MemberRemoved(3, 1, log.next_epoch()))
    do("thread", 0, ThreadOpened("t"))
    do("message", 1, MessagePosted(ids["thread"], "hello", log.now + DAY))
    do("proposal", 0, NewcomerProposed(card("Roya"), "Roya", log.now + DAY))
    log.do(1, Vouched(ids["proposal"]))
    do("single", 0, DecisionOpened("single", "q", log.now + DAY, ("x", "y")))
    log.do(0, StanceCast(ids["single"], Choice(0)))
    do("ranked", 0, DecisionOpened("ranked", "q", log.now + DAY, ("x", "y", "z"), seats=1))
    do("multi", 0, DecisionOpened("multiple", "q", log.now + DAY, ("x", "y"), seats=1))
    do("consent", 0, DecisionOpened("consent", "q", log.now + DAY))
    do("optin", 0, DecisionOpened("opt-in", "q", log.now + DAY))
    log.do(0, StanceCast(ids["optin"], OptIn()))
    do(
        "remove",
        0,
        DecisionOpened("proposal", "q", log.now + DAY, motion=RemoveMember(2, "Shirin")),
    )
    # a closed decision, a rejected settings motion, a carried-out settings motion
    do("closed", 0, DecisionOpened("consent", "q", log.now + DAY))
    for leaf in (0, 1, 2):
        log.do(leaf, StanceCast(ids["closed"], Consent()))
    log.do(0, DecisionClosed(ids["closed"], compute_outcome(log.state.decisions[ids["closed"]])))
    settings = ChangeSettings(CellSettings(size_cap=6))
    do("rejected", 0, DecisionOpened("consent", "q", log.now + DAY, motion=settings))
    log.do(1, StanceCast(ids["rejected"], Objection("no")))
    log.do(
        0,
        DecisionClosed(ids["rejected"], compute_outcome(log.state.decisions[ids["rejected"]])),
        at=log.now + DAY,
    )
    do("done", 0, DecisionOpened("consent", "q", log.now + DAY, motion=settings))
    log.do(1, StanceCast(ids["done"], Consent()))
    log.do(
        0,
        DecisionClosed(ids["done"], compute_outcome(log.state.decisions[ids["done"]])),
        at=log.now + DAY,
    )
    log.do(1, SettingsChanged(ids["done"]))
    log.do(2, LeaveAnnounced())
    return World(log, ids)


Case = Callable[[World], tuple[Any, int | None]]  # (body or envelope, author)


def at_now(world: World, body: Any, author: int = 0, at: int | None = None) -> EventEnvelope:
    return world.log.envelope(author, body, at)


def reuse_id(world: World, name: str, author: int, body: Any) -> EventEnvelope:
    env = world.log.envelope(author, body)
    return EventEnvelope(1, world.ids[name], env.author, env.at, env.body)


def relay_motion(world: World, relays: tuple[str, ...]) -> EventEnvelope:
    """A settings motion that puts `relays` as the cell's list (an informer's, or a typo)."""
    motion = ChangeSettings(CellSettings(relays=relays))
    return at_now(world, DecisionOpened("consent", "q", world.log.now + DAY, motion=motion))


W = World
T = "thread"
CASES: dict[str, Callable[[World], EventEnvelope]] = {
    "cell-exists": lambda w: at_now(w, CellCreated("again", "Bahar")),
    "not-a-member": lambda w: at_now(w, ThreadOpened("t"), author=6),
    "not-a-member (motion)": lambda w: at_now(
        w, DecisionOpened("consent", "q", w.log.now + DAY, motion=RemoveMember(1, "Wrong"))
    ),
    "cap-above-hard-limit": lambda w: at_now(
        w,
        DecisionOpened(
            "consent", "q", w.log.now + DAY, motion=ChangeSettings(CellSettings(size_cap=8))
        ),
    ),
    "cap-below-members": lambda w: at_now(
        w,
        DecisionOpened(
            "consent", "q", w.log.now + DAY, motion=ChangeSettings(CellSettings(size_cap=2))
        ),
    ),
    "bad-setting": lambda w: at_now(
        w,
        DecisionOpened(
            "consent", "q", w.log.now + DAY, motion=ChangeSettings(CellSettings(message_expiry=60))
        ),
    ),
    "no-relays": lambda w: relay_motion(w, ()),
    "too-many-relays": lambda w: relay_motion(w, tuple(f"http://r{i}.example" for i in range(9))),
    "bad-relay": lambda w: relay_motion(w, ("http://127.0.0.1:1", "javascript:alert(1)")),
    "bad-relay (credentials)": lambda w: relay_motion(w, ("https://spy:pw@relay.example",)),
    "bad-relay (trailing slash)": lambda w: relay_motion(w, ("https://relay.example/",)),
    "relay-twice": lambda w: relay_motion(w, ("http://a.onion", "http://a.onion")),
    "malformed-card": lambda w: at_now(w, NewcomerProposed(b"\x01" * 31, "Nima", w.log.now + DAY)),
    "expired-card": lambda w: at_now(w, NewcomerProposed(card("Nima"), "Nima", w.log.now)),
    "cover-name-taken": lambda w: at_now(w, NewcomerProposed(card("Nima"), "Kaveh", w.log.now + 9)),
    "cover-name-taken (pending)": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "Roya", w.log.now + 9)
    ),
    "cover-name-taken (case)": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "kAVEH", w.log.now + 9)
    ),
    "cover-name-taken (all-Cyrillic look-alike)": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "\u041a\u0430\u0475\u0435\u04bb", w.log.now + 9)
    ),
    "name-empty": lambda w: at_now(w, NewcomerProposed(card("Nima"), " \u3000 ", w.log.now + 9)),
    "name-no-letter": lambda w: at_now(w, NewcomerProposed(card("Nima"), "...", w.log.now + 9)),
    "name-hidden-character": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "Ni\u202ema", w.log.now + 9)
    ),
    "name-hidden-character (closes the page's isolate)": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "Nima\u2069", w.log.now + 9)
    ),
    "name-hidden-character (zero width)": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "Ni\u200bma", w.log.now + 9)
    ),
    "name-hidden-character (only invisible)": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "\u200b\u200d", w.log.now + 9)
    ),
    "name-zwnj": lambda w: at_now(w, NewcomerProposed(card("Nima"), "Ni\u200cma", w.log.now + 9)),
    "name-marks": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "Nima\u0334\u0334\u0334\u0334", w.log.now + 9)
    ),
    "name-mixed-script": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "s\u0435pideh", w.log.now + 9)
    ),
    "name-unclean": lambda w: at_now(
        w, NewcomerProposed(card("Nima"), "Nima  Roshan", w.log.now + 9)
    ),
    "card-pending": lambda w: at_now(w, NewcomerProposed(card("Roya"), "Nima", w.log.now + 9)),
    "unknown-proposal": lambda w: at_now(w, Vouched(NOWHERE), author=1),
    "unknown-proposal (withdraw)": lambda w: at_now(w, ProposalWithdrawn(NOWHERE)),
    "proposal-lapsed": lambda w: at_now(
        w, Vouched(w.ids["proposal"]), author=2, at=w.log.now + 8 * DAY
    ),
    "not-your-proposal": lambda w: at_now(w, ProposalWithdrawn(w.ids["proposal"]), author=1),
    "motion-too-soon": lambda w: at_now(
        w, DecisionOpened("consent", "q", w.log.now + 9, motion=RemoveMember(1, "Kaveh"))
    ),
    "self-vouch": lambda w: at_now(w, Vouched(w.ids["proposal"]), author=0),
    "already-answered": lambda w: at_now(w, AdmissionApproved(w.ids["proposal"]), author=1),
    "already-answered (object)": lambda w: at_now(
        w, AdmissionObjected(w.ids["proposal"], "x"), author=0
    ),
    "stale-epoch": lambda w: at_now(w, MemberAdded(5, "N", card("N"), 0, w.log.epoch - 1)),
    "stale-epoch (remove)": lambda w: at_now(w, MemberRemoved(1, 0, 0)),
    "self-seizure": lambda w: at_now(w, MemberSeized(1), author=1),
    "unknown-seizure": lambda w: at_now(w, SeizureReviewed(NOWHERE, True)),
    "already-reviewed": lambda w: at_now(w, SeizureReviewed(w.ids["seizure"], False)),
    "self-approval": lambda w: at_now(w, SeizureReviewed(w.ids["seizure2"], True), author=1),
    "self-approval (removal vote)": lambda w: at_now(
        w, StanceCast(w.ids["remove"], ProposalStance("disagree")), author=2
    ),
    "already-leaving": lambda w: at_now(w, LeaveAnnounced(), author=2),
    "unknown-thread": lambda w: at_now(w, MessagePosted(NOWHERE, "x", w.log.now + 9)),
    "duplicate-id": lambda w: reuse_id(w, T, 0, ThreadOpened("again")),
    "duplicate-id (message)": lambda w: reuse_id(
        w, "message", 0, MessagePosted(w.ids[T], "x", w.log.now + 9)
    ),
    "duplicate-id (decision)": lambda w: reuse_id(
        w, "single", 0, DecisionOpened("consent", "q", w.log.now + 9)
    ),
    "expiry-in-past": lambda w: at_now(w, MessagePosted(w.ids[T], "x", w.log.now)),
    "not-your-message": lambda w: at_now(w, MessageDeleted(w.ids["message"]), author=0),
    "deadline-in-past": lambda w: at_now(w, DecisionOpened("consent", "q", w.log.now - 1)),
    "deadline-in-past (now)": lambda w: at_now(w, DecisionOpened("consent", "q", w.log.now)),
    "deadline-too-far": lambda w: at_now(w, DecisionOpened("consent", "q", w.log.now + 400 * DAY)),
    "bad-options": lambda w: at_now(w, DecisionOpened("single", "q", w.log.now + 9, ("only",))),
    "bad-options (same twice)": lambda w: at_now(
        w, DecisionOpened("ranked", "q", w.log.now + 9, ("a", "a"), seats=1)
    ),
    "bad-options (consent)": lambda w: at_now(
        w, DecisionOpened("consent", "q", w.log.now + 9, ("a", "b"))
    ),
    "bad-quorum": lambda w: at_now(w, DecisionOpened("consent", "q", w.log.now + 9, quorum=4)),
    "bad-seats": lambda w: at_now(w, DecisionOpened("ranked", "q", w.log.now + 9, ("a", "b"))),
    "bad-seats (single)": lambda w: at_now(
        w, DecisionOpened("single", "q", w.log.now + 9, ("a", "b"), seats=1)
    ),
    "bad-motion": lambda w: at_now(
        w,
        DecisionOpened("single", "q", w.log.now + 9, ("a", "b"), motion=RemoveMember(1, "Kaveh")),
    ),
    "unknown-decision": lambda w: at_now(w, StanceCast(NOWHERE, Consent())),
    "unknown-decision (close)": lambda w: at_now(w, DecisionClosed(NOWHERE, Outcome("adopted"))),
    "unknown-decision (settings)": lambda w: at_now(w, SettingsChanged(NOWHERE)),
    "vote-twice": lambda w: at_now(w, StanceCast(w.ids["single"], Choice(1))),
    "vote-twice (opt-in)": lambda w: at_now(w, StanceCast(w.ids["optin"], OptIn())),
    "vote-after-close": lambda w: at_now(w, StanceCast(w.ids["closed"], Consent()), author=1),
    "vote-after-close (deadline)": lambda w: at_now(
        w, StanceCast(w.ids["single"], Choice(1)), author=1, at=w.log.now + DAY
    ),
    "wrong-stance": lambda w: at_now(w, StanceCast(w.ids["single"], Consent()), author=1),
    "unknown-option": lambda w: at_now(w, StanceCast(w.ids["single"], Choice(2)), author=1),
    "unknown-option (ranking)": lambda w: at_now(
        w, StanceCast(w.ids["ranked"], Ranking((0, 7))), author=1
    ),
    "duplicate-option": lambda w: at_now(w, StanceCast(w.ids["ranked"], Ranking((1, 1)))),
    "too-many-choices": lambda w: at_now(w, StanceCast(w.ids["multi"], Choices((0, 1)))),
    "reason-required": lambda w: at_now(w, StanceCast(w.ids["consent"], Objection("  "))),
    "reason-required (block)": lambda w: at_now(
        w, StanceCast(w.ids["remove"], ProposalStance("block"))
    ),
    "already-closed": lambda w: at_now(w, DecisionClosed(w.ids["closed"], Outcome("adopted"))),
    "not-due": lambda w: at_now(
        w,
        DecisionClosed(w.ids["single"], compute_outcome(w.log.state.decisions[w.ids["single"]])),
    ),
    "wrong-outcome": lambda w: at_now(
        w, DecisionClosed(w.ids["single"], Outcome("tie")), at=w.log.now + DAY
    ),
    "motion-not-adopted": lambda w: at_now(w, SettingsChanged(w.ids["rejected"])),
    "motion-done": lambda w: at_now(w, SettingsChanged(w.ids["done"])),
    "wrong-motion": lambda w: at_now(w, SettingsChanged(w.ids["consent"])),
    "field-too-large": lambda w: at_now(w, ThreadOpened("x" * 201)),
    "unsupported-version": lambda w: EventEnvelope(2, NOWHERE, 0, w.log.now, ThreadOpened("t")),
    "malformed": lambda w: EventEnvelope(1, b"short", 0, w.log.now, ThreadOpened("t")),
    "malformed-event": lambda w: EventEnvelope(1, NOWHERE, 0, w.log.now, ThreadOpened(object())),  # type: ignore[arg-type]
}


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_with_code_and_state_unchanged(world: World, case: str) -> None:
    code = case.split(" (")[0]
    before = world.log.state
    snapshot = replay(world.log.envelopes)
    assert snapshot == before
    envelope = CASES[case](world)
    with pytest.raises(InvalidEvent) as err:
        apply(before, envelope)
    assert err.value.code == code
    assert err.value.message == MESSAGES[code].format_map(
        {k: v for k, v in err.value.params.items()}
    )
    assert world.log.state is before
    assert before == snapshot


def test_unknown_cell() -> None:
    state = empty_state()
    with pytest.raises(InvalidEvent) as err:
        apply(state, EventEnvelope(1, NOWHERE, 0, 5, ThreadOpened("t")))
    assert err.value.code == "unknown-cell"
    assert state == empty_state()


def test_cell_created_with_too_high_a_cap() -> None:
    with pytest.raises(InvalidEvent) as err:
        apply(
            empty_state(), EventEnvelope(1, NOWHERE, 0, 5, CellCreated("c", "B", CellSettings(8)))
        )
    assert err.value.code == "cap-above-hard-limit"
    assert "7" in err.value.message


def test_cap_reached_on_proposal() -> None:
    log = cell(5)
    before = log.state
    with pytest.raises(InvalidEvent) as err:
        log.do(0, NewcomerProposed(card("Farhad"), "Farhad", log.now + DAY))
    assert err.value.code == "cap-reached"
    assert log.state is before


POLICY_CASES: dict[str, Callable[[Log], MemberAdded | MemberRemoved]] = {
    "no-proposal": lambda log: MemberAdded(5, "X", b"\x05" * 32, 0, log.epoch + 1),
    "no-voucher": lambda log: MemberAdded(5, "Nima", card("Nima"), 0, log.epoch + 1),
    "cover-name-mismatch": lambda log: MemberAdded(5, "Other", card("Nima"), 0, log.epoch + 1),
    "committer-not-member": lambda log: MemberAdded(5, "Nima", card("Nima"), 6, log.epoch + 1),
    "leaf-taken": lambda log: MemberAdded(1, "Nima", card("Nima"), 0, log.epoch + 1),
    "no-decision": lambda log: MemberRemoved(1, 0, log.epoch + 1),
}


@pytest.mark.parametrize("code", sorted(POLICY_CASES))
def test_policy_refuses_own_commit(code: str) -> None:
    log = cell(3)
    log.do(0, NewcomerProposed(card("Nima"), "Nima", log.now + DAY))
    before = log.state
    with pytest.raises(PolicyViolation) as err:
        authorize(POLICY_CASES[code](log), log.state)
    assert err.value.code == code
    assert log.state is before and replay(log.envelopes) == before


def test_a_seized_device_can_do_nothing_more() -> None:
    log = cell(3)
    thread = log.do(0, ThreadOpened("t")).event_id
    log.do(1, MemberSeized(2))
    before = log.state
    for body in (
        ThreadOpened("x"),
        MessagePosted(thread, "all is fine, come to the meeting", log.now + DAY),
        MemberSeized(1),  # a counter-seizure from the seized device
        NewcomerProposed(card("Agent"), "Agent", log.now + DAY),
    ):
        with pytest.raises(InvalidEvent) as err:
            log.do(2, body)
        assert err.value.code == "member-seized"
        assert log.state is before
    with pytest.raises(PolicyViolation) as perr:
        authorize(MemberRemoved(1, 2, log.epoch + 1), log.state)
    assert perr.value.code == "committer-seized"
    # On receipt, such a commit is folded (MLS did it) but raises an alarm.
    log.do(2, MemberRemoved(1, 2, log.next_epoch()))
    assert [a.code for a in log.state.alarms] == ["committer-seized"]
    assert log.state.alarms[0].by_cover_name == "Shirin"


#: Codes pinned in other modules: test_events (decoding), test_membership (not-approved),
#: test_names (name-too-long: the schema's bounds refuse a longer name first), test_alliance
#: (an alliance's log, and events of one kind of group sent to another); policy-refused
#: below.
ELSEWHERE = {"too-large", "unknown-event", "not-approved", "name-too-long", "policy-refused"}
ELSEWHERE |= {"not-in-this-group", "unknown-alliance", "alliance-exists"}
#: The fund's codes are pinned in test_fund (`test_every_fund_code_is_exercised`).
ELSEWHERE |= {code for code in MESSAGES if code.startswith("fund-")}
#: The actions family's codes: tests/org/test_actions.py::test_refusals_change_nothing.
ELSEWHERE |= {"unknown-action", "unknown-task", "not-your-task", "bad-link", "already-linked"}
ELSEWHERE |= {"too-many-items", "date-out-of-range", "review-too-early"}
#: Newcomers on trial: tests/org/test_trial.py (each attack of a newcomer on trial).
ELSEWHERE |= {"on-trial", "not-on-trial"}
#: The study circles' codes: tests/org/test_study.py (each refusal leaves the state as is).
ELSEWHERE |= {"unknown-circle", "unknown-reading", "unknown-session", "not-the-convener"}
ELSEWHERE |= {"bad-order", "session-over"}
#: Files and the library: tests/org/test_files.py.
ELSEWHERE |= {"file-over-cap", "files-full", "bad-chunk-list", "unknown-file", "not-your-file"}
ELSEWHERE |= {"unknown-item", "not-your-item"}
#: The newsroom's codes: tests/org/test_bulletin.py::test_every_bulletin_code_is_exercised_here.
ELSEWHERE |= {code for code in MESSAGES if code.startswith("bulletin-")}
ELSEWHERE |= {"unknown-article", "unknown-issue"}
#: The drop box's codes: tests/org/test_drop.py::test_refusals_change_nothing.
ELSEWHERE |= {"unknown-submission", "drop-not-yours", "drop-bad-image", "drop-empty"}
#: Federation's codes: tests/org/test_fed.py.
ELSEWHERE |= {"not-elected", "no-delegates", "not-a-delegate", "bad-holders", "no-cell-key"}
ELSEWHERE |= {"key-registered", "key-reused", "bad-signature", "no-alternate", "tally-unsigned"}
#: Federation's codes (issue 17): tests/org/test_federation.py.
ELSEWHERE |= {"council-too-late", "joint-action-past", "unknown-version", "unknown-section"}
ELSEWHERE |= {"programme-changed", "unknown-amendment", "already-endorsed", "cell-key-unknown"}
ELSEWHERE |= {"forged-endorsement", "issue-number", "unknown-issue-article"}
#: The alliance's bulletin key: tests/org/test_alliance_key.py (each refusal leaves the state).
ELSEWHERE |= {"not-a-member-cell"}


def test_every_code_is_exercised() -> None:
    covered = {c.split(" (")[0] for c in CASES} | set(POLICY_CASES) | ELSEWHERE
    covered |= {"unknown-cell", "cap-reached", "member-seized", "committer-seized"}
    assert set(MESSAGES) - covered == set()


def test_errors_are_org_errors_with_codes() -> None:
    err = InvalidEvent("vote-twice")
    assert isinstance(err, OrgError)
    assert err.code == "vote-twice"
    assert str(err) == "You have already taken part in this decision."
    with pytest.raises(KeyError):
        InvalidEvent("no-such-code")  # type: ignore[arg-type]


class _SilentPolicy:
    """A custom policy that refuses without saying why."""

    def check(self, change: object, state: object) -> Verdict:
        return Verdict(False)


def test_a_policy_refusal_without_a_code_has_one() -> None:
    log = cell(3)
    with pytest.raises(PolicyViolation) as err:
        authorize(MemberRemoved(1, 2, log.epoch + 1), log.state, _SilentPolicy())  # type: ignore[arg-type]
    assert err.value.code == "policy-refused"
