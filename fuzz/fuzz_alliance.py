"""An alliance's federation as a delegate's client receives it, on the harness alliance
(`_alliance`). The first byte picks the mode:

* 0: an envelope (`org.decode`, then the alliance's `log.receive`). Only `OrgError` may
  escape; a refused event leaves the state as it was; an accepted one folds to the same
  state unchecked; no motion counts two votes of one cell or a vote of a cell that is
  not a member; every cell key is 32 bytes and every tally signature verifies under the
  key it was made with; a pending recall names a registered alternate.
* 1: a signed tally (msgpack of `SignedTally`), checked as a cell checks its delegate's
  report (`fed.check_tally`): only `OrgError`/`InvalidEvent` may escape, and a tally it
  accepts has a cell listed once, the outcome of its votes, and only good signatures.
"""

from __future__ import annotations

import msgspec

from fuzz import _alliance
from fuzz._common import Finding, harness, main
from hasteh import org
from hasteh.org import OrgError
from hasteh.org import cell_key as keys
from hasteh.org.alliance import ALLIANCE, tally_to_sign
from hasteh.org.events import SignedTally
from hasteh.org.fed import check_tally, tally_outcome

STATE, LOG = _alliance.build()
PRISTINE, _ = _alliance.build()


def _receive(data: bytes) -> None:
    try:
        env = org.decode(data)
    except OrgError:
        return
    try:
        new = org.log.receive(ALLIANCE, STATE, env).state
    except OrgError:
        if STATE != PRISTINE:
            raise Finding("a refused event changed the state") from None
        return
    if org.log.fold(ALLIANCE, STATE, env) != new:
        raise Finding("checked and unchecked folds disagree")
    for motion in new.motions.values():
        if not set(motion.votes) <= set(STATE.cells) | set(new.cells):
            raise Finding("a motion counts a vote of a cell that is not a member")
        if motion.outcome is not None and motion.signatures:
            signed = tally_to_sign(new, motion.motion_id)
            for cell, (key, signature) in motion.signatures.items():
                if not keys.verify(key, signed, signature):
                    raise Finding(f"the tally holds a bad signature of {cell}")
    if any(len(k) != keys.KEY_SIZE for k in new.cell_keys.values()):
        raise Finding("a cell key of the wrong size")
    for cell, recall in new.recalls.items():
        alternate = new.alternates.get(cell)
        if not recall.added and (
            alternate is None or alternate.card_fingerprint != recall.card_fingerprint
        ):
            raise Finding("a pending recall names no registered alternate")
    if STATE != PRISTINE:
        raise Finding("receiving changed the state it started from")


def _tally(data: bytes) -> None:
    try:
        tally = msgspec.msgpack.decode(data, type=SignedTally)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError):
        return
    try:
        check_tally(tally, "cell-a")
    except OrgError:
        return
    cells = [v.cell for v in tally.votes]
    if len(set(cells)) != len(cells) or tally.outcome != tally_outcome(tally):
        raise Finding("an accepted tally lists a cell twice or a wrong outcome")
    body = keys.tally_body(tally.motion_id, tally.question, tally.votes, tally.outcome)
    if not all(keys.verify(s.key, body, s.signature) for s in tally.signatures):
        raise Finding("an accepted tally holds a bad signature")


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    if data[0] % 2 == 0:
        _receive(data[1:])
    else:
        _tally(data[1:])


if __name__ == "__main__":
    main(TestOneInput)
