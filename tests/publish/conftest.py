"""Shared issues, keys and rendered files for the press tests (rendering takes a second,
so each file is rendered once per session)."""

from __future__ import annotations

import datetime as dt

import pytest

from hasteh.publish.claim import Claim, make_claim
from hasteh.publish.issue import Issue, parse_issue
from hasteh.publish.keys import BulletinKey
from hasteh.publish.press import Layout, render
from hasteh.publish.signing import sign

SOURCE = (
    """---
title: صدای کارگر
number: ۱۲
date: ۱۴۰۵/۰۹/۱۳
---
# دستمزد و تورم
سلام کارگران! ما ۴۰ نفر در کارخانهٔ ABC هستیم و سال 2025 سخت بود.

دستمزد ما باید دست‌کم ۲۵ درصد بالا برود.

- جلسهٔ بعدی: پنجشنبه
- جای جلسه: همان‌جا که می‌دانید

# اعتصاب در کارگاه
"""
    + "کارگران کارگاه ریخته‌گری برای دستمزد عقب‌افتاده دست از کار کشیدند. " * 40
)

AT = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def issue() -> Issue:
    return parse_issue(SOURCE.encode("utf-8"))


@pytest.fixture(scope="session")
def key() -> BulletinKey:
    return BulletinKey.from_seed(bytes(range(32)))


@pytest.fixture(scope="session")
def other_key() -> BulletinKey:
    return BulletinKey.from_seed(bytes(range(1, 33)))


@pytest.fixture(scope="session")
def claim(issue: Issue, key: BulletinKey) -> Claim:
    return make_claim(key, issue.number, issue.digest())


@pytest.fixture(scope="session")
def a5_pdf(issue: Issue, claim: Claim) -> bytes:
    return render(issue, Layout.A5, claim)


@pytest.fixture(scope="session")
def signed_pdf(a5_pdf: bytes, key: BulletinKey) -> bytes:
    return sign(a5_pdf, key, AT)
