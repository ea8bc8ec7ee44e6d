"""An article's Markdown to the HTML the press lays out, refusing what could hurt.

Articles come from members and from outside workers, so the Markdown is hostile until
shown otherwise. What it cannot do here:

- **raw HTML**: off in markdown-it (`html: False`); `<script>` comes out as visible text;
- **fetch anything**: a link is printed as its text and its address in brackets (paper
  cannot click, and an address the reader can see cannot hide where it leads); an image
  must name an attachment the caller gave, never a URL or a path;
- **exhaust the press**: over `MAX_CHARS` characters, nesting deeper than `MAX_DEPTH`,
  tables wider than `MAX_COLUMNS` or longer than `MAX_ROWS` are refused with a clear message
  (WeasyPrint's layout time grows with all of them);
- **spoof its text**: bidi embedding and override controls (U+202A..U+202E, U+2066..U+2069)
  could make a printed line read differently from the stored one; they are refused. The
  marks Persian needs (ZWNJ, LRM, RLM) are kept.

Headings inside an article start at `<h3>`: `<h1>` is the masthead, `<h2>` article titles.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, Final

from markdown_it import MarkdownIt
from markdown_it.token import Token

from hasteh.publish.errors import BadImage, BadSource

__all__ = ["MAX_CHARS", "MAX_COLUMNS", "MAX_DEPTH", "MAX_ROWS", "SPOOFING", "article_html"]

MAX_CHARS: Final = 60_000
MAX_DEPTH: Final = 12
MAX_COLUMNS: Final = 8
MAX_ROWS: Final = 120
#: Bidi controls that reorder what follows them; refused (Unicode TR#9 §2.1-2.2).
SPOOFING: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "maxNesting": MAX_DEPTH + 4}
    ).enable("table")
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("image", _image)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return '<span class="link">'


def _link_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """The address after the link text, unless the text already is the address."""
    start = idx
    while start > 0 and tokens[start].type != "link_open":
        start -= 1
    href = str(tokens[start].attrGet("href") or "")
    text = "".join(t.content for t in tokens[start + 1 : idx])
    shown = "" if not href or text == href else f' <span class="url">({html.escape(href)})</span>'
    return f"</span>{shown}"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    name = str(token.attrGet("src") or "")
    images: Mapping[str, str] = env["images"]
    if name not in images:
        raise BadImage(
            "unknown-image",
        )
    alt = html.escape("".join(c.content for c in token.children or ()))
    return f'<img src="{images[name]}" alt="{alt}">'


def _heading_level(token: Token) -> int:
    return min(int(token.tag[1:]) + 2, 6)


def _heading_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f"<h{_heading_level(tokens[idx])}>"


def _heading_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f"</h{_heading_level(tokens[idx])}>\n"


_MD: Final = _parser()


def _check_text(source: str) -> None:
    if len(source) > MAX_CHARS:
        raise BadSource(
            "too-long",
            limit=MAX_CHARS,
        )
    if any(ch in SPOOFING for ch in source):
        raise BadSource(
            "bidi-control",
        )


def _check_tokens(tokens: Sequence[Token]) -> None:
    rows = columns = 0
    for token in tokens:
        if token.level > MAX_DEPTH or (token.nesting == 1 and token.level >= MAX_DEPTH):
            raise BadSource(
                "too-deep",
                limit=MAX_DEPTH,
            )
        if token.type == "table_open":
            rows = columns = 0
        elif token.type == "tr_open":
            rows += 1
        elif token.type == "th_open":
            columns += 1
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            raise BadSource(
                "table-too-large",
                rows=MAX_ROWS,
                columns=MAX_COLUMNS,
            )


def article_html(source: str, images: Mapping[str, str] | None = None) -> str:
    """The HTML of one article's Markdown. `images` maps the names an article may use
    in `![..](name)` to `data:` URIs of images already cleaned (`attachments.py`).

    Raises `BadSource` or `BadImage`; the message never repeats the article's text."""
    _check_text(source)
    env: dict[str, Any] = {"images": dict(images or {})}
    try:
        tokens = _MD.parse(source, env)
    except RecursionError:
        raise BadSource(
            "too-deep",
            limit=MAX_DEPTH,
        ) from None
    _check_tokens(tokens)
    for token in tokens:
        _check_tokens(token.children or ())
    rendered: str = _MD.renderer.render(tokens, _MD.options, env)
    return rendered
