"""Names people read: cover names and cell names, cleaned so that they cannot lie.

A name is shown to members who decide whom to trust by it. An informer who can make
two names *look* alike (``sepideh`` with a Cyrillic ``е``), hide text (zero-width
characters), or turn the page around it (bidi controls such as U+202E, or U+2069, which
closes the page's own isolation early) can pass for someone else. So every name that
enters a log, a form or a credential goes through `clean_name`, and "is this name taken?"
compares `skeleton`s, not strings.

`clean_name`:

* NFKC-normalizes (full-width letters, ligatures and Arabic presentation forms become
  the letters they stand for);
* strips leading and trailing white space and collapses inner runs to one space;
* refuses control and format characters (Unicode Cc, Cf), line and paragraph separators
  (Zl, Zp), unassigned code points, private use and surrogates — except ZWNJ (U+200C),
  which Persian needs, and only between two Persian/Arabic letters;
* refuses piles of combining marks (more than `MAX_MARKS` on one letter);
* requires at least one letter or digit;
* refuses a word whose letters come from more than one script (Latin with Cyrillic, or
  Latin with Persian), the classic look-alike trick.

`skeleton` is the Unicode TR39 idea of a skeleton, computed from the confusables data of
`confusable_homoglyphs`: each character becomes a fixed representative of the characters
it can be mistaken for; on top of that, combining marks and ZWNJ are dropped, and the
Arabic letters a Persian keyboard produces interchangeably (ي/ی, ى/ی, ك/ک) are folded.
`look_alike` compares skeletons with and without case: two names that look alike are
"the same name" for a cell. This
is deliberately stricter than TR39: a refused look-alike costs a newcomer one more try;
an accepted one can cost a cell.

Sans-I/O: the library reads its data files once, when it is imported.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

from confusable_homoglyphs import categories, confusables  # type: ignore[import-untyped]

from hasteh.org.errors import InvalidEvent

__all__ = ["MAX_MARKS", "ZWNJ", "clean_name", "look_alike", "require_clean", "skeleton"]

ZWNJ: Final = "\u200c"
#: At most this many combining marks on one letter (Persian needs one or two at most).
MAX_MARKS: Final = 3

#: Categories a name never contains: controls, formats, separators of lines and
#: paragraphs, unassigned, private use, surrogates.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})
#: Scripts that do not count when looking for a word mixing scripts.
_NEUTRAL_SCRIPTS: Final = frozenset({"COMMON", "INHERITED"})
#: Letters a Persian keyboard and an Arabic one type for the same letter.
_PERSIAN_FOLD: Final = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})


def clean_name(text: str, *, limit: int = 64) -> str:
    """`text` as a name that shows what it says, or `InvalidEvent` with a precise code.

    Idempotent: a cleaned name comes back unchanged. `limit` is the most characters
    the name may have once cleaned (64 for a cover name, 200 for a cell name).
    """
    if not isinstance(text, str):
        raise InvalidEvent("name-empty")
    name = " ".join(_words(unicodedata.normalize("NFKC", text)))
    if not name:
        raise InvalidEvent("name-empty")
    for index, char in enumerate(name):
        _check_char(name, index, char)
    _check_marks(name)
    if not any(unicodedata.category(c)[0] in "LN" for c in name):
        raise InvalidEvent("name-no-letter")
    for word in name.split(" "):
        if _is_mixed_script(word):
            raise InvalidEvent("name-mixed-script", word=word)
    if len(name) > limit:
        raise InvalidEvent("name-too-long", limit=limit)
    return name


def require_clean(name: str, *, limit: int = 64) -> None:
    """Refuse, in an event from the log, a name its author's client should have cleaned:
    an honest hasteh only sends names that `clean_name` leaves unchanged."""
    if clean_name(name, limit=limit) != name:
        raise InvalidEvent("name-unclean")


def skeleton(name: str) -> str:
    """What `name` looks like, for comparing two names: equal skeletons look alike.

    Case is kept, as in TR39 (``I`` and ``l`` meet, ``i`` and ``l`` do not); `look_alike`
    also compares the case-folded names.
    """
    folded = unicodedata.normalize("NFKC", name).translate(_PERSIAN_FOLD)
    shape = "".join(_representative(c) for c in unicodedata.normalize("NFD", folded))
    return "".join(c for c in unicodedata.normalize("NFD", shape) if not _invisible(c))


def look_alike(first: str, second: str) -> bool:
    """Would a member reading `first` take it for `second`? (Same skeleton, with or
    without case: ``Sepideh`` and ``sepideh`` are one name in a cell.)"""
    if skeleton(first) == skeleton(second):
        return True
    return skeleton(first.casefold()) == skeleton(second.casefold())


def _words(text: str) -> list[str]:
    """The words of `text`: white space at the ends goes; inside, only spaces (Zs) part
    words, so a line break or a tab in the middle stays, to be refused."""
    words: list[str] = []
    current: list[str] = []
    for char in text.strip():
        if unicodedata.category(char) == "Zs":
            if current:
                words.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


def _check_char(name: str, index: int, char: str) -> None:
    if char == ZWNJ:
        if not (_persian_letter(name, index - 1) and _persian_letter(name, index + 1)):
            raise InvalidEvent("name-zwnj")
        return
    if unicodedata.category(char) in _REFUSED_CATEGORIES:
        raise InvalidEvent("name-hidden-character", char=f"U+{ord(char):04X}")


def _persian_letter(name: str, index: int) -> bool:
    if not 0 <= index < len(name):
        return False
    char = name[index]
    return unicodedata.category(char).startswith("L") and categories.alias(char) == "ARABIC"


def _check_marks(name: str) -> None:
    """Marks sit on a letter or a digit, a few at a time: not on a space, not alone,
    not in a pile that covers the letters next to it."""
    run = 0
    base_ok = False
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("M"):
            run += 1
            if not base_ok or run > MAX_MARKS:
                raise InvalidEvent("name-marks", limit=MAX_MARKS)
        else:
            run = 0
            base_ok = category[0] in "LN"


def _is_mixed_script(word: str) -> bool:
    scripts = {categories.alias(c) for c in word if unicodedata.category(c).startswith("L")}
    return len(scripts - _NEUTRAL_SCRIPTS) > 1


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category.startswith("M") or category in _REFUSED_CATEGORIES


@lru_cache(maxsize=4096)
def _representative(char: str) -> str:
    """A fixed stand-in for every character `char` may be mistaken for: the smallest (by
    code points) of `char`, its homoglyphs and theirs, followed until it no longer moves,
    so that ``I``, ``l`` and ``1`` meet. (The data lists pairs both ways but not their
    chains; a full closure would join ``r`` with ``t`` through rare symbols.)"""
    current = char
    for _ in range(8):  # the data's chains are short; the bound only stops a cycle
        near = {current, *_homoglyphs(current)}
        for other in tuple(near):
            near.update(_homoglyphs(other))
        following = min(near)
        if following == current:
            break
        current = following
    return current


def _homoglyphs(text: str) -> tuple[str, ...]:
    if len(text) != 1:
        return ()
    found = confusables.confusables_data.get(text, ())
    shapes = ("".join(c for c in h["c"] if not _invisible(c)) for h in found)
    return tuple(s for s in shapes if s)
