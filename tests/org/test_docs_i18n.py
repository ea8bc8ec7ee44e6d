"""Every org message is translated with the same placeholders; every code and event is
documented in docs/org.md."""

from __future__ import annotations

import string
import typing
from pathlib import Path

import pytest

from hasteh.i18n import translations
from hasteh.org import ALARMS, MESSAGES, AnyEvent

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "org.md").read_text(encoding="utf-8")


def fields(template: str) -> list[str]:
    return sorted(f for _, f, _, _ in string.Formatter().parse(template) if f)


@pytest.mark.parametrize("template", sorted({*MESSAGES.values(), *ALARMS.values()}))
def test_translated_with_same_placeholders(template: str) -> None:
    fa = translations("fa").gettext(template)
    assert fa != template, "missing Persian translation"
    assert fields(fa) == fields(template)
    assert any("\u0600" <= c <= "\u06ff" for c in fa)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_documented(code: str) -> None:
    assert f"| `{code}` |" in DOC


@pytest.mark.parametrize("event", typing.get_args(AnyEvent), ids=lambda t: t.__name__)
def test_every_event_documented(event: type) -> None:
    assert f"`{event.__name__}(" in DOC
