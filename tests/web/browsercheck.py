"""What the design tests measure inside a page (docs/design.md), as scripts Playwright
evaluates, and the axe-core run.

The measuring scripts are synchronous DOM reads, so they run in a page whose own
JavaScript is off (Playwright evaluates them through the DevTools protocol). axe-core
cannot: it waits on timers, and timers do not fire when a page's scripts are disabled.
So axe runs in a second, JavaScript-enabled context on a copy of the exact markup the
JavaScript-off page received, served from the same origin (`axe_violations`). The app
ships no script, so the DOM is the same with JavaScript on or off; copying the markup
(instead of loading the URL again) also checks pages that are answers to a POST (a
form's errors) without sending the form twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Route

JS = Path(__file__).parent / "js"
AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0–2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
MIN_TARGET = 44  # px, WCAG 2.5.5's size, asked for by the issue at phone size

#: Contrast of every rendered text node, computed here (stock axe skips most Persian
#: text: /work/shared/reference/axe-and-persian-text.md). The background is the
#: composite of every ancestor's background colour up to the first opaque one.
CONTRAST = (JS / "contrast.js").read_text(encoding="utf-8")

#: Controls under the touch target at this size. A radio or checkbox is measured with
#: its label; a link inside running text (its block has other words) is exempt.
TARGETS = (JS / "targets.js").read_text(encoding="utf-8")

AXE_RUN = (JS / "axe_run.js").read_text(encoding="utf-8")

#: The page's width against the window's (no sideways scrolling).
WIDTHS = (
    "() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
)

#: The header's height (one row at phone size).
HEADER_HEIGHT = "() => document.querySelector('header').getBoundingClientRect().height"


def contrast(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(CONTRAST)
    return result


def small_targets(page: Page) -> list[str]:
    found: list[str] = page.evaluate(TARGETS, MIN_TARGET)
    return found


def sideways(page: Page) -> bool:
    doc, body, window = page.evaluate(WIDTHS)
    return bool(doc > window or body > window)


class Axe:
    """axe-core in a JavaScript-enabled context of the same browser (see the module
    docstring). One per test: `check(page)` copies `page`'s markup."""

    def __init__(self, browser: Browser, origin: str, viewport: dict[str, int]) -> None:
        if not AXE.exists():
            raise AssertionError(f"{AXE} is missing: run scripts/bootstrap.sh (it pins axe-core)")
        self.source = AXE.read_text(encoding="utf-8")
        self.context = browser.new_context(java_script_enabled=True, viewport=viewport)  # type: ignore[arg-type]
        self.page = self.context.new_page()
        self.url = f"{origin}/__axe_copy__"
        self.html = ""
        self.context.route(self.url, self._serve)

    def _serve(self, route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.html)

    def check(self, page: Page) -> list[str]:
        self.html = page.content()
        return self.check_url(self.url)

    def check_url(self, url: str) -> list[str]:
        """axe on `url` itself (a static page, e.g. the docs' component gallery)."""
        self.page.goto(url)
        self.page.evaluate(self.source)
        found: list[str] = self.page.evaluate(AXE_RUN, AXE_TAGS)
        return found

    def close(self) -> None:
        self.context.close()
