"""Hostile Markdown is refused or neutralised with a clear message; nothing is fetched."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.publish.errors import BadImage, BadSource
from hasteh.publish.markdown import MAX_COLUMNS, MAX_DEPTH, MAX_ROWS, article_html


def test_raw_html_is_shown_as_text() -> None:
    out = article_html('<script>alert(1)</script> <img src="http://x/y.png"> <a href="x">a</a>')
    assert "<script" not in out and "<img" not in out and "<a " not in out
    assert "&lt;script&gt;" in out


def test_links_are_printed_with_their_address_and_never_linked() -> None:
    out = article_html("[سایت ما](https://example.org/a) و <https://example.org/b>")
    assert "href" not in out
    assert "سایت ما" in out and "(https://example.org/a)" in out
    assert out.count("https://example.org/b") == 1


def test_javascript_link_is_text_only() -> None:
    out = article_html("[click](javascript:alert(1))")
    assert "href" not in out and "<a" not in out


def test_image_must_be_an_attachment() -> None:
    with pytest.raises(BadImage) as caught:
        article_html("![x](https://example.org/tracker.png)")
    assert caught.value.reason == "unknown-image"
    assert "example.org" not in str(caught.value)
    out = article_html("![عکس](photo.png)", {"photo.png": "data:image/png;base64,AAAA"})
    assert 'src="data:image/png;base64,AAAA"' in out


@pytest.mark.parametrize("opener", ["> ", "- ", "1. "])
def test_deep_nesting_is_refused(opener: str) -> None:
    with pytest.raises(BadSource) as caught:
        article_html(opener * (MAX_DEPTH + 20) + "x")
    assert caught.value.reason == "too-deep"


def test_moderate_nesting_is_kept() -> None:
    assert article_html("> " * 3 + "x").count("<blockquote>") == 3


def test_huge_tables_are_refused() -> None:
    wide = "|" + "|".join("c" for _ in range(MAX_COLUMNS + 1)) + "|\n|" + "-|" * (MAX_COLUMNS + 1)
    with pytest.raises(BadSource) as caught:
        article_html(wide)
    assert caught.value.reason == "table-too-large"
    long = "|a|b|\n|-|-|\n" + "|1|2|\n" * (MAX_ROWS + 1)
    with pytest.raises(BadSource) as caught:
        article_html(long)
    assert caught.value.reason == "table-too-large"


def test_ten_megabytes_is_refused_before_parsing() -> None:
    with pytest.raises(BadSource) as caught:
        article_html("ا" * 10_000_000)
    assert caught.value.reason == "too-long"
    assert "ا" not in str(caught.value)


def test_bidi_overrides_are_refused_but_persian_marks_kept() -> None:
    with pytest.raises(BadSource) as caught:
        article_html("مبلغ \u202e001\u202c تومان")
    assert caught.value.reason == "bidi-control"
    assert "\u200c" in article_html("می\u200cخواهیم \u200fABC\u200f")


def test_headings_start_below_the_article_title() -> None:
    out = article_html("# یک\n\n## دو")
    assert "<h3>یک</h3>" in out and "<h4>دو</h4>" in out and "<h1" not in out


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("#>-*_`[]()!|:<>&\"' \n1.\\aبپ~=+\u200c")), max_size=400)
)
def test_any_markdown_gives_html_or_a_clear_refusal(source: str) -> None:
    try:
        out = article_html(source)
    except (BadSource, BadImage) as exc:
        assert exc.reason
        return
    assert not re.search(r"<(script|a|iframe|object|style|link)\b", out)
    assert "href=" not in out
    assert not re.search(r'src="(?!data:)', out)
