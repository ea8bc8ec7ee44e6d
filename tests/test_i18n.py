"""Persian is the default language; digits display in Persian and parse from any script."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh import i18n


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
