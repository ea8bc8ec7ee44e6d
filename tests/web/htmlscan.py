"""A small HTML reader for the page checks (stdlib `html.parser`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data"}


@dataclass
class Scan:
    lang: str | None = None
    dir: str | None = None
    urls: list[str] = field(default_factory=list)
    forms: list[dict[str, str]] = field(default_factory=list)
    #: per form: the names of its fields
    form_fields: list[list[str]] = field(default_factory=list)
    controls: list[dict[str, str]] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    buttons_without_text: int = 0


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = Scan()
        self._in_form = False
        self._button_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.scan.lang, self.scan.dir = a.get("lang"), a.get("dir")
        for name in URL_ATTRIBUTES & a.keys():
            self.scan.urls.append(a[name])
        if tag == "form":
            self.scan.forms.append(a)
            self.scan.form_fields.append([])
            self._in_form = True
        if tag in ("input", "textarea", "select") and self._in_form:
            self.scan.form_fields[-1].append(a.get("name", ""))
        if tag in ("input", "textarea", "select"):
            self.scan.controls.append({"tag": tag, **a})
        if tag == "label" and "for" in a:
            self.scan.label_for.add(a["for"])
        if tag == "button":
            self._button_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        if tag == "button" and self._button_text is not None:
            if not "".join(self._button_text).strip():
                self.scan.buttons_without_text += 1
            self._button_text = None

    def handle_data(self, data: str) -> None:
        if self._button_text is not None:
            self._button_text.append(data)


def scan(html: str) -> Scan:
    parser = _Parser()
    parser.feed(html)
    return parser.scan


def unlabelled(s: Scan) -> list[dict[str, str]]:
    """Controls a person cannot name: no <label for>, no aria-label."""
    return [
        c
        for c in s.controls
        if c.get("type") not in ("hidden", "submit")
        and c.get("id") not in s.label_for
        and not c.get("aria-label")
    ]
