"""Federation events (``fed.*``, and the alliance's votes and closes: the tallies) as a
delegate's client receives them (`org.decode`, then `log.receive` with the alliance's
table) on an alliance with a programme, an endorsement, an open amendment, a joint
action with counts, an open motion and a warning (`_federation_alliance`).

The oracle: only `OrgError` escapes; a refused event leaves the state as it was; an
accepted one folds to the same state unchecked; every endorsement held verifies with
its cell's key (no forged endorsement is ever accepted); versions are numbered 1..n,
each made by an amendment the alliance adopted, each digest different; a closed vote's
outcome is the count of its votes, one per cell; counts are numbers of member cells;
the alliance's bulletin key chain holds (each key after the first signed by the one it
replaced, never reused) and every compiled issue names a key of that chain."""

from __future__ import annotations

import itertools

from fuzz import _federation_alliance
from fuzz._common import Finding, harness, main
from hasteh import org
from hasteh.org import OrgError
from hasteh.org.alliance import ALLIANCE, AllianceState, compute_outcome
from hasteh.org.keychain import rotation_body
from hasteh.org.programme import verify_endorsement
from hasteh.publish.keys import verify_with

STATE, LOG = _federation_alliance.build()
PRISTINE, _ = _federation_alliance.build()


def _check(state: AllianceState) -> None:
    prog = state.programme
    if [v.number for v in prog.versions] != list(range(1, prog.number + 1)):
        raise Finding("programme versions are not numbered 1..n")
    if len({v.digest for v in prog.versions}) != prog.number:
        raise Finding("two programme versions share a digest")
    for v in prog.versions:
        outcome = state.motions[v.amendment_id].outcome
        if outcome is None or not outcome.adopted:
            raise Finding("a version was made by an amendment the alliance did not adopt")
    for (cell, number), endorsement in prog.endorsements.items():
        key = state.cell_keys.get(cell)
        version = prog.version(number)
        if key is None or version is None:
            raise Finding("an endorsement of an unknown cell or version was kept")
        if not verify_endorsement(key, version, endorsement.signature):
            raise Finding("a forged endorsement was accepted")
    for motion in state.motions.values():
        if not set(motion.votes) <= state.cells:
            raise Finding("a vote of a cell that is not a member was counted")
        if motion.outcome is not None and motion.outcome != compute_outcome(motion):
            raise Finding("a closed vote's outcome is not the count of its votes")
    for action in state.joint.values():
        if not set(action.counts) <= state.cells or any(
            not 0 <= n <= 1_000 for n in action.counts.values()
        ):
            raise Finding("a joint action holds a count of a non-member or out of range")
    keys = state.keychain.keys
    if len({k.public for k in keys}) != len(keys):
        raise Finding("a bulletin key was issued twice")
    for before, record in itertools.pairwise(keys):
        link = record.rotation
        if link is None or record.reason_id is None or link.old != before.public:
            raise Finding("a bulletin key replaced another without a rotation link")
        body = rotation_body(link.sequence, link.old, record.public, record.reason_id)
        if not verify_with(link.old, link.signature, body):
            raise Finding("a bulletin key rotation not signed by the old key was accepted")
    if any(issue.key not in {k.public for k in keys} for issue in state.issues):
        raise Finding("an issue names a key that is not the alliance's")


@harness
def TestOneInput(data: bytes) -> None:
    try:
        env = org.decode(data)
    except OrgError:
        return
    try:
        received = org.log.receive(ALLIANCE, STATE, env)
    except OrgError:
        if STATE != PRISTINE:
            raise Finding("a refused event changed the state") from None
        return
    new = received.state
    if org.log.fold(ALLIANCE, STATE, env) != new:
        raise Finding("checked and unchecked folds disagree")
    _check(new)
    if STATE != PRISTINE:
        raise Finding("receiving changed the state it started from")


if __name__ == "__main__":
    main(TestOneInput)
