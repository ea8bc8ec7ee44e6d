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


def _babel_entries(data: bytes) -> dict[str, str]:
    """What Babel's reader and `.mo` writer give for `data` (the path `quick_entries`
    must agree with), header left out."""
    import gettext
    import io

    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, i18n.read_catalog(data, "fa"), use_fuzzy=False)
    compiled.seek(0)
    catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalog.items() if k != ""}


def test_quick_reader_reads_the_shipped_catalog_as_babel_does() -> None:
    """The shipped catalog takes the quick path (no Babel at start) and gives exactly
    Babel's translations."""
    po = Path(i18n.__file__).parent / "locale" / "fa" / "LC_MESSAGES" / "hasteh.po"
    data = po.read_bytes()
    quick = i18n.quick_entries(data)
    assert quick is not None
    assert quick == _babel_entries(data)
    assert len(quick) > 500


def test_quick_reader_leaves_plurals_to_babel() -> None:
    """A catalog with plural forms (or anything else beyond one msgid and one msgstr)
    is Babel's to read: the quick reader declines it, and `compile_catalog` still
    honours it (the tests above)."""
    assert i18n.quick_entries(PO.encode("utf-8")) is None
    for extra in ('msgctxt "menu"\n', '#~ msgid "old"\n', '#| msgid "was"\n'):
        assert i18n.quick_entries((PO.split('msgid "{n} cell"')[0] + extra).encode()) is None


#: The shipped catalog's header (Babel's own has a Plural-Forms, which is Babel's to read).
_HEAD = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: fa\\n"\n\n'

_po_text = st.text(
    alphabet=st.sampled_from(
        ["a", "ب", " ", '"', "\\", "n", "t", "\u200c", "\xa0", "\t", "%", "{"]
    ),
    max_size=30,
)


@given(
    st.lists(
        st.tuples(_po_text.filter(bool), _po_text, st.booleans(), st.booleans()),
        max_size=12,
        unique_by=lambda e: e[0],
    ),
    st.integers(min_value=20, max_value=90),
)
def test_quick_reader_agrees_with_babel_on_what_babel_writes(
    entries: list[tuple[str, str, bool, bool]], width: int
) -> None:
    """Any catalog Babel writes (escapes, wrapped continuation lines, fuzzy flags,
    comments, empty translations) reads the same through the quick reader."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="fa")
    for msgid, msgstr, fuzzy, comment in entries:
        catalog.add(
            msgid,
            msgstr,
            flags=["fuzzy"] if fuzzy else [],
            user_comments=["a note"] if comment else [],
            locations=[("src/x.py", 3)] if comment else [],
        )
    out = io.BytesIO()
    write_po(out, catalog, width=width, omit_header=True)
    data = _HEAD.encode() + out.getvalue()
    quick = i18n.quick_entries(data)
    assert quick is not None
    assert quick == _babel_entries(data)


_QUOTED = st.sampled_from(
    ['"a"', '"ب\u200cب"', '"b\\"c"', '"x\\\\n"', '"\\t"', '"\\q"', '""', '" sp "', '"\xa0"']
)
_COMMENT = st.sampled_from(["#, fuzzy", "#, python-format", "#: src/x.py:1", "# note", "#."])
_ODD = st.sampled_from(
    [
        '#~ msgid "gone"',
        'msgstr[0] "y"',
        'msgid_plural "as"',
        'msgctxt "c"',
        '"open',
        'msgid  "two spaces"',
        '"\xa0"\xa0',
        "\xa0",
        "garbage",
        "#-",
        'msgid ""',
        'msgstr "again"',
    ]
)


@st.composite
def _po_lines(draw: st.DrawFn) -> list[str]:
    """Entries as a `.po` holds them, in varied spacing, with now and then a line out
    of place: most draws are catalogs the quick reader takes, some it must decline."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        lines += draw(st.lists(_COMMENT, max_size=2))
        pad = draw(st.sampled_from(["", " ", "\t"]))
        lines.append(pad + "msgid " + draw(_QUOTED))
        lines += draw(st.lists(_QUOTED, max_size=2))
        lines.append("msgstr " + draw(_QUOTED) + pad)
        lines += draw(st.lists(_QUOTED, max_size=2))
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(_ODD))
        if draw(st.booleans()):
            lines.append("")
    return lines


@given(_po_lines(), st.sampled_from(["\n", "\r\n"]))
def test_quick_reader_never_disagrees_with_babel(lines: list[str], newline: str) -> None:
    """On any text, the quick reader either declines (Babel then reads it, or refuses
    it as before) or gives exactly what Babel gives: it never accepts what Babel
    refuses, nor reads it differently."""
    data = (_HEAD + newline.join(lines) + newline).encode("utf-8")
    quick = i18n.quick_entries(data)
    if quick is None:
        return
    assert quick == _babel_entries(data)
