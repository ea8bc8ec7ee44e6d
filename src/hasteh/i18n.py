"""Persian-first translation (gettext catalogs) and display helpers.

Message ids are English; `fa` is the default language. Catalogs are kept as `.po` files
under `hasteh/locale/<lang>/LC_MESSAGES/hasteh.po` and read directly, so no build step
(msgfmt) is needed on a user's machine.
"""

from __future__ import annotations

import ast
import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

DEFAULT_LANGUAGE = "fa"
LANGUAGES = ("fa", "en")
_LOCALE_DIR = Path(__file__).parent / "locale"

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ANY_DIGITS_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


class PoTranslations(gettext.NullTranslations):
    """gettext translations read from a `.po` file (msgid/msgstr pairs)."""

    def __init__(self, catalog: dict[str, str]) -> None:
        super().__init__()
        self._catalog = catalog

    def gettext(self, message: str) -> str:
        return self._catalog.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


def parse_po(text: str) -> dict[str, str]:
    """Parse the subset of the PO format we write: msgid/msgstr with continued strings."""
    catalog: dict[str, str] = {}
    key: str | None = None
    current: list[str] = []
    field = ""

    def flush() -> None:
        nonlocal key
        if field == "msgstr" and key is not None:
            value = "".join(current)
            if key and value:
                catalog[key] = value
            key = None

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            field, current = "msgid", [ast.literal_eval(line[6:])]
        elif line.startswith("msgstr "):
            key = "".join(current)
            field, current = "msgstr", [ast.literal_eval(line[7:])]
        elif line.startswith('"'):
            current.append(ast.literal_eval(line))
    flush()
    return catalog


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES or language == "en":
        return gettext.NullTranslations()
    po = _LOCALE_DIR / language / "LC_MESSAGES" / "hasteh.po"
    return PoTranslations(parse_po(po.read_text(encoding="utf-8")))


#: A language chosen for the current context (a web request's session), over HASTEH_LANG.
_context_language: ContextVar[str | None] = ContextVar("hasteh_language", default=None)


def current_language() -> str:
    chosen = _context_language.get()
    if chosen in LANGUAGES:
        assert chosen is not None
        return chosen
    lang = os.environ.get("HASTEH_LANG", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@contextmanager
def language(code: str) -> Iterator[None]:
    """Translate into `code` inside this block (this thread or task only): the web face
    runs app calls in the person's session language while HASTEH_LANG stays as it is."""
    token = _context_language.set(code)
    try:
        yield
    finally:
        _context_language.reset(token)


def _(message: str) -> str:
    """Translate `message` into the current language (default Persian)."""
    return translations(current_language()).gettext(message)


def persian_digits(text: str | int) -> str:
    """Show digits as Persian digits (for display only)."""
    return str(text).translate(_PERSIAN_DIGITS)


def display_number(value: int, language: str | None = None) -> str:
    lang = language or current_language()
    return persian_digits(value) if lang == "fa" else str(value)


def parse_digits(text: str) -> str:
    """Accept Persian, Arabic-Indic or ASCII digits on input; return ASCII digits."""
    return text.translate(_ANY_DIGITS_TO_ASCII)


def whole_number(text: str, *, max_digits: int = 9) -> int | None:
    """A non-negative whole number typed in Persian, Arabic-Indic or ASCII digits, or None.

    `str.isdigit` alone is not enough: it accepts superscripts and other digit-like
    characters that `int` then refuses, and `int` refuses strings over 4,300 digits; both
    would turn a bad form value into a crash instead of a clear message.
    """
    digits = parse_digits(text).strip()
    if not digits or len(digits) > max_digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)
