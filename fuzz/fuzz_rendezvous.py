"""Spoken-code exchanges (`hasteh.app.invite_code`), from either side, with the key.

Mode 0: the newcomer, after its open, takes the fuzzed bytes as the member's reply.
Mode 1: the member takes them as the newcomer's open. Mode 2: the fuzzed bytes are the
**plaintext of the member's answer**, sealed with the right key by a real member side (so
`decode_answer` and the newcomer's final state are reached). Mode 3: they are the
**plaintext of the newcomer's offer** (the card payload), sealed properly, then decoded
as the driver does (`decode_card`). Mode 4: a typed code (`parse_code`). Only
`InviteCodeError` (and `CardError` in mode 3) may escape; a side that refused an input is
failed and takes nothing more; a parsed code survives its own text."""

from __future__ import annotations

from fuzz._common import NOW, DetRng, Finding, harness, main
from hasteh.app.cards import decode_card
from hasteh.app.errors import CardError
from hasteh.app.invite_code import (
    Answered,
    InviteCodeError,
    Member,
    Newcomer,
    Offered,
    Outgoing,
    SpokenCode,
    parse_code,
)

CODE = SpokenCode(42, (1, 2, 3))


def sides() -> tuple[Newcomer, Member]:
    return (
        Newcomer(CODE, expires_at=NOW + 600, rng=DetRng(b"newcomer")),
        Member(CODE, now=NOW, rng=DetRng(b"member")),
    )


def refused_then_closed(side: Newcomer | Member, data: bytes) -> None:
    """`side` takes `data`; after a refusal it must be failed and refuse everything."""
    try:
        side.receive(data)
    except InviteCodeError:
        if not side.failed:
            raise Finding("a side refused an input but is not failed") from None
        try:
            side.receive(data)
        except InviteCodeError:
            return
        raise Finding("a failed side took another frame") from None


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 5, data[1:]
    newcomer, member = sides()
    if mode == 0:
        newcomer.open()
        refused_then_closed(newcomer, rest)
    elif mode == 1:
        refused_then_closed(member, rest)
    elif mode in (2, 3):
        (reply,) = member.receive(newcomer.open())
        assert isinstance(reply, Outgoing)
        newcomer.receive(reply.data)
        if mode == 3:
            try:
                events = member.receive(newcomer.offer(rest))
            except InviteCodeError:
                raise Finding("a properly sealed offer was refused") from None
            payload = next(e.payload for e in events if isinstance(e, Offered))
            if payload != rest:
                raise Finding("the offer changed on the way")
            try:
                decode_card(payload, now=NOW)
            except CardError:
                return
            return
        member.receive(newcomer.offer(b"card"))
        sealed = member._keys  # the harness seals the fuzzed plaintext with the real key
        assert sealed is not None
        from hasteh.app import invite_code

        frame = invite_code._encode(
            invite_code.Frame(
                1, invite_code.Kind.SEALED, invite_code._seal(sealed.b2a, b"b2a", 1, rest)
            )
        )
        try:
            events = newcomer.receive(frame)
        except InviteCodeError as exc:
            if exc.reason != "malformed" or not newcomer.failed:
                raise Finding("an answer was refused for the wrong reason") from None
            return
        if not any(isinstance(e, Answered) for e in events):
            raise Finding("an answer was taken without an Answered event")
    else:
        try:
            code = parse_code(rest.decode("utf-8", errors="replace"))
        except InviteCodeError:
            return
        for language in ("fa", "en"):
            if parse_code(code.text(language)) != code:
                raise Finding("a code does not survive its own text")


if __name__ == "__main__":
    main(TestOneInput)
