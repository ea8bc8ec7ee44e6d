"""Every app and cell-command message has a Persian translation; every command, error and
card reason is documented in docs/cells.md; the safety-word lists hold."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hasteh.app import errors, removal, safety_words
from hasteh.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "src/hasteh/app").glob("*.py")),
    ROOT / "src/hasteh/cli/cells.py",
    ROOT / "src/hasteh/cli/common.py",
    ROOT / "src/hasteh/cli/concerns.py",
    ROOT / "src/hasteh/cli/main.py",
    ROOT / "src/hasteh/cli/transport.py",
    ROOT / "src/hasteh/cli/reach.py",
    ROOT / "src/hasteh/cli/spoken.py",
    ROOT / "src/hasteh/cli/actions.py",
    ROOT / "src/hasteh/cli/drop.py",
]


def msgids() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for group in re.findall(r'(?<!\w)_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)', text):
            parts = re.findall(r'"(?:[^"\\]|\\.)*"', group)
            found.add("".join(ast.literal_eval(p) for p in parts))
        found |= set(re.findall(r"(?<!\w)_\('([^']*)'\)", text))
    return found | set(errors.APP_MESSAGES.values()) | set(removal.ALARM_KINDS.values())


def test_every_message_is_translated() -> None:
    fa = translations("fa")
    ids = msgids()
    assert len(ids) > 120
    missing = sorted(m for m in ids if fa.gettext(m) == m)
    assert missing == []


def test_placeholders_survive_translation() -> None:
    fa = translations("fa")
    for m in msgids():
        assert set(re.findall(r"\{\w+\}", m)) == set(re.findall(r"\{\w+\}", fa.gettext(m))), m


def test_every_command_error_and_card_reason_is_documented() -> None:
    doc = (ROOT / "docs/cells.md").read_text(encoding="utf-8")
    for command in (
        "cell create",
        "cell list",
        "cell members",
        "cell safety-words",
        "cell seized",
        "cell settings",
        "cell remove",
        "cell end-trial",
        "hasteh card",
        "hasteh propose",
        "hasteh vouch",
        "hasteh approve",
        "hasteh join",
        "hasteh say",
        "hasteh read",
        "decide open",
        "decide vote",
        "decide close",
        "decide show",
        "hasteh alarms",
        "hasteh alarm ",
        "hasteh object",
        "cell seizures",
        "cell review-seizure",
        "hasteh sync",
    ):
        assert command in doc, command
    for name in errors.__all__:
        if isinstance(getattr(errors, name), type) and name != "AppError":
            assert f"`{name}`" in doc, name
    for reason in errors.CARD_REASONS:
        assert f"`{reason}`" in doc, reason


def test_safety_word_lists() -> None:
    for words in (safety_words.ENGLISH, safety_words.PERSIAN):
        assert len(words) == 256 == len(set(words))
        assert all(w and " " not in w and "\u200c" not in w for w in words)
    a = safety_words.safety_words(b"g" * 32, 3, b"x" * 32, "en")
    b = safety_words.safety_words(b"g" * 32, 3, b"y" * 32, "en")
    assert len(a) == 6 and a != b
    fa = safety_words.safety_words(b"g" * 32, 3, b"x" * 32, "fa")
    assert [safety_words.ENGLISH.index(w) for w in a] == [safety_words.PERSIAN.index(w) for w in fa]
