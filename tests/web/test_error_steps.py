"""The web face shows an error by its code: translated text, the next step of its own
table (a link when it is a page), and a hostile parameter as escaped text."""

from __future__ import annotations

import html as htmllib

from hasteh.i18n import translations
from hasteh.org.errors import MESSAGES

from .conftest import Web

FA = translations("fa")


def test_a_hostile_name_comes_back_escaped_with_the_step(unlocked: Web) -> None:
    """A typed cell name with markup and two alphabets in one word: refused by org's
    `name-mixed-script`, whose `word` parameter is what was typed."""
    word = "<b>xа</b>&amp;"  # Latin x, Cyrillic а
    page = unlocked.post(
        "/cells",
        {"name": word, "cover_name": "سپیده", "cap": "5", "admission": "all"},
        page="/home",
    )
    assert 'role="alert"' in page
    assert "<b>xа</b>" not in page
    assert htmllib.escape(word) in page
    assert FA.gettext(MESSAGES["name-mixed-script"]).split("{")[0] in htmllib.unescape(page)
    assert FA.gettext("Type the name again, by hand; nothing was changed.") in page


def test_a_step_that_is_a_page_is_a_link(unlocked: Web) -> None:
    """No relay configured yet: `no-relay`, whose step on the web is the Settings page."""
    unlocked.post("/settings", {"relays": "", "proxy": "", "chat_expiry_days": "14"})
    page = unlocked.post(
        "/cells",
        {"name": "نانوایی", "cover_name": "سپیده", "cap": "5", "admission": "all"},
        page="/home",
    )
    step = FA.gettext("Add a relay in Settings (an address your cell agreed on).")
    assert f'<a href="/settings">{htmllib.escape(step, quote=False)}</a>' in page, page
