"""A contact handed over by another member (`app.contacts.read_handover`): any bytes give
a checked record or `BadInput` (``bad-handover``), nothing else; a record that is read
encodes back to the same bytes' meaning (read again, it is the same record)."""

from __future__ import annotations

import msgspec

from fuzz._common import Finding, harness, main
from hasteh.app.contacts import read_handover
from hasteh.app.errors import BadInput


@harness
def TestOneInput(data: bytes) -> None:
    try:
        record = read_handover(data)
    except BadInput as exc:
        if exc.code != "bad-handover":
            raise Finding(f"an unexpected refusal: {exc.code}") from None
        return
    if read_handover(msgspec.msgpack.encode(record)) != record:
        raise Finding("a hand-over record does not survive encode/decode")


if __name__ == "__main__":
    main(TestOneInput)
