"""The issue file: header, articles, limits; hostile files give a precise error."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.cli.next_steps import next_step
from hasteh.publish.errors import BadSource
from hasteh.publish.issue import Issue, parse_issue
from tests.publish.conftest import SOURCE


def test_header_and_articles(issue: Issue) -> None:
    assert issue.title == "صدای کارگر"
    assert issue.number == 12
    assert issue.day == dt.date(2026, 12, 4)  # 1405/09/13
    assert [a.title for a in issue.articles] == ["دستمزد و تورم", "اعتصاب در کارگاه"]


def test_digest_is_stable_and_covers_everything(issue: Issue) -> None:
    again = parse_issue(SOURCE.encode("utf-8"))
    assert again.digest() == issue.digest()
    other = parse_issue(SOURCE.replace("۲۵ درصد", "۲۶ درصد").encode("utf-8"))
    assert other.digest() != issue.digest()
    with_image = parse_issue(SOURCE.encode("utf-8"), {"a.png": b"x"})
    assert with_image.digest() != issue.digest()


def test_a_heading_inside_code_is_not_an_article() -> None:
    text = SOURCE + "\n```\n# not a title\n```\n"
    assert len(parse_issue(text.encode()).articles) == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"# no header\n", "no-header"),
        (b"---\ntitle: x\nnumber: 1\ndate: 1405/13/40\n---\n# a\n", "bad-date"),
        (b"---\ntitle: x\nnumber: 0\ndate: 1405/01/01\n---\n# a\n", "bad-number"),
        (b"---\ntitle: x\nnumber: 1\ndate: 1405/01/01\nauthor: me\n---\n# a\n", "bad-header"),
        (b"---\ntitle: x\nnumber: 1\ndate: 1405/01/01\n---\ntext first\n", "no-article-title"),
        (b"---\ntitle: x\nnumber: 1\ndate: 1405/01/01\n---\n", "no-articles"),
        (b"\xff\xfe---", "not-utf8"),
        (b"---\x00", "not-text"),
        (b"---\ntitle: x\nnumber: 1\ndate: 1405/01/01\n---\n" + b"# a\n" * 61, "too-many-articles"),
        (b"a" * 5_000_000, "too-long"),
        ("---\ntitle: \u202eX\nnumber: 1\ndate: 1405/01/01\n---\n# a\n".encode(), "bidi-control"),
    ],
)
def test_bad_issue_files(text: bytes, reason: str) -> None:
    with pytest.raises(BadSource) as caught:
        parse_issue(text)
    assert caught.value.reason == reason
    assert caught.value.template and next_step(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: ("---\n" + t).encode()))
def test_any_bytes_give_an_issue_or_a_clear_refusal(data: bytes) -> None:
    try:
        parsed = parse_issue(data)
    except BadSource as exc:
        assert exc.reason
        return
    assert parsed.articles and parsed.number >= 1
