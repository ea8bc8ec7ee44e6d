"""Finding A1: a card whose relay string is not UTF-8 but whose checksum is valid.

msgspec raises `UnicodeDecodeError` (a `ValueError`, not a `msgspec.MsgspecError`) for
invalid UTF-8 in a `str` field; `decode_card` caught only `MsgspecError`, so the code
below crashed `hasteh propose` with a traceback and gave a 500 in the web app."""

from __future__ import annotations

import pytest

from hasteh.app import admission, cards, cells
from hasteh.app.errors import CardError
from hasteh.cli.next_steps import next_step as cli_step

CODE = "HC1:SUA4IAGEACI2D7YA6KRDOZQ"


def test_read_card_non_utf8_relay_is_malformed() -> None:
    with pytest.raises(CardError) as err:
        cards.read_card(CODE, now=None)
    assert err.value.reason == "malformed"
    assert str(err.value) == "The card code is complete but its contents are not valid."
    assert cli_step(err.value)


def test_propose_with_non_utf8_card_changes_nothing(make_ws, relay) -> None:
    ws = make_ws("sepideh")
    cells.create_cell(ws, "bakery", cover_name="sepideh", relays=[relay.url])
    before = cells.find_cell(ws, "bakery").org
    with pytest.raises(CardError) as err:
        admission.propose(ws, "bakery", CODE)
    assert err.value.reason == "malformed"
    assert cells.find_cell(ws, "bakery").org == before


def test_fuzz_findings_f1_and_f4_are_refusals_not_crashes() -> None:
    """F1: a courier code with lone surrogates (argv in another encoding) gives bytes,
    not a crash. F4: a relay line that `urlsplit` cannot read is refused, not a 500."""
    from hasteh.transport.courier import canonical_code
    from hasteh.web.views.settings import check_relay

    assert canonical_code("\udcff\udcfe code") == b"\xff\xfe code"
    assert check_relay("https://]x") is False
    assert check_relay("http://127.0.0.1:99999") is False
    assert check_relay("https://relay.example") is True
