"""A newcomer's join history (the log a committing member hands over).

Mode 0 (org): a sequence of org events, each u16-length-prefixed, applied with checks
(`org.apply_history`) from the empty state, as `hasteh.app.join` does; the first refused
event refuses the whole history. Only `OrgError` may escape (before the fix,
`KeyError`/`AssertionError` did); an accepted history replays with `org.fold` (checks
off) to the same state without raising.

Mode 1 (app): the same events in a `History` frame, protected by the committer (alice,
after adding dave) and checked by the newcomer (dave) with the app's own
`hasteh.app.join._checked_history`: MLS, frame and history decoding, mailbox and relays,
every event, and the tree-versus-log member comparison. Mode 2: the fuzzed bytes are the
History msgpack itself. Only the join's refusal may escape."""

from __future__ import annotations

import struct

import msgspec

from fuzz import _mls_world
from fuzz._common import NOW, DetRng, Finding, harness, main
from hasteh import org
from hasteh.app import frames
from hasteh.app import join as app_join
from hasteh.mls.group import GroupState
from hasteh.org import OrgError

WORLD = _mls_world.world(True)


class _Workspace:
    """What `_checked_history` asks of a workspace: the time."""

    def now(self) -> int:
        return NOW


def split(data: bytes) -> list[bytes]:
    chunks, at = [], 0
    while at + 2 <= len(data) and len(chunks) < 256:
        (n,) = struct.unpack_from(">H", data, at)
        chunks.append(data[at + 2 : at + 2 + n])
        at += 2 + n
    return chunks


def join(chunks: list[bytes]) -> bytes:
    return b"".join(struct.pack(">H", len(c)) + c for c in chunks)


def _org_level(data: bytes) -> None:
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


def _app_level(body: bytes) -> None:
    alice = GroupState.from_bytes(WORLD.alice_after, WORLD.config)
    wire = alice.protect(bytes([frames.HISTORY]) + body, rng=DetRng(body[:16]))
    dave = GroupState.from_bytes(WORLD.dave_joined, WORLD.config)
    try:
        _history, domain, envelopes = app_join._checked_history(_Workspace(), dave, wire)  # type: ignore[arg-type]
    except app_join._Refusal:
        return
    replayed = org.log.replay(domain.log, envelopes)  # by the rules of the history's kind
    in_log = {int(leaf): replayed.cover_name(leaf) for leaf in replayed.members}
    if len(in_log) != len(list(dave.members())):
        raise Finding("an accepted history does not match the tree")


def history_body(events: list[bytes]) -> bytes:
    history = frames.History(b"m" * 32, ["https://relay.example"], {}, events)
    return msgspec.msgpack.encode(history)


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    if mode == 0:
        _org_level(rest)
    elif mode == 1:
        _app_level(history_body(split(rest)))
    else:
        _app_level(rest)


if __name__ == "__main__":
    main(TestOneInput)
