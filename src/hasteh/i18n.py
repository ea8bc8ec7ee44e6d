"""Persian-first translation (gettext catalogs) and display helpers.

Message ids are English; `fa` is the default language. Catalogs are kept as `.po` files
under `hasteh/locale/<lang>/LC_MESSAGES/hasteh.po` and read directly, so no build step
(msgfmt) is needed on a user's machine: a plain catalog by `quick_entries`, anything else
by Babel, whose reading the quick one matches (tests/test_i18n.py).
"""

from __future__ import annotations

import gettext
import io
import os
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from hasteh.errors import HastehError


DEFAULT_LANGUAGE = "fa"
LANGUAGES = ("fa", "en")
_LOCALE_DIR = Path(__file__).parent / "locale"

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ANY_DIGITS_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def read_catalog(data: bytes, language: str) -> Catalog:
    """A `.po` file read by Babel: plural forms from its header, fuzzy flags kept. (Babel
    is imported when a catalog is first read: `hasteh --version` needs none.)"""
    from babel.messages.pofile import read_po

    return read_po(io.BytesIO(data), locale=language, abort_invalid=True)


def compile_catalog(data: bytes, language: str) -> gettext.GNUTranslations:
    """A `.po` file as gettext translations, compiled in memory to a GNU `.mo`: plural
    forms (`ngettext`) follow the file's Plural-Forms header, and fuzzy or empty entries
    fall back to the English message.

    A plain catalog (what ours is) is read by `quick_entries`, which keeps every CLI
    command from importing Babel and building its catalog objects (about 60 ms a start);
    anything else goes to Babel, which gives the same translations."""
    entries = quick_entries(data)
    if entries is not None:
        return gettext.GNUTranslations(io.BytesIO(_mo_bytes(entries)))
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(data, language), use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


#: Babel's `.po` escapes (`babel.messages.pofile.unescape`): any other backslash stays.
_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_UNESCAPED = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
#: The header lines the quick reader knows Babel reads harmlessly; any other header (a
#: Plural-Forms, a folded line, another charset) sends the file to Babel.
_PLAIN_HEADER = re.compile(
    r"(?:content-type: text/plain; charset=utf-8|language: (?:fa|en)|mime-version: 1\.0"
    r"|content-transfer-encoding: 8bit)",
    re.I,
)


def _po_string(token: str) -> str | None:
    """A quoted `.po` string's text, unescaped as Babel does; None if not one string."""
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        return None
    inner = token[1:-1]
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), inner)


def quick_entries(data: bytes) -> dict[str, str] | None:
    """msgid -> msgstr of the entries Babel's `write_mo` keeps (translated, not fuzzy) of
    a plain UTF-8 `.po`: one `msgid` and one `msgstr` per entry, comments and flags.
    None for anything else (plural forms, contexts, obsolete entries, another charset, a
    msgid twice, a line it does not expect), which then goes to Babel, whose reader
    defines the format here."""
    entries: dict[str, str] = {}
    skipped: set[str] = set()
    header: str | None = None
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    fuzzy = False
    current: list[str] | None = None

    def finish() -> bool:
        nonlocal msgid, msgstr, fuzzy, header
        if msgid is None:  # flags gathered so far belong to the next entry
            return True
        if msgstr is None:
            return False
        key, value = "".join(msgid), "".join(msgstr)
        if key == "":
            if header is not None:
                return False
            header = value
        elif key in entries or key in skipped:
            return False
        elif value and not fuzzy:
            entries[key] = value
        else:
            skipped.add(key)
        msgid = msgstr = None
        fuzzy = False
        return True

    # Lines as Babel reads bytes: split at LF, ASCII whitespace stripped, then decoded;
    # each quoted token is stripped again as text (`_NormalizedString`).
    for raw in data.split(b"\n"):
        stripped = raw.strip()
        if not stripped:
            continue
        try:
            line = stripped.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if line[0] == "#":
            if line[1:2] in ("~", "-", "|"):
                return None
            if not finish():
                return None
            current = None
            if line[1:2] == ",":
                fuzzy = fuzzy or "fuzzy" in (f.strip() for f in line[2:].split(","))
            continue
        if line[0] == '"':
            text = _po_string(line.strip())
            if current is None or text is None:
                return None
            current.append(text)
            continue
        keyword, _, arg = line.partition(" ")
        text = _po_string(arg.strip())
        if text is None:
            return None
        if keyword == "msgid":
            if not finish():
                return None
            msgid = current = [text]
        elif keyword == "msgstr" and msgid is not None and msgstr is None:
            msgstr = current = [text]
        else:
            return None
    if not finish() or header is None or not _plain_header(header):
        return None
    return entries


def _plain_header(header: str) -> bool:
    """The header says UTF-8 and nothing `quick_entries` would have to interpret."""
    lines = header.split("\n")
    if lines[-1] == "":
        lines.pop()
    known = all(_PLAIN_HEADER.fullmatch(line) for line in lines)
    return known and any(line.lower().startswith("content-type:") for line in lines)


def _mo_bytes(entries: dict[str, str]) -> bytes:
    """A GNU `.mo` (little endian, no hash table) of `entries` and a UTF-8 header."""
    items = sorted(
        [(b"", b"Content-Type: text/plain; charset=UTF-8\n")]
        + [(k.encode(), v.encode()) for k, v in entries.items()]
    )
    keys_start = 7 * 4 + 16 * len(items)
    ids = b"".join(k + b"\0" for k, _ in items)
    values_start = keys_start + len(ids)
    table: list[int] = []
    offset = 0
    for key, _ in items:
        table += [len(key), keys_start + offset]
        offset += len(key) + 1
    offset = 0
    for _, value in items:
        table += [len(value), values_start + offset]
        offset += len(value) + 1
    head = struct.pack("<7I", 0x950412DE, 0, len(items), 28, 28 + 8 * len(items), 0, 0)
    strs = b"".join(v + b"\0" for _, v in items)
    return head + struct.pack(f"<{len(table)}I", *table) + ids + strs


def parse_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of the translated messages of a `.po` text (singular ones; not
    fuzzy: a fuzzy entry is a guess a translator has not confirmed, so it is not shown)."""
    from babel.messages.pofile import read_po

    catalog = read_po(io.StringIO(text), abort_invalid=True)
    return {
        m.id: m.string
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string
        if not m.fuzzy
    }


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations of `language` (none for English, the message ids' language),
    from its `.po` file (`compile_catalog`)."""
    if language not in LANGUAGES or language == "en":
        return gettext.NullTranslations()
    po = _LOCALE_DIR / language / "LC_MESSAGES" / "hasteh.po"
    return compile_catalog(po.read_bytes(), language)


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


def error_text(err: HastehError, language: str | None = None) -> str:
    """A hasteh error in `language` (default: the current one): its template translated
    by code, its parameters in place, numbers in the reader's digits. The faces show
    errors only through this, never through ``str(err)`` (the English text for logs)."""
    lang = language or current_language()
    return err.render(
        translations(lang).gettext, lambda n: display_number(n, lang), clean=display_text
    )


def step_text(step: str, err: HastehError, language: str | None = None) -> str:
    """A face's next step (a msgid) for `err`, translated; it may name the error's own
    parameters (``{program}``), filled like the message."""
    lang = language or current_language()
    return err.render_text(
        step, translations(lang).gettext, lambda n: display_number(n, lang), display_text
    )


#: Characters a parameter may not bring into a message: bidi embeddings, overrides and
#: isolates, marks that flip direction, and C0/C1 controls (ZWNJ and ZWJ stay: Persian
#: words need them).
_HIDDEN = dict.fromkeys(
    [
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ],
    "\ufffd",
)


def display_text(text: str, *, limit: int = 200) -> str:
    """A parameter made safe to show inside a sentence: hidden direction and control
    characters become U+FFFD (visible, harmless), and it is cut to `limit` characters."""
    cleaned = text.translate(_HIDDEN)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


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
