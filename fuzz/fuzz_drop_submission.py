"""What reaches the drop box from outside (docs/dropbox.md), by the first byte:

0  a submission's text (`dropbox.clean_text`): only `BadInput`; what is kept has no
   control character but newline and tab, no direction override, and fits the bound;
1  a photo (`dropbox.shrink_photo`): only `BadInput`; what is kept is a JPEG that fits
   one event and carries no EXIF;
2  a sealed file (`dropbox.unseal`, the harness's key): only `BadInput`;
3  a ``drop.*`` event as a member receives it (`org.decode`, `org.receive`) on a cell
   holding one submission: only `OrgError`; a refusal leaves the state as it was; an
   accepted event folds the same unchecked, and no submission outgrows its bounds.
"""

from __future__ import annotations

import re

from fuzz import _org_cell
from fuzz._common import NOW, Finding, harness, main
from hasteh import org
from hasteh.app import dropbox
from hasteh.app.errors import BadInput
from hasteh.org import EventEnvelope, LeafIndex, OrgError
from hasteh.org.drop import MAX_REPLIES
from hasteh.org.events import DropSubmitted
from hasteh.org.events.drop import MAX_DROP_IMAGE, MAX_DROP_TEXT

SECRET = bytes(range(32))
_UNSAFE_TEXT = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f]")


def build() -> org.OrgState:
    state, _log = _org_cell.build()
    env = EventEnvelope(
        org.VERSION, _org_cell.event_id(7000), LeafIndex(0), NOW, DropSubmitted("x", images=2)
    )
    return org.apply(state, env)


STATE = build()
PRISTINE = build()


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 4, data[1:]
    try:
        if mode == 0:
            kept = dropbox.clean_text(rest.decode("utf-8", errors="replace"))
            if _UNSAFE_TEXT.search(kept) or len(kept) > MAX_DROP_TEXT:
                raise Finding("unsafe or oversized text kept")
        elif mode == 1:
            out = dropbox.shrink_photo(rest)
            if not out.startswith(b"\xff\xd8\xff") or len(out) > MAX_DROP_IMAGE:
                raise Finding("a kept photo is not a small JPEG")
            if b"Exif\x00\x00" in out:
                raise Finding("a kept photo carries EXIF")
        elif mode == 2:
            dropbox.unseal(SECRET, rest)
        else:
            _receive(rest)
    except BadInput:
        return


def _receive(data: bytes) -> None:
    try:
        env = org.decode(data)
        received = org.receive(STATE, env)
    except OrgError:
        if STATE != PRISTINE:
            raise Finding("a refused event changed the state") from None
        return
    if org.fold(STATE, env) != received.state:
        raise Finding("checked and unchecked folds disagree")
    for held in received.state.drops.values():
        if len(held.images) > held.expected_images or len(held.replies) > MAX_REPLIES:
            raise Finding("a submission outgrew its bounds")


if __name__ == "__main__":
    main(TestOneInput)
