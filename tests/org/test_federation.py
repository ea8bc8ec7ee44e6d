"""Federation in an alliance's log (issue 17): the Workers' Action Program, joint actions,
warnings, the council and report-backs, sans-I/O.

The attacks: a forged endorsement (another cell's key, another version's signature, a
signature replayed from another alliance with the same text, garbage), an amendment that
would overwrite a change it never saw, a second endorsement, a count after the date, a
council declared once others joined. Each is refused with its code and the state is as
it was.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import CELL, EventId, InvalidEvent, log
from hasteh.org.alliance import ALLIANCE, close_due, ratify_due, with_cell_key
from hasteh.org.events import AllianceFormed, CellVoted, MotionOpened, MotionOutcome
from hasteh.org.events.bulletin import EditorInbox, KeyIssued
from hasteh.org.events.federation import (
    AmendmentProposed,
    AmendmentRatified,
    ArticleSubmitted,
    CarriedDown,
    CouncilDeclared,
    EditorsNamed,
    IssueCompiled,
    JointActionProposed,
    JointOptedIn,
    ProgrammeEndorsed,
    WarningRaised,
)
from hasteh.org.joint import go
from hasteh.org.programme import endorsers, sign_endorsement, verify_endorsement
from hasteh.org.reports import ordered
from hasteh.publish.keys import BulletinKey
from tests.org.helpers import DAY, cell
from tests.org.test_alliance import Alliance, alliance

CELLS = ("cell-a", "cell-b", "cell-c")


KEY = BulletinKey.from_seed(b"\x21" * 32)


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def keyed(n: int = 3) -> tuple[Alliance, dict[str, Ed25519PrivateKey]]:
    """An alliance of `n` cells whose keys every member knows."""
    a = alliance(n)
    keys = {
        name: Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32)
        for i, name in enumerate(CELLS[:n])
    }
    for name, key in keys.items():
        a.state = with_cell_key(a.state, name, raw(key))
    return a, keys


def decide(a: Alliance, motion: bytes, votes: tuple[bool, ...]) -> None:
    """Every cell votes (leaf i for cell i), then the motion is closed."""
    for leaf, agree in enumerate(votes):
        a.do(leaf, CellVoted(EventId(motion), agree))
    for close in close_due(a.state, a.now):
        a.do(0, close)


def amend(
    a: Alliance,
    section: str,
    text: str,
    *,
    by: int = 0,
    votes: tuple[bool, ...] = (True, True, False),
) -> bytes:
    base = a.state.programme.number
    amendment = a.do(by, AmendmentProposed(section, text, base, a.now + DAY)).event_id
    decide(a, amendment, votes)
    return amendment


def test_an_amendment_is_voted_ratified_and_endorsed_by_cell_keys() -> None:
    a, keys = keyed()
    first = amend(a, "Wages", "A living wage, paid on time.", by=1)
    assert ratify_due(a.state) == (AmendmentRatified(first),)
    a.do(2, AmendmentRatified(first))
    second = amend(a, "Safety", "Stop work when the air is unsafe.")
    a.do(0, AmendmentRatified(second))
    prog = a.state.programme
    assert prog.number == 2
    assert [(s.title, s.changed_in) for s in prog.sections] == [("Wages", 1), ("Safety", 2)]
    assert prog.version(1).sections[0].text == "A living wage, paid on time."  # type: ignore[union-attr]
    assert prog.versions[0].proposed_by == "cell-b"
    v2 = prog.version(2)
    assert v2 is not None
    for leaf, name in ((0, "cell-a"), (2, "cell-c")):
        a.do(leaf, ProgrammeEndorsed(2, sign_endorsement(keys[name], v2)))
    assert endorsers(a.state.programme, 2) == ["cell-a", "cell-c"]
    assert endorsers(a.state.programme, 1) == []
    # An amendment that rewrites a section keeps its place; one that empties it removes it.
    third = amend(a, "Wages", "A living wage, indexed to prices.")
    a.do(1, AmendmentRatified(third))
    assert [s.title for s in a.state.programme.sections] == ["Wages", "Safety"]
    fourth = amend(a, "Safety", "")
    a.do(1, AmendmentRatified(fourth))
    assert [s.title for s in a.state.programme.sections] == ["Wages"]
    assert a.state.programme.number == 4 and len(a.state.programme.versions) == 4
    # Every member folds the same log to the same programme.
    replayed = log.replay(ALLIANCE, a.envelopes)
    assert replayed.programme.versions == a.state.programme.versions


def test_a_forged_endorsement_is_refused() -> None:
    a, keys = keyed()
    a.do(0, AmendmentRatified(amend(a, "Wages", "A living wage.")))
    a.do(0, AmendmentRatified(amend(a, "Hours", "Eight hours a day.")))
    v1, v2 = a.state.programme.versions
    # cell-b's delegate signs with cell-a's key, or with a key of its own making.
    assert (
        a.refused(1, ProgrammeEndorsed(2, sign_endorsement(keys["cell-a"], v2)))
        == "forged-endorsement"
    )
    stranger = Ed25519PrivateKey.from_private_bytes(b"\x77" * 32)
    assert (
        a.refused(1, ProgrammeEndorsed(2, sign_endorsement(stranger, v2))) == "forged-endorsement"
    )
    # cell-b's real signature of version 1, presented as an endorsement of version 2.
    assert (
        a.refused(1, ProgrammeEndorsed(2, sign_endorsement(keys["cell-b"], v1)))
        == "forged-endorsement"
    )
    assert a.refused(1, ProgrammeEndorsed(2, bytes(64))) == "forged-endorsement"
    # Another alliance ratified the very same text: cell-b's endorsement there is no
    # endorsement here (the digest binds this alliance's amendment ids).
    other, _ = keyed()
    other.counter = 1_000
    other.do(0, AmendmentRatified(amend(other, "Wages", "A living wage.")))
    there = other.state.programme.versions[0]
    assert [s.text for s in there.sections] == [s.text for s in v1.sections]
    assert (
        a.refused(1, ProgrammeEndorsed(1, sign_endorsement(keys["cell-b"], there)))
        == "forged-endorsement"
    )
    assert (
        a.refused(1, ProgrammeEndorsed(3, sign_endorsement(keys["cell-b"], v2)))
        == "unknown-version"
    )
    a.do(1, ProgrammeEndorsed(2, sign_endorsement(keys["cell-b"], v2)))
    assert (
        a.refused(1, ProgrammeEndorsed(2, sign_endorsement(keys["cell-b"], v2)))
        == "already-endorsed"
    )
    # A cell whose key the alliance does not know cannot endorse (nothing to check by).
    keyless = alliance(2)
    keyless.do(0, AmendmentRatified(amend(keyless, "Wages", "A living wage.", votes=(True, True))))
    version = keyless.state.programme.versions[0]
    assert (
        keyless.refused(1, ProgrammeEndorsed(1, sign_endorsement(keys["cell-b"], version)))
        == "cell-key-unknown"
    )


def test_an_amendment_cannot_overwrite_a_change_it_never_saw() -> None:
    a, _ = keyed()
    a.do(0, AmendmentRatified(amend(a, "Wages", "A living wage.")))
    # Two cells draft on version 1: one on Wages, one on Hours; a third on Wages again.
    wages = a.do(1, AmendmentProposed("Wages", "Double pay at night.", 1, a.now + DAY)).event_id
    hours = a.do(2, AmendmentProposed("Hours", "Eight hours.", 1, a.now + DAY)).event_id
    again = a.do(0, AmendmentProposed("Wages", "A living wage for all.", 1, a.now + DAY)).event_id
    for motion in (wages, hours, again):
        decide(a, motion, (True, True, True))
    # Only the first of two amendments of one section is ratified now.
    assert ratify_due(a.state) == (AmendmentRatified(wages), AmendmentRatified(hours))
    a.do(0, AmendmentRatified(wages))
    a.do(0, AmendmentRatified(hours))  # another section: still fine
    assert a.refused(0, AmendmentRatified(again)) == "programme-changed"
    assert ratify_due(a.state) == ()
    assert a.refused(0, AmendmentRatified(wages)) == "motion-done"
    assert a.refused(0, AmendmentProposed("Wages", "x", 1, a.now + DAY)) == "programme-changed"
    assert a.refused(0, AmendmentProposed("Wages", "x", 9, a.now + DAY)) == "unknown-version"
    assert a.refused(0, AmendmentProposed("Pensions", "", 3, a.now + DAY)) == "unknown-section"
    assert a.refused(0, AmendmentProposed("Pensions", "x", 3, a.now)) == "deadline-in-past"
    rejected = amend(a, "Pensions", "A pension at 60.", votes=(False, False, True))
    assert a.refused(0, AmendmentRatified(rejected)) == "motion-not-adopted"
    assert a.refused(0, AmendmentRatified(EventId(b"\x01" * 16))) == "unknown-amendment"
    assert a.state.programme.number == 3


def test_a_joint_action_counts_by_cell_and_is_decided_by_the_alliance() -> None:
    a, _ = keyed()
    demands = ("Wages paid on time", "No night shifts")
    action = a.do(
        1, JointActionProposed("Monday stoppage", demands, a.now + 5 * DAY, a.now + 2 * DAY)
    ).event_id
    a.do(0, JointOptedIn(action, 4))
    a.do(1, JointOptedIn(action, 3))
    a.do(0, JointOptedIn(action, 5))  # cell-a's new count replaces its first
    joint = a.state.joint[EventId(action)]
    assert dict(joint.counts) == {"cell-a": 5, "cell-b": 3} and joint.total == 8
    assert joint.demands == demands and joint.proposed_by == "cell-b"
    assert a.state.motions[EventId(action)].is_open and go(None) == "open"
    decide(a, action, (True, True, False))
    assert a.state.motions[EventId(action)].outcome == MotionOutcome(True, 2, 1)
    assert go(True) == "go" and go(False) == "no-go"
    assert a.refused(0, JointOptedIn(EventId(b"\x02" * 16), 1)) == "unknown-action"
    a.now += 5 * DAY
    assert a.refused(2, JointOptedIn(action, 2)) == "joint-action-past"
    assert (
        a.refused(0, JointActionProposed("Twice", ("x", "x"), a.now + DAY, a.now + DAY))
        == "duplicate-option"
    )
    assert (
        a.refused(0, JointActionProposed("Late", ("x",), a.now, a.now + DAY)) == "deadline-in-past"
    )


def test_warnings_councils_and_report_backs() -> None:
    a = alliance(2)
    a.do(1, WarningRaised("informer", "Someone asks new hires who organizes."))
    [warning] = a.state.warnings.values()
    assert (warning.cell, warning.kind) == ("cell-b", "informer")
    assert a.refused(0, CouncilDeclared()) == "council-too-late"
    council = Alliance()
    council.do(0, AllianceFormed("national", "north"))
    council.do(0, CouncilDeclared())
    assert council.state.council
    assert council.refused(0, CouncilDeclared()) == "council-too-late"
    # The council's decision carried into the alliance, then into a cell.
    outcome = MotionOutcome(True, 2, 0)
    a.do(
        0, CarriedDown("decision", "national", "A national day of action?", outcome, ("national",))
    )
    [report] = ordered(a.state.carried)
    assert (report.source, report.outcome, report.path) == ("national", outcome, ("national",))
    c = cell(3)
    c.do(
        2,
        CarriedDown(
            "decision", "north", "A national day of action?", outcome, ("national", "north")
        ),
    )
    [down] = ordered(c.state.carried)
    assert (down.by, down.path) == (2, ("national", "north"))
    assert log.replay(CELL, c.envelopes).carried == c.state.carried
    before = c.state
    with pytest.raises(InvalidEvent) as err:
        c.do(7, CarriedDown("warning", "north", "x"))
    assert err.value.code == "not-a-member" and c.state is before


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80), st.binary(max_size=80))
def test_verifying_garbage_is_false_never_an_exception(key: bytes, signature: bytes) -> None:
    a, keys = keyed(2)
    a.do(0, AmendmentRatified(amend(a, "Wages", "A living wage.", votes=(True, True))))
    version = a.state.programme.versions[0]
    assert verify_endorsement(key, version, signature) is False
    assert verify_endorsement(
        raw(keys["cell-a"]), version, sign_endorsement(keys["cell-a"], version)
    )


def test_an_issue_is_compiled_only_by_an_adopted_editorial_decision() -> None:
    a, _ = keyed()
    first = a.do(1, ArticleSubmitted("Night shifts", "Nobody should work nights alone.")).event_id
    second = a.do(2, ArticleSubmitted("The fund", "How the fund helped three families.")).event_id
    assert {x.cell for x in a.state.articles.values()} == {"cell-b", "cell-c"}
    # cell-c's seat is named the editor and makes the alliance's bulletin key
    naming = a.do(0, EditorsNamed(("cell-c",), a.now + DAY)).event_id
    decide(a, naming, (True, True, True))
    a.do(2, EditorInbox(b"\x03" * 32))
    a.do(2, KeyIssued(KEY.public, ()))
    editorial = a.do(0, MotionOpened("Issue 1: both articles?", a.now + DAY)).event_id
    claim = "HB1:ABC"
    issue = IssueCompiled(editorial, 1, "Workers' Voice", a.now, (first, second), claim, KEY.public)

    def compiled(motion: bytes, number: int, articles: tuple[bytes, ...]) -> IssueCompiled:
        return IssueCompiled(motion, number, "W", a.now, articles, claim, KEY.public)

    assert a.refused(0, issue) == "motion-not-adopted"
    decide(a, editorial, (True, True, False))
    assert a.refused(0, compiled(editorial, 2, (first,))) == "issue-number"
    assert a.refused(0, compiled(editorial, 1, (first, first))) == "duplicate-option"
    assert a.refused(0, compiled(editorial, 1, (EventId(b"\x09" * 16),))) == (
        "unknown-issue-article"
    )
    amendment = amend(a, "Wages", "A living wage.")
    assert a.refused(0, compiled(amendment, 1, (first,))) == "wrong-motion"
    assert a.refused(0, issue) == "bulletin-not-editor"  # cell-a's seat holds no key
    a.do(2, issue)
    assert [(i.number, i.articles, i.compiled_by) for i in a.state.issues] == [
        (1, (first, second), "cell-c")
    ]
    assert a.refused(2, compiled(editorial, 2, (first,))) == "motion-done"
    assert log.replay(ALLIANCE, a.envelopes).issues == a.state.issues
