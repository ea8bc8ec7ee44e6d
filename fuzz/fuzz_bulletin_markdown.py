"""The bulletin press's text parsers: an article's Markdown (mode 0) and a whole issue
file (mode 1). Only `BadSource`/`BadImage` may escape; accepted Markdown never yields
raw HTML, a link or a non-`data:` image source."""

from __future__ import annotations

import re

from fuzz._common import Finding, harness, main
from hasteh.publish.errors import BadImage, BadSource
from hasteh.publish.issue import parse_issue
from hasteh.publish.markdown import article_html

_UNSAFE = re.compile(r'<(script|a|iframe|object|style|link)\b|href=|src="(?!data:)')
_IMAGES = {"a.png": "data:image/png;base64,AAAA"}


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 2, data[1:]
    try:
        if mode == 0:
            out = article_html(rest.decode("utf-8", errors="replace"), _IMAGES)
            if _UNSAFE.search(out):
                raise Finding("unsafe HTML out of article Markdown")
        else:
            issue = parse_issue(rest)
            if not issue.articles or issue.number < 1:
                raise Finding("an accepted issue without articles or number")
    except (BadSource, BadImage):
        return


if __name__ == "__main__":
    main(TestOneInput)
