"""Web form fields: numbers (`hasteh.i18n.whole_number`, `parse_digits`), the settings
form (`parse_settings`), card codes and courier codes as typed, with invalid UTF-8 (as
surrogate escapes), lone surrogates and look-alike digits. Nothing may raise but the
faces' own errors; a number is None or within its digits."""

from __future__ import annotations

from fuzz._common import Finding, harness, main
from hasteh.app.cards import read_card, read_card_input
from hasteh.app.errors import AppError
from hasteh.i18n import parse_digits, whole_number
from hasteh.transport.courier import canonical_code


class _Ui:
    def gettext(self, message: str) -> str:
        return message


def _settings() -> object:
    from hasteh.web.views.settings import parse_settings

    return parse_settings


PARSE_SETTINGS = _settings()


def _text(data: bytes) -> str:
    # Invalid UTF-8 becomes lone surrogates (what a careless decoder would pass on).
    return data.decode("utf-8", errors="surrogateescape")


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, text = data[0] % 4, _text(data[1:])
    if mode == 0:
        for max_digits in (1, 3, 5, 9):
            n = whole_number(text, max_digits=max_digits)
            if n is not None and not 0 <= n < 10**max_digits:
                raise Finding(f"whole_number gave {n} for max_digits={max_digits}")
        parse_digits(text)
    elif mode == 1:
        relays, _, expiry, parts = text, "", "", text.split("\x00", 2)
        if len(parts) == 3:
            relays, proxy, expiry = parts
        else:
            proxy = ""
        # Finding F4 (fixed): a relay line such as "https://]x" made `urlsplit` raise
        # ValueError ("Invalid IPv6 URL") in `check_relay`: a 500.
        found = PARSE_SETTINGS(_Ui(), relays, proxy, expiry)  # type: ignore[operator]
        _relays, _proxy, days, errors = found
        if not errors and not 1 <= days <= 365:
            raise Finding("settings accepted days out of range")
    elif mode == 2:
        for read in (read_card, read_card_input):
            try:
                read(text, now=None)
            except AppError:
                pass
    else:
        # Finding F1 (fixed): a courier code typed with invalid UTF-8 (argv gives lone
        # surrogates) crashed `canonical_code`.
        canonical_code(text)


if __name__ == "__main__":
    main(TestOneInput)
