"""The design system in a real browser (issue 14, docs/design.md): every page, form
error and empty state, with JavaScript off, at phone size (390×844) and desktop size
(1280×800), in Persian and English:

- axe-core (WCAG 2.0–2.2 A/AA and best practices): zero violations;
- the contrast of every rendered text node, computed by the test, in the light and the
  dark theme (stock axe skips most Persian text);
- no sideways scrolling (the document is as wide as the window);
- at phone size: the header is one row, and every control is at least 44 px tall.

Then a first-time person, scripted: creates a profile, starts a cell and sends a message,
finding every control only by its role and its visible Persian label.

How axe runs while the app's page has JavaScript off: `browsercheck` (its docstring).
Remote fonts are blocked in every context here (as Tor Browser's safest level does);
the vendored font is local and still loads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page

from hasteh.i18n import translations

from .browsercheck import Axe, contrast, sideways, small_targets
from .test_browser import NEW_TAB_TIMEOUT, Up

pytestmark = pytest.mark.slow

fa = translations("fa").gettext
PASSPHRASE = "نان کار آزادی ۱۴۰۵ bahar"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
#: At phone size the header must stay one row: its controls are 44 px, so under two.
ONE_ROW = 2 * 44

Action = Callable[[Page], None]


@dataclass
class Site:
    """A `hasteh up` with a profile and content, and the session cookie to reach it."""

    up: Up
    state: Any = None
    cells: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)

    def context(self, browser: Browser, viewport: dict[str, int], **extra: Any) -> BrowserContext:
        context = browser.new_context(
            java_script_enabled=False,
            viewport=viewport,  # type: ignore[arg-type]
            device_scale_factor=1,
            storage_state=self.state,
            **extra,
        )
        block_remote_fonts(context, self.up.origin)
        return context


def block_remote_fonts(context: BrowserContext, origin: str) -> None:
    """Any font not from this origin is refused (Tor Browser's safest level)."""

    def route(r: Any) -> None:
        if r.request.resource_type == "font" and not r.request.url.startswith(origin):
            r.abort()
        else:
            r.fallback()

    context.route("**/*", route)


def go(path: str) -> Action:
    def act(page: Page) -> None:
        page.goto(origin_of(page) + path)

    return act


def origin_of(page: Page) -> str:
    return "/".join(page.url.split("/", 3)[:3])


def submit(path: str, fields: dict[str, str], button: str) -> Action:
    """Open `path`, fill the labelled fields, press the button (a form's error state)."""

    def act(page: Page) -> None:
        page.goto(origin_of(page) + path)
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name=button, exact=True).click()

    return act


def news_frame(cell: str, everything: bool) -> Action:
    """A cell page's news frame on its own (the page in its iframe): what the cell page
    asks for (nothing new yet), or with everything since the cell began. Its reload
    (`<meta http-equiv="refresh">`) is taken out on the way, so the page holds still while
    it is checked; the markup is otherwise the app's."""

    def act(page: Page) -> None:
        origin = origin_of(page)
        page.goto(origin + cell)
        src = page.locator("iframe.news").get_attribute("src")
        assert src is not None and src.startswith(f"{cell}/news?")
        if everything:
            src = f"{cell}/news?since=0&c="

        def still(route: Any) -> None:
            response = route.fetch()
            body = re.sub(r'<meta http-equiv="refresh"[^>]*>', "", response.text())
            route.fulfill(response=response, body=body)

        page.route("**/news?**", still)
        try:
            page.goto(origin + src)
            assert page.locator("body.news-frame").count() == 1
        finally:
            page.unroute("**/news?**")

    return act


def other_zone(name: str, t: Callable[[str], str]) -> Action:
    """The time zone page's error: another zone, by a name that is not one."""

    def act(page: Page) -> None:
        page.goto(origin_of(page) + "/settings/time")
        page.get_by_label(t("Another zone"), exact=True).check()
        page.get_by_label(t("Its name, such as Europe/Berlin"), exact=True).fill(name)
        page.get_by_role("button", name=t("Save"), exact=True).click()

    return act


def start_cell(page: Page, name: str, cover: str) -> str:
    page.goto(origin_of(page) + "/home")
    page.get_by_label(fa("Cell name (seen only by its members)")).fill(name)
    page.get_by_label(fa("Your cover name in this cell")).fill(cover)
    page.get_by_role("button", name=fa("Create the cell")).click()
    return page.url.split(origin_of(page))[1].split("?")[0]


def say(page: Page, text: str, thread: str = "") -> None:
    page.get_by_label(fa("Your message")).fill(text)
    if thread:
        page.get_by_text(fa("Start a new thread instead")).click()
        page.get_by_label(fa("Or start a new thread with this title (optional)")).fill(thread)
    page.get_by_role("button", name=fa("Send"), exact=True).click()


def share_files(page: Page, cell: str, folder: Path) -> None:
    """A photo and a PDF shared in `cell`, and a reading in its library."""
    from PIL import Image

    photo, report = folder / "photo.png", folder / "گزارش مزد.pdf"
    Image.new("RGB", (120, 80), (30, 110, 60)).save(photo)
    report.write_bytes(b"%PDF-1.4\n" + bytes(40_000))
    page.goto(origin_of(page) + cell + "/files")
    for path in (photo, report):
        page.get_by_label(fa("The file to share."), exact=True).set_input_files(str(path))
        page.get_by_role("button", name=fa("Share the file"), exact=True).click()
    page.get_by_label(fa("The reading's title."), exact=True).fill("مزد و سرمایه")
    page.get_by_label(fa("A note for the cell: why read it, which pages."), exact=True).fill(
        "فصل ۱ تا ۳، برای جلسهٔ پنجشنبه"
    )
    page.get_by_label(fa("The number of the file that holds it."), exact=True).fill("۲")
    page.get_by_role("button", name=fa("Add an item to the library."), exact=True).click()


def open_decision(page: Page, cell: str, kind: str, question: str, options: str = "") -> str:
    page.goto(origin_of(page) + cell + "/decisions")
    page.get_by_label(fa("Kind")).select_option(kind)
    page.get_by_label(fa("Question")).fill(question)
    if options:
        page.get_by_label(fa("Options, one per line (for single, multiple, ranked and STV)")).fill(
            options
        )
    page.get_by_role("button", name=fa("Open the decision")).click()
    return page.url.split(origin_of(page))[1].split("?")[0]


def plan_action(page: Page, cell: str, code_name: str, note: str) -> str:
    """Plan an action on the actions page; the path of its own page."""
    page.goto(origin_of(page) + cell + "/actions")
    page.get_by_label(fa("The workplace's code name (never its address).")).fill(code_name)
    page.get_by_label(fa("A short note.")).fill(note)
    page.get_by_role("button", name=fa("Plan an action")).click()
    page.wait_for_url("**/actions/*?done=*")
    return page.url.split(origin_of(page))[1].split("?")[0]


def study_circle(page: Page, cell: str) -> tuple[str, str]:
    """A study circle with two readings (with questions, the first marked read) and a
    session with its place; the circle's and the first reading's paths."""
    page.goto(origin_of(page) + cell + "/study")
    page.get_by_label(fa("The circle's title.")).fill("مزد و سود")
    page.get_by_role("button", name=fa("Open a study circle.")).click()
    circle = page.url.split(origin_of(page))[1].split("?")[0]
    for title in ("فصل ۱: کار مزدی و سرمایه", "فصل ۲"):
        page.get_by_label(fa("The reading's title.")).fill(title)
        page.get_by_label(fa("Questions for the session, one per line.")).fill("مزد چیست؟")
        page.get_by_role("button", name=fa("Add a reading to a circle.")).click()
    page.get_by_label(fa("Date")).fill("فردا")
    page.get_by_label(fa("The reading's number, if any.")).fill("۱")
    page.get_by_label(
        fa("Where, as a code word (never an address); deleted when the session ends.")
    ).fill("باغ آبی")
    page.get_by_role("button", name=fa("Plan a session."), exact=True).click()
    page.get_by_role("link", name="فصل ۱: کار مزدی و سرمایه").click()
    reading = page.url.split(origin_of(page))[1].split("?")[0]
    page.get_by_label(fa("I have read it")).check()
    page.get_by_role("button", name=fa("Save on this device")).click()
    return circle, reading


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A profile with an empty cell, a cell with two threads and decisions (one open,
    one closed), and an invitation card."""
    up = Up(tmp_path_factory.mktemp("design") / "profile")
    try:
        made = Site(up)
        context = made.context(browser, VIEWPORTS["desktop"])
        page = context.new_page()
        page.set_default_timeout(NEW_TAB_TIMEOUT)
        page.goto(up.url)
        page.get_by_label(fa("Passphrase"), exact=True).fill(PASSPHRASE)
        page.get_by_label(fa("Passphrase again"), exact=True).fill(PASSPHRASE)
        page.get_by_role("button", name=fa("Create the profile")).click()
        page.goto(f"{up.origin}/join")
        page.get_by_label(fa("Your cover name in the cell you join")).fill("رضا")
        page.get_by_role("button", name=fa("Make my card")).click()
        made.cells["empty"] = start_cell(page, "هستهٔ تازه", "کاوه")
        cell = made.cells["full"] = start_cell(page, "نانوایی سحر", "سپیده")
        say(page, "سلام رفقا، جلسهٔ فردا ساعت شش در خانهٔ همیشگی.")
        say(page, "رسیدم. فهرست خواسته‌ها را هم می‌آورم.")
        say(page, "پیش‌نویس اعلامیه را این‌جا بنویسیم.", thread="اعلامیه")
        share_files(page, cell, tmp_path_factory.mktemp("files"))
        made.decisions["open"] = open_decision(
            page, cell, "ranked", "جلسهٔ بعد کجا باشد؟", "نانوایی\nپارک\nانبار"
        )
        closed = made.decisions["closed"] = open_decision(page, cell, "consent", "صندوق باز شود؟")
        page.get_by_role("button", name=fa("Vote"), exact=True).click()
        page.get_by_role("button", name=fa("Close the decision")).click()
        page.wait_for_url(f"{up.origin}{closed}?done=*")
        made.decisions["action"] = plan_action(page, cell, "کارگاه ۷", "دستمزد عقب‌افتاده")
        # The study circle lives in the other cell, so the full cell's pages (stored
        # references) show no reading's thread; its talk page is then seen (no "New").
        circle, reading = study_circle(page, made.cells["empty"])
        made.cells["study-circle"], made.cells["study-reading"] = circle, reading
        page.goto(up.origin + made.cells["empty"])
        made.state = context.storage_state()
        context.close()
        yield made
    finally:
        up.stop()


def pages_of(site: Site) -> list[tuple[str, Action]]:
    """Every page, form error and empty state of the profile, in a safe order: the last
    ones lock (hide), show the unlock page and its error, and unlock again."""
    empty, full = site.cells["empty"], site.cells["full"]
    return [
        ("welcome-1", go("/welcome/1")),
        ("welcome-2", go("/welcome/2")),
        ("welcome-3", go("/welcome/3")),
        ("home", go("/home")),
        ("join", go("/join")),
        ("courier", go("/courier")),
        ("settings", go("/settings")),
        ("panic", go("/panic")),
        ("cell-empty", go(empty)),
        ("members-empty", go(f"{empty}/members")),
        ("decisions-empty", go(f"{empty}/decisions")),
        ("cell", go(full)),
        ("cell-thread", go(f"{full}?thread=%D8%A7%D8%B9%D9%84%D8%A7%D9%85%DB%8C%D9%87")),
        ("members", go(f"{full}/members")),
        ("member", go(f"{full}/members/0")),
        ("safety", go(f"{full}/safety")),
        ("cell-settings", go(f"{full}/settings")),
        ("decisions", go(f"{full}/decisions")),
        ("decision-open", go(site.decisions["open"])),
        ("decision-closed", go(site.decisions["closed"])),
        ("reach", go("/reach")),
        ("relays", go(f"{full}/relays")),
        ("time-zone", go("/settings/time")),
        ("join-code", go("/join/code")),
        ("news-empty", news_frame(empty, everything=False)),
        ("news", news_frame(full, everything=True)),
        ("course", go("/course")),
        ("course-lesson", go("/course/1")),
        ("course-quiz", go("/course/1/quiz")),
        ("course-checklist", go("/course/checklists/meeting")),
        ("course-guide", go("/course/guide")),
        ("fund-empty", go(f"{empty}/fund")),
        ("fund", go(f"{full}/fund")),
        ("actions-empty", go(f"{empty}/actions")),
        ("delegates-empty", go(f"{empty}/delegates")),
        ("alliances-empty", go("/alliances")),
        ("vouch-answer", go("/alliances/answer")),
        ("study-empty", go(f"{full}/study")),
        ("study", go(f"{empty}/study")),
        ("study-circle", go(site.cells["study-circle"])),
        ("study-reading", go(site.cells["study-reading"])),
        ("drop-empty", go(f"{empty}/drop")),
        ("bulletin-empty", go(f"{empty}/bulletin")),
        ("bulletin", go(f"{full}/bulletin")),
        ("actions", go(f"{full}/actions")),
        ("action", go(site.decisions["action"])),
        ("contacts-empty", go("/contacts")),
        ("files-empty", go(f"{empty}/files")),
        ("files", go(f"{full}/files")),
    ]


def error_pages(site: Site, t: Callable[[str], str]) -> list[tuple[str, Action]]:
    full = site.cells["full"]
    return [
        ("cell-error", submit(full, {t("Your message"): "   "}, t("Send"))),
        (
            "home-error",
            submit(
                "/home",
                {
                    t("Cell name (seen only by its members)"): "x",
                    t("Your cover name in this cell"): "y",
                    t("Most members (at most 7)"): "many",
                },
                t("Create the cell"),
            ),
        ),
        (
            "decisions-error",
            # A deadline that cannot be read: refused, so no decision is opened.
            submit(
                f"{full}/decisions",
                {t("Question"): "?", t("Or type a date"): "never"},
                t("Open the decision"),
            ),
        ),
        (
            "settings-error",
            submit(
                "/settings", {t("Chat messages disappear after this many days"): "0"}, t("Save")
            ),
        ),
        (
            "relays-error",
            submit(
                f"{full}/relays",
                {t("Relay addresses, one per line; the first one orders the messages"): "x"},
                t("Propose this list"),
            ),
        ),
        (
            "local-relay-error",
            # The warning not ticked: refused, nothing changes.
            submit(
                f"{full}/relays",
                {t("The local relay's address"): "http://127.0.0.1:9"},
                t("Use this local relay for this cell"),
            ),
        ),
        (
            "members-code-error",
            submit(
                f"{full}/members",
                {t("The number and three words the newcomer reads to you"): "۴۲ نه"},
                t("Propose by code"),
            ),
        ),
        (
            "join-code-error",
            submit(
                "/join/code",
                {
                    t("Your cover name in the cell you join"): "رضا",
                    t("Minutes the code lives (1 to 10)"): "99",
                },
                t("Show my code"),
            ),
        ),
        ("time-zone-error", other_zone("Mars/Olympus", t)),
        (
            "delegates-error",
            # No election closed yet: refused, nothing is recorded.
            submit(
                f"{full}/delegates",
                {t("The cell's pseudonym in alliances (never its name)"): "north-1"},
                t("Record the delegates"),
            ),
        ),
        (
            "contacts-error",
            # Notes holding a bank card number: refused, nothing kept.
            submit(
                "/contacts",
                {
                    t("The contact's code name (never a real name)."): "رحیم",
                    t("Notes, on this device only."): "6037991234567893",
                },
                t("Keep this contact"),
            ),
        ),
        # A contact kept (its hand-over buttons), a hand-over code that cannot be read
        # (refused, nothing received), then the contact deleted: the profile as it was.
        (
            "contacts-list",
            submit(
                "/contacts",
                {t("The contact's code name (never a real name)."): "رحیم"},
                t("Keep this contact"),
            ),
        ),
        (
            "contacts-take-error",
            submit(
                "/contacts",
                {t("The number and three words the member reads to you"): "۴۲ نه"},
                t("Receive the contact"),
            ),
        ),
        ("contacts-forgotten", submit("/contacts", {}, t("Delete from this device"))),
        (
            "files-error",
            # A title of spaces only: refused, nothing added to the library.
            submit(
                f"{full}/files",
                {t("The reading's title."): "   "},
                t("Add an item to the library."),
            ),
        ),
        (
            "study-error",
            # A 20-hour session: refused, nothing planned.
            submit(
                site.cells["study-circle"],
                {t("Date"): "tomorrow", t("How long, in hours (1 to 12)."): "20"},
                t("Plan a session."),
            ),
        ),
        # A quiz sent with no answer: refused, nothing recorded.
        ("course-quiz-error", submit("/course/1/quiz", {}, t("See my answers"))),
        (
            "vouch-answer-error",
            # A vouching code altered on the way: refused, nothing kept or sent.
            submit(
                "/alliances/answer",
                {
                    t("The vouching code"): "HV1:AAAABBBBCCCC",
                    t("Your cell's pseudonym in the alliance (never its name)"): "شمال-۲",
                },
                t("Send my cell's card"),
            ),
        ),
        ("hidden", go("/hide")),
        ("unlock", go("/unlock")),
        ("unlock-error", submit("/unlock", {t("Passphrase"): "not it at all"}, t("Unlock"))),
    ]


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}: {problem}" for name, ps in found.items() for problem in ps)


def set_language(page: Page, origin: str, language: str) -> None:
    page.goto(f"{origin}/home")
    if page.locator("html").get_attribute("lang") != language:
        name = "English" if language == "en" else "فارسی"
        page.get_by_role("button", name=name).click()
    assert page.locator("html").get_attribute("lang") == language


def check(page: Page, axe: Axe, phone: bool) -> list[str]:
    """Everything wrong with the page shown now (empty: nothing)."""
    problems = [f"axe: {v}" for v in axe.check(page)]
    if sideways(page):
        problems.append("scrolls sideways")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        found = contrast(page)
        assert found["checked"] > 0
        problems += [f"contrast ({scheme}): {f}" for f in found["failures"]]
    page.emulate_media(color_scheme="light")
    if phone:
        problems += [f"under 44 px: {s}" for s in small_targets(page)]
        if page.locator("header").count():
            height = page.evaluate("() => document.querySelector('header').offsetHeight")
            if height >= ONE_ROW:
                problems.append(f"header is {height}px tall (more than one row)")
    return problems


def signed_in_views(
    browser: Browser, signed_in: BrowserContext, origin: str
) -> Iterator[tuple[str, Page, Callable[[], list[str]]]]:
    """Each viewport (phone, desktop) as the person signed in to `signed_in`, JavaScript
    off, Persian: its name, a page, and the design check of what that page shows now
    (axe, contrast, no sideways scroll, 44 px on the phone). Closed after each step."""
    for size, viewport in VIEWPORTS.items():
        context = browser.new_context(
            java_script_enabled=False,
            viewport=viewport,  # type: ignore[arg-type]
            locale="fa-IR",
            storage_state=signed_in.storage_state(),  # type: ignore[arg-type]
        )
        block_remote_fonts(context, origin)
        page = context.new_page()
        page.set_default_timeout(NEW_TAB_TIMEOUT)
        axe = Axe(browser, origin, viewport)
        try:
            yield size, page, lambda: check(page, axe, size == "phone")  # noqa: B023
        finally:
            axe.close()
            context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_page_accessible_and_phone_sized(
    browser: Browser, site: Site, language: str, size: str
) -> None:
    t = translations(language).gettext
    context = site.context(browser, VIEWPORTS[size])
    page = context.new_page()
    page.set_default_timeout(NEW_TAB_TIMEOUT)
    axe = Axe(browser, site.up.origin, VIEWPORTS[size])
    found: dict[str, list[str]] = {}
    try:
        set_language(page, site.up.origin, language)
        for name, action in [*pages_of(site), *error_pages(site, t)]:
            action(page)
            assert page.locator("html").get_attribute("lang") == language, name
            if problems := check(page, axe, size == "phone"):
                found[name] = problems
        page.get_by_label(t("Passphrase"), exact=True).fill(PASSPHRASE)
        page.get_by_role("button", name=t("Unlock"), exact=True).click()
        assert page.url == f"{site.up.origin}/home"
        set_language(page, site.up.origin, "fa")
        site.state = context.storage_state()
    finally:
        axe.close()
        context.close()
    assert found == {}, report(found)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_first_run_pages_accessible(browser: Browser, tmp_path: Path, size: str) -> None:
    """The pages before a profile exists (setup and its error), then a new profile's
    empty states (no cell, no card), in both languages."""
    up = Up(tmp_path / "profile")
    context = browser.new_context(
        java_script_enabled=False,
        viewport=VIEWPORTS[size],  # type: ignore[arg-type]
        device_scale_factor=1,
    )
    block_remote_fonts(context, up.origin)
    page = context.new_page()
    page.set_default_timeout(NEW_TAB_TIMEOUT)
    axe = Axe(browser, up.origin, VIEWPORTS[size])
    found: dict[str, list[str]] = {}
    try:
        page.goto(up.url)
        for language in ("fa", "en"):
            t = translations(language).gettext
            if language == "en":
                page.get_by_role("button", name="English").click()
            actions = [
                ("setup", go("/setup")),
                (
                    "setup-error",
                    submit(
                        "/setup",
                        {
                            t("Passphrase"): "a long enough one",
                            t("Passphrase again"): "another one",
                        },
                        t("Create the profile"),
                    ),
                ),
            ]
            for name, action in actions:
                action(page)
                assert page.locator("html").get_attribute("lang") == language
                if problems := check(page, axe, size == "phone"):
                    found[f"{name}-{language}"] = problems
        # The empty states of a new profile: no cell yet, no card yet.
        t = translations("en").gettext
        page.get_by_label(t("Passphrase"), exact=True).fill(PASSPHRASE)
        page.get_by_label(t("Passphrase again"), exact=True).fill(PASSPHRASE)
        page.get_by_role("button", name=t("Create the profile")).click()
        for language in ("en", "fa"):
            set_language(page, up.origin, language)
            for name, action in [("home-empty", go("/home")), ("join-empty", go("/join"))]:
                action(page)
                if problems := check(page, axe, size == "phone"):
                    found[f"{name}-{language}"] = problems
    finally:
        axe.close()
        context.close()
        up.stop()
    assert found == {}, report(found)


def test_a_first_time_person_starts_a_cell_and_says_something(
    browser: Browser, tmp_path: Path
) -> None:
    """No guide, no CSS selector, no id: only what a Persian speaker sees on a phone."""
    up = Up(tmp_path / "profile")
    context = browser.new_context(
        java_script_enabled=False, viewport=VIEWPORTS["phone"], locale="fa-IR"
    )
    page = context.new_page()
    page.set_default_timeout(NEW_TAB_TIMEOUT)
    try:
        page.goto(up.url)
        page.get_by_label("گذرواژه", exact=True).fill(PASSPHRASE)
        page.get_by_label("تکرار گذرواژه", exact=True).fill(PASSPHRASE)
        page.get_by_role("button", name="ساختن پروفایل").click()
        page.get_by_role("link", name="بعدی").click()
        page.get_by_role("link", name="بعدی").click()
        page.get_by_role("link", name="آغاز یک هستهٔ تازه").click()
        page.get_by_label("نام هسته (فقط اعضایش آن را می‌بینند)").fill("کارگاه")
        page.get_by_label("اسم مستعار شما در این هسته").fill("لاله")
        page.get_by_role("button", name="ساختن هسته").click()
        assert page.get_by_role("heading", level=1).inner_text() == "کارگاه"
        page.get_by_label("پیام شما").fill("سلام! فردا ساعت شش.")
        page.get_by_role("button", name="فرستادن", exact=True).click()
        assert page.get_by_role("status").inner_text() == "فرستاده شد."
        assert page.get_by_role("listitem").filter(has_text="سلام! فردا ساعت شش.").count() == 1
        # The phone's menu opens without JavaScript (a <summary>: Playwright gives it no
        # role, so it is found by its visible text), then "hide" leaves a neutral page.
        page.get_by_text("منو", exact=True).click()
        page.get_by_role("link", name="تنظیمات", exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == "تنظیمات"
        page.get_by_role("link", name="پنهان کن").click()
        assert page.get_by_role("heading", level=1).inner_text() == "یادداشت‌ها"
        assert "هسته" not in page.content()
    finally:
        context.close()
        up.stop()


def test_persian_renders_with_every_web_font_blocked(browser: Browser, site: Site) -> None:
    """Tor Browser's safest level downloads no font at all, not even the app's own: the
    system's Persian font must draw the words (DevTools says which font drew them)."""
    import subprocess

    system = subprocess.run(
        ["fc-list", ":lang=fa", "family"], capture_output=True, text=True, check=True
    ).stdout
    families = {f.strip() for line in system.splitlines() for f in line.split(",")}
    assert families, "no Persian font on this system (fonts-dejavu-core has one)"
    context = site.context(browser, VIEWPORTS["phone"])
    context.route(
        "**/*", lambda r: r.abort() if r.request.resource_type == "font" else r.fallback()
    )
    page = context.new_page()
    try:
        page.goto(f"{site.up.origin}/welcome/1")
        assert page.locator("html").get_attribute("lang") == "fa"
        cdp = context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        for selector in ("h1", "main li", "header a"):
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
            assert fonts and all(not f["isCustomFont"] for f in fonts), fonts
            assert {f["familyName"] for f in fonts} <= families, fonts
        assert not sideways(page) and small_targets(page) == []
    finally:
        context.close()


GALLERY = Path(__file__).resolve().parents[2] / "docs" / "design" / "components.html"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_component_gallery_in_the_docs(browser: Browser, size: str) -> None:
    """docs/design/components.html (every component, fa and en, the app's stylesheet)
    passes the same checks as the app's pages."""
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS[size])  # type: ignore[arg-type]
    page = context.new_page()
    axe = Axe(browser, "http://127.0.0.1:9", VIEWPORTS[size])
    try:
        page.goto(GALLERY.as_uri())
        assert page.locator(".messages .message").count() == 4
        problems = [f"axe: {v}" for v in axe.check_url(GALLERY.as_uri())]
        if sideways(page):
            problems.append("scrolls sideways")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            problems += [f"contrast ({scheme}): {f}" for f in contrast(page)["failures"]]
        if size == "phone":
            problems += [f"under 44 px: {s}" for s in small_targets(page)]
    finally:
        axe.close()
        context.close()
    assert problems == []


#: The main pages whose look is pinned (fa): name → path (a cell's paths from the site).
LOOKS = ["welcome-1", "home", "cell", "members", "decisions", "settings"]
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "design"
#: Stored with the references: Chromium's major version they were made with.
REFERENCE_CHROMIUM = REFERENCE / "CHROMIUM"
#: A pixel differs when a channel moves by more than this; a page may differ in this
#: share of its pixels (antialiasing, not a moved or restyled component).
CHANNEL_TOLERANCE = 8
PIXEL_SHARE = 0.002
#: Compared in the browser (no image library needed): both PNGs on canvases.
COMPARE = (Path(__file__).parent / "js" / "compare.js").read_text(encoding="utf-8")


def update_references() -> bool:
    """`HASTEH_UPDATE_REFERENCES=1 uv run pytest tests/web/test_design.py -k look_as_stored` makes
    the references again (after Chromium's major version changed, or a deliberate
    restyle): docs/design.md, "Reference screenshots"."""
    return os.environ.get("HASTEH_UPDATE_REFERENCES") == "1"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_main_pages_look_as_stored(browser: Browser, site: Site, size: str) -> None:
    import base64

    major = browser.version.split(".")[0]
    if not update_references():
        stored = REFERENCE_CHROMIUM.read_text().strip() if REFERENCE_CHROMIUM.exists() else "?"
        assert stored == major, (
            f"the reference screenshots were made with Chromium {stored}, this is {major}: "
            "look at the pages, then run HASTEH_UPDATE_REFERENCES=1 uv run pytest "
            "tests/web/test_design.py -k look_as_stored"
        )
    paths = {
        "welcome-1": "/welcome/1",
        "home": "/home",
        "cell": site.cells["full"],
        "members": f"{site.cells['full']}/members",
        "decisions": f"{site.cells['full']}/decisions",
        "settings": "/settings",
    }
    # JavaScript on only so the test can wait for the vendored font (the app has none).
    context = browser.new_context(
        viewport=VIEWPORTS[size],  # type: ignore[arg-type]
        device_scale_factor=1,
        storage_state=site.state,
        color_scheme="light",
    )
    page = context.new_page()
    compare = context.new_page()
    differs: dict[str, str] = {}
    try:
        set_language(page, site.up.origin, "fa")
        for name in LOOKS:
            page.goto(site.up.origin + paths[name])
            page.evaluate("document.fonts.ready.then(() => true)")
            # What changes from run to run is masked: times, the relay's port, the words.
            masks = [
                page.locator("time"),
                page.locator(".relay"),
                page.locator(".safety-words"),
                page.locator(".decisions small"),  # a deadline's length moves its line
                # Two decisions opened within one second are numbered by their random ids.
                page.locator(".decisions li > a"),
                page.locator("iframe.news"),  # reloads itself: what arrived, and when
                page.locator(".relays"),  # when each relay last answered
            ]
            shot = page.screenshot(mask=masks, mask_color="#888888", animations="disabled")
            target = REFERENCE / f"{name}-{size}.png"
            if update_references():
                REFERENCE.mkdir(parents=True, exist_ok=True)
                target.write_bytes(shot)
                REFERENCE_CHROMIUM.write_text(major + "\n")
                continue
            assert target.exists(), f"{target} is missing: HASTEH_UPDATE_REFERENCES=1"
            result = compare.evaluate(
                COMPARE,
                [
                    base64.b64encode(target.read_bytes()).decode(),
                    base64.b64encode(shot).decode(),
                    CHANNEL_TOLERANCE,
                ],
            )
            if "size" in result or result["share"] > PIXEL_SHARE:
                differs[name] = str(result)
                (Path(os.environ.get("TMPDIR", "/tmp")) / f"hasteh-{name}-{size}.png").write_bytes(
                    shot
                )
    finally:
        context.close()
    assert differs == {}, differs


# --------------------------------------------------------------- a delegate's pages


@pytest.fixture(scope="module")
def delegate_site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two profiles (a delegate needs a cell of two to be elected): A's cell with B in it,
    A elected delegate and holding the cell's key, and an alliance A formed; A's session.
    Apart from `site`, whose home page is a stored reference (an alliance shows there)."""
    from .test_browser_cells import PASS_A, PASS_B, open_person
    from .test_browser_delegates import elect_in_chromium
    from .test_browser_fund import form_cell

    root = tmp_path_factory.mktemp("design-delegate")
    up_a, up_b = Up(root / "a"), None
    try:
        up_b = Up(root / "b")
        context_a, a, _ = open_person(browser, up_a, PASS_A, javascript=False)
        context_b, b, _ = open_person(browser, up_b, PASS_B, javascript=False)
        cell = form_cell(a, b, up_a, up_b)
        elect_in_chromium(a, b, up_a, up_b, cell)
        a.get_by_label(fa("The decision that allows it")).select_option("1")
        a.get_by_role("button", name=fa("Make the key"), exact=True).click()
        a.goto(f"{up_a.origin}/alliances")
        a.get_by_label(fa("The alliance's name")).fill("اتحاد شمال")
        a.get_by_label(fa("Your cell's pseudonym in the new alliance (never its name)")).fill(
            "شمال-۱"
        )
        a.get_by_role("button", name=fa("Form the alliance")).click()
        made = Site(up_a)
        made.cells["full"] = cell
        made.cells["alliance"] = a.url.split(up_a.origin)[1].split("?")[0]
        made.state = context_a.storage_state()
        context_b.close()
        context_a.close()
        yield made
    finally:
        up_a.stop()
        if up_b is not None:
            up_b.stop()


def choose(path: str, label: str, value: str, button: str) -> Action:
    """Open `path`, choose `value` in the labelled list, press the button."""

    def act(page: Page) -> None:
        page.goto(origin_of(page) + path)
        page.get_by_label(label, exact=True).select_option(value)
        page.get_by_role("button", name=button, exact=True).click()

    return act


def delegate_pages(site: Site, t: Callable[[str], str]) -> list[tuple[str, Action]]:
    """The delegate's pages with every form, the code shown once, and their refusals."""
    cell, alliance = site.cells["full"], site.cells["alliance"]
    return [
        ("delegates-work", go(f"{cell}/delegates")),
        ("delegates-key-code", submit(f"{cell}/delegates", {}, t("Show the key code"))),
        (
            "delegates-key-error",
            # "(none)" chosen: refused, no key is made.
            choose(
                f"{cell}/delegates",
                t("The decision that allows it"),
                "0",
                t("Make the key"),
            ),
        ),
        ("alliances", go("/alliances")),
        (
            "alliances-error",
            # A name with no letter: refused, nothing formed.
            submit(
                "/alliances",
                {
                    t("The alliance's name"): "!!!",
                    t("Your cell's pseudonym in the new alliance (never its name)"): "x",
                },
                t("Form the alliance"),
            ),
        ),
        ("alliance", go(alliance)),
        (
            "alliance-error",
            # Not a card: refused, nothing proposed.
            submit(alliance, {t("The delegate's card code"): "not a card"}, t("Propose")),
        ),
    ]


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_delegates_pages_accessible_and_phone_sized(
    browser: Browser, delegate_site: Site, language: str, size: str
) -> None:
    t = translations(language).gettext
    context = delegate_site.context(browser, VIEWPORTS[size])
    page = context.new_page()
    page.set_default_timeout(NEW_TAB_TIMEOUT)
    axe = Axe(browser, delegate_site.up.origin, VIEWPORTS[size])
    found: dict[str, list[str]] = {}
    try:
        set_language(page, delegate_site.up.origin, language)
        for name, action in delegate_pages(delegate_site, t):
            action(page)
            assert page.locator("html").get_attribute("lang") == language, name
            if problems := check(page, axe, size == "phone"):
                found[name] = problems
        set_language(page, delegate_site.up.origin, "fa")
    finally:
        axe.close()
        context.close()
    assert found == {}, report(found)
