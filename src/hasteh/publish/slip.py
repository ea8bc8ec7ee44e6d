"""The drop box's printed slip (docs/dropbox.md): an A6 card a member hands an outside
worker, in Persian whatever the member's language: the one-time code in large Persian
digits, until when it works, the onion address of the member's drop-box page, what to do
when the page does not open, and the key to seal a file to instead.

It is rendered by the press (`press._pdf`: the vendored font, nothing fetched) and
scrubbed like a bulletin (`press.scrub`: no producer, no dates, `/ID` from the content),
so the same slip gives the same bytes and the file names nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import jinja2

from hasteh.i18n import _, language, persian_digits
from hasteh.jalali import day_text
from hasteh.publish.press import _TEMPLATES, _pdf, scrub

__all__ = ["SlipText", "render_slip", "slip_html"]

_ENV: Final = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
)


@dataclass(frozen=True, slots=True)
class SlipText:
    """What a slip carries: the code (digits, grouped), its last day, the page's onion
    address ("" when the drop box was never opened) and the sealing key."""

    code: str
    until: dt.date
    address: str
    public_key: str


def slip_html(slip: SlipText) -> str:
    with language("fa"):
        return _ENV.get_template("slip.html").render(
            title=_("Drop box of the workers' bulletin"),
            intro=_(
                "Write for the bulletin without your name. Open this address in Tor Browser "
                "and type the code; it works once."
            ),
            code_label=_("Code from the slip"),
            code=persian_digits(slip.code),
            until=_("Works until: {day}").format(day=day_text(slip.until)),
            address=slip.address,
            offline=_("If the page does not open, the member is offline: try again later."),
            key_label=_("Or seal a file with this key and carry it by hand:"),
            public_key=slip.public_key,
            keep=_("Keep this slip hidden, and destroy it once you have used it."),
        )


def render_slip(slip: SlipText) -> bytes:
    """The slip as a metadata-free A6 PDF."""
    return scrub(_pdf(slip_html(slip), "A6"))
