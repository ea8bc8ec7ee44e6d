"""A newcomer's join history (the log a committing member hands over): a sequence of org
events, each u16-length-prefixed, applied with checks (`org.apply_history`) from the empty
state, as `hasteh.app.join` does; the first refused event refuses the whole history.
Only `OrgError` may escape (before the fix, `KeyError`/`AssertionError` did); a history
that is accepted replays with `org.fold` (checks off) to the same state without raising."""

from __future__ import annotations

import struct

from fuzz._common import Finding, harness, main
from hasteh import org
from hasteh.org import OrgError


def split(data: bytes) -> list[bytes]:
    chunks, at = [], 0
    while at + 2 <= len(data) and len(chunks) < 256:
        (n,) = struct.unpack_from(">H", data, at)
        chunks.append(data[at + 2 : at + 2 + n])
        at += 2 + n
    return chunks


def join(chunks: list[bytes]) -> bytes:
    return b"".join(struct.pack(">H", len(c)) + c for c in chunks)


@harness
def TestOneInput(data: bytes) -> None:
    state = org.empty_state()
    envelopes = []
    for raw in split(data):
        try:
            env = org.decode(raw)
            state = org.apply_history(state, env)
        except OrgError:
            return  # the whole history is refused
        envelopes.append(env)
    if org.replay(envelopes) != state:
        raise Finding("an accepted history replays to another state")
    {int(m.leaf): m.cover_name for m in state.members.values()}  # what join compares


if __name__ == "__main__":
    main(TestOneInput)
