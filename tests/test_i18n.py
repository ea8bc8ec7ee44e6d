"""Persian is the default language; digits display in Persian and parse from any script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh import i18n
from hasteh.i18n import compile_catalog, parse_po, translations


def test_persian_is_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HASTEH_LANG", raising=False)
    assert i18n._("implemented") == "پیاده‌سازی شده"


def test_english_is_message_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASTEH_LANG", "en")
    assert i18n._("implemented") == "implemented"


def test_zwnj_kept_in_catalog() -> None:
    assert "\u200c" in i18n.translations("fa").gettext("implemented")


@given(st.integers(min_value=0, max_value=10**12))
def test_digits_round_trip(n: int) -> None:
    shown = i18n.persian_digits(n)
    assert all(c in "۰۱۲۳۴۵۶۷۸۹" for c in shown)
    assert int(i18n.parse_digits(shown)) == n


@given(st.text(max_size=20))
def test_whole_number_never_raises(text: str) -> None:
    """Any text is a non-negative int or None — never an exception from `int`."""
    n = i18n.whole_number(text)
    assert n is None or (n >= 0 and len(str(n)) <= 9)


def test_whole_number_accepts_persian_and_refuses_lookalikes() -> None:
    assert i18n.whole_number("۱۲") == 12
    assert i18n.whole_number(" ٣ ") == 3
    for bad in ("²", "१२", "-1", "+1", "1.5", "", " ", "9" * 10, "9" * 5000):
        assert i18n.whole_number(bad) is None, bad
    assert i18n.whole_number("9" * 10, max_digits=10) == 9_999_999_999


PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Hello"
msgstr "درود"

#, fuzzy
msgid "Guessed"
msgstr "حدسی"

msgid "Empty"
msgstr ""

msgid "{n} cell"
msgid_plural "{n} cells"
msgstr[0] "{n} هسته (یکی)"
msgstr[1] "{n} هسته (چند)"
"""


def test_po_reader_skips_fuzzy_and_empty_entries() -> None:
    """A fuzzy entry is an unconfirmed guess and an empty one is untranslated: both fall
    back to the English message."""
    fa = compile_catalog(PO.encode("utf-8"), "fa")
    assert fa.gettext("Hello") == "درود"
    assert fa.gettext("Guessed") == "Guessed"
    assert fa.gettext("Empty") == "Empty"
    assert parse_po(PO) == {"Hello": "درود"}


def test_po_reader_honours_plural_forms() -> None:
    """`ngettext` picks the form the file's Plural-Forms header gives."""
    fa = compile_catalog(PO.encode("utf-8"), "fa")
    assert fa.ngettext("{n} cell", "{n} cells", 1) == "{n} هسته (یکی)"
    assert fa.ngettext("{n} cell", "{n} cells", 3) == "{n} هسته (چند)"
    assert fa.ngettext("{n} cell", "{n} cells", 0) == "{n} هسته (چند)"


def test_shipped_catalog_reads_whole() -> None:
    """The shipped Persian catalog reads without errors and translates what it holds."""
    po = Path(i18n.__file__).parent / "locale" / "fa" / "LC_MESSAGES" / "hasteh.po"
    entries = parse_po(po.read_text(encoding="utf-8"))
    assert len(entries) > 500
    fa = translations("fa")
    assert all(fa.gettext(k) == v for k, v in entries.items())


def test_shipped_catalog_names_each_message_once() -> None:
    """Branches merged with git's union driver can leave one msgid twice (the reader would keep
    the first silently); `python scripts/po_add.py --dedupe` removes the later copies."""
    po = Path(i18n.__file__).parent / "locale" / "fa" / "LC_MESSAGES" / "hasteh.po"
    ids = re.findall(
        r'^msgid ("(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)', po.read_text("utf-8"), re.M
    )
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, repeated[:5]
