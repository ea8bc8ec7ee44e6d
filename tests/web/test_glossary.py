"""The glossary (docs/user/glossary.md) is the app's Persian: the plain word is used in
every message that says the English one, and the word it replaces is used nowhere (the
catalog and the Persian user guide)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "user" / "glossary.md"
CATALOG = ROOT / "src" / "hasteh" / "locale" / "fa" / "LC_MESSAGES" / "hasteh.po"
GUIDE = ROOT / "docs" / "user" / "fa.md"
#: Persian letters: a word is not found inside a longer word (گذرواژه holds واژه).
LETTER = "\u0600-\u06ff"


def glossary() -> list[tuple[str, str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] and not set(cells[0]) <= {"-"} and cells[0] != "English":
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def messages() -> list[tuple[str, str]]:
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="fa")
    return [
        (m.id, m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    ]


def prose(msgid: str) -> str:
    """A message without its code (`hasteh panic`, 'hasteh up', --relay, CELL) and
    placeholders ({relay}): names the person types stay English."""
    msgid = re.sub(r"`[^`]*`|'hasteh[^']*'|--[\w-]+|\{\w+\}|\b[A-Z]{2,}\b", " ", msgid)
    return msgid


def test_the_glossary_has_the_words_the_issue_asks_for() -> None:
    avoided = {not_ for _, _, not_ in glossary()}
    assert {"رله", "پرونده", "رونوشت", "نویسه"} <= avoided


@pytest.mark.parametrize(("english", "use", "avoid"), glossary(), ids=lambda v: str(v))
def test_catalog_and_guide_follow_the_glossary(english: str, use: str, avoid: str) -> None:
    found = messages()
    assert len(found) > 300
    term = re.compile(rf"\b{re.escape(english)}\b", re.I)
    said = [(i, s) for i, s in found if term.search(prose(i))]
    assert said, f"no message says {english!r}: the row is stale"
    missing = [i for i, s in said if use not in s]
    assert missing == [], f"{english!r} should be «{use}» in: {missing}"
    if avoid:
        pattern = re.compile(rf"(?<![{LETTER}]){re.escape(avoid)}")
        assert [s for _, s in found if pattern.search(s)] == []
        assert not pattern.search(GUIDE.read_text(encoding="utf-8"))
