"""Vouching codes (`hasteh.app.vouching`) and what a code's mailbox holds
(`hasteh.app.vouch_mailbox`). The first byte picks the mode:

* 0: a code as typed (`read_code`): only `BadInput` may escape, and a code that reads
  encodes back to a code that reads the same.
* 1: an envelope of the code's mailbox (`open_message`): nothing may escape (garbage,
  another mailbox, a forgery are None), and what opens seals again to what opens the same.
* 2: a sealed message's body as a card (`card_in`, what the delegate's duty proposes):
  nothing may escape; a card it returns is one `decode_card` accepts.
"""

from __future__ import annotations

from fuzz._common import NOW, DetRng, Finding, harness, main
from hasteh.app.cards import decode_card
from hasteh.app.errors import BadInput
from hasteh.app.vouch_mailbox import box_of, card_in, open_message, seal_message
from hasteh.app.vouching import encode_code, read_code

BOX = box_of(b"\x42" * 32)


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    if mode == 0:
        try:
            code = read_code(rest.decode("utf-8", errors="surrogateescape"))
        except BadInput:
            return
        if read_code(encode_code(code)) != code:
            raise Finding("a vouching code does not survive encode/read")
    elif mode == 1:
        opened = open_message(BOX, rest)
        if opened is None:
            return
        again = open_message(BOX, seal_message(BOX, *opened, DetRng(b"v")).to_bytes())
        if again != opened:
            raise Finding("a sealed message does not survive seal/open")
    else:
        card = card_in("card", rest, 0, expires_at=NOW + 86_400, now=NOW)
        if card is not None and decode_card(rest, now=NOW) != card:
            raise Finding("card_in accepted what decode_card refuses")


if __name__ == "__main__":
    main(TestOneInput)
