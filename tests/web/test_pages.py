"""The pages: first run, unlock, lock, home, settings, panic; markup rules on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hasteh import vault
from hasteh.i18n import translations
from hasteh.web.app import STATIC, TEMPLATES

from .conftest import DURESS, FAST, ORIGIN, PASSPHRASE, PORT, TOKEN, Web, csrf_of
from .htmlscan import scan, unlabelled


def all_pages(web: Web) -> dict[str, str]:
    """Every page a person can reach, in order, each as HTML (fa first, then en)."""
    pages: dict[str, str] = {}
    pages["setup"] = web.launch()
    pages["setup-error"] = web.post("/setup", {"passphrase": "short", "passphrase_again": "short"})
    pages["welcome-1"] = web.create_profile()  # the first run's three screens
    pages["welcome-2"] = web.client.get("/welcome/2").text
    pages["welcome-3"] = web.client.get("/welcome/3").text
    pages["home"] = web.client.get("/home").text
    cell_pages(web, pages, "")
    pages["settings"] = web.client.get("/settings").text
    pages["panic"] = web.client.get("/panic").text
    pages["unlock"] = web.post("/lock", {})
    pages["unlock-error"] = web.post("/unlock", {"passphrase": "wrong passphrase"})
    web.post("/unlock", {"passphrase": PASSPHRASE})
    web.post("/language", {"language": "en"})
    for name in ["home", "settings", "panic"]:
        pages[f"{name}-en"] = web.client.get(f"/{name}").text
    cell_pages(web, pages, "-en")
    pages["unlock-en"] = web.post("/lock", {})
    return pages


#: A relay address that refuses at once: cells and cards work offline (actions queue).
NO_RELAY = "http://127.0.0.1:9"


def cell_pages(web: Web, pages: dict[str, str], suffix: str) -> None:
    """The cell pages (a cell of one, offline), with their error states, into `pages`."""
    web.post(
        "/settings",
        {"relays": NO_RELAY, "proxy": "", "chat_expiry_days": "14", "language": suffix[1:] or "fa"},
    )
    pages["home-error" + suffix] = web.post("/cells", {"name": "x", "cap": "many"}, page="/home")
    created = web.client.post(
        "/cells",
        data={
            "csrf": csrf_of(web.client.get("/home").text),
            "name": "bakery" + suffix,
            "cover_name": "sepideh",
            "cap": "5",
            "admission": "all",
        },
        follow_redirects=False,
    )
    cell = created.headers["location"].split("?")[0]
    pages["home-cells" + suffix] = web.client.get("/home").text
    pages["join" + suffix] = web.post("/join/card", {"cover_name": "reza", "days": "7"}, "/join")
    pages["join-error" + suffix] = web.post("/join", {}, "/join")
    code = re.search(r'<textarea id="code-1"[^>]*>([^<]+)</textarea>', pages["join" + suffix])
    assert code
    pages["cell-empty" + suffix] = web.client.get(cell).text
    pages["members-empty" + suffix] = web.client.get(f"{cell}/members").text
    pages["decisions-empty" + suffix] = web.client.get(f"{cell}/decisions").text
    web.post(f"{cell}/propose", {"card": code.group(1)}, page=cell)
    web.post(f"{cell}/say", {"text": "hello", "thread": ""}, page=cell)
    pages["cell" + suffix] = web.client.get(cell).text
    pages["members" + suffix] = web.client.get(f"{cell}/members").text
    pages["safety" + suffix] = web.client.get(f"{cell}/safety").text
    pages["cell-settings" + suffix] = web.client.get(f"{cell}/settings").text
    pages["cell-error" + suffix] = web.post(f"{cell}/say", {"text": ""}, page=cell)
    decisions = f"{cell}/decisions"
    pages["decisions-error" + suffix] = web.post(decisions, {"kind": "x"}, page=decisions)
    for kind, options in [("ranked", "a\nb\nc"), ("consent", ""), ("multiple", "a\nb")]:
        form = {"kind": kind, "question": kind, "options": options, "deadline": "+1d"}
        pages[f"decision-{kind}{suffix}"] = web.post(decisions, form, page=decisions)
    decision = re.search(r'action="([^"]+)/vote"', pages["decision-multiple" + suffix])
    assert decision
    web.post(f"{decision.group(1)}/vote", {"choice": "1"}, page=decision.group(1))
    pages["decision-closed" + suffix] = web.post(
        f"{decision.group(1)}/close", {}, page=decision.group(1)
    )
    pages["decisions" + suffix] = web.client.get(decisions).text
    pages["member" + suffix] = web.client.get(f"{cell}/members/0").text
    pages["member-error" + suffix] = web.post(
        f"{cell}/members/0/seized", {"confirm": "yes"}, page=f"{cell}/members/0"
    )
    pages["courier" + suffix] = web.post("/courier/export", {"recent_days": "0"}, "/courier")
    pages["reach" + suffix] = web.client.get("/reach").text
    pages["reach-checked" + suffix] = web.post("/reach", {}, "/reach")
    pages["relays" + suffix] = web.client.get(f"{cell}/relays").text
    pages["relays-error" + suffix] = web.post(f"{cell}/relays", {"relays": ""}, f"{cell}/relays")
    pages["local-error" + suffix] = web.post(
        f"{cell}/local-relay", {"url": "http://10.0.0.1:8080"}, f"{cell}/relays"
    )
    pages["courier-error" + suffix] = web.post("/courier/import", {"code": "x"}, "/courier")


INLINE_IMAGE = "data:image/png;base64,"


@pytest.fixture
def pages(web: Web) -> dict[str, str]:
    return all_pages(web)


def test_every_page_loads_nothing_from_outside(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        for url in scan(html).urls:
            local = url.startswith(("/", "#", "?")) and not url.startswith("//")
            inline = url.startswith(INLINE_IMAGE)  # the invitation card's QR image
            assert local or inline or url.startswith(ORIGIN), (name, url)
        # Belt and braces: no URL-taking attribute or CSS url() points anywhere but here.
        assert not re.search(
            r"""(?:\b(?:src|href|action|srcset|poster)\s*=\s*["']?|url\(\s*["']?)"""
            r"(?:[a-z][a-z0-9+.-]*:|//)",
            html.replace(ORIGIN, "").replace(f'src="{INLINE_IMAGE}', 'src="'),
            re.I,
        ), name
        assert "<script" not in html and " style=" not in html, name


def test_stylesheet_loads_nothing_from_outside() -> None:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    assert "//" not in re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "@import" not in css
    for url in re.findall(r"url\(([^)]*)\)", css):
        assert not url.strip("\"'").startswith(("http", "/", "data:")), url
        assert (STATIC / url.strip("\"'")).exists()


def test_stylesheet_uses_logical_properties_only() -> None:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right|top|bottom)\b|text-align:\s*(?:left|right)"
        r"|\b(?:left|right|top|bottom):|float:\s*(?:left|right)",
        css,
    )
    assert physical == []


def test_stylesheet_and_fonts_within_budget() -> None:
    """Issue 14: what every page loads besides itself stays under 150 KiB (bench_web.py
    reports the figure)."""
    files = [STATIC / "site.css", *(STATIC / "fonts").glob("*.woff2")]
    assert len(files) == 3
    assert sum(f.stat().st_size for f in files) <= 150 * 1024


def test_font_and_licence_vendored() -> None:
    fonts = STATIC / "fonts"
    assert (fonts / "Vazirmatn-Regular.woff2").read_bytes()[:4] == b"wOF2"
    assert (fonts / "Vazirmatn-Bold.woff2").read_bytes()[:4] == b"wOF2"
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "OFL.txt").read_text()


def test_every_form_posts_locally_with_csrf(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        s = scan(html)
        assert s.forms, name
        for form, fields in zip(s.forms, s.form_fields, strict=True):
            assert form.get("method") == "post", (name, form)
            assert form.get("action", "").startswith("/"), (name, form)
            assert "csrf" in fields, (name, form)


def test_every_control_is_labelled(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        s = scan(html)
        assert unlabelled(s) == [], name
        assert s.buttons_without_text == 0, name


def test_language_and_direction(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        s = scan(html)
        expected = ("en", "ltr") if name.endswith("-en") else ("fa", "rtl")
        assert "<html" in html, name
        assert (s.lang, s.dir) == expected, name


def test_persian_by_default_with_jalali_date_and_persian_digits(pages: dict[str, str]) -> None:
    home = pages["home"]
    assert "هسته‌های من" in home  # "My cells", with its ZWNJ kept
    assert "سه‌شنبه ۱۲ اسفند ۱۴۰۴" in home
    assert 'datetime="2026-03-03"' in home
    assert "۸" in pages["setup"]  # the minimum length, in Persian digits
    assert "Tuesday 3 March 2026" in pages["home-en"]
    assert "My cells" in pages["home-en"]
    assert "۱۴" in pages["settings"] and 'value="14"' in pages["settings-en"]


def test_keyboard_reachable(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        assert 'tabindex="' not in html.replace('tabindex="-1"', ""), name
        assert 'href="#main"' in html, name  # skip link first


def test_first_run_checks_and_errors(web: Web) -> None:
    web.launch()
    page = web.post("/setup", {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE + "x"})
    assert "دو گذرواژه یکسان نیستند" in page
    page = web.post("/setup", {"passphrase": "short", "passphrase_again": "short"})
    assert translations("fa").gettext("This passphrase is too short.") in page
    page = web.post(
        "/setup",
        {
            "passphrase": PASSPHRASE,
            "passphrase_again": PASSPHRASE,
            "duress": PASSPHRASE,
            "duress_again": PASSPHRASE,
        },
    )
    assert translations("fa").gettext(vault.SamePassphrases().template) in page
    assert not (web.home / "hasteh.key").exists()
    assert "/lock" in web.create_profile()
    assert web.client.get("/setup", follow_redirects=False).headers["location"] == "/home"


def test_duress_passphrase_opens_the_decoy(web: Web) -> None:
    web.launch()
    web.create_profile(duress=DURESS)
    web.post("/settings", _settings(relays="http://relay.example"), page="/settings")
    web.post("/lock", {})
    web.post("/unlock", {"passphrase": DURESS})
    assert web.client.get("/settings").text.count("relay.example") == 0
    web.post("/lock", {})
    page = web.post("/unlock", {"passphrase": PASSPHRASE})
    assert translations("fa").gettext("Wrong passphrase.") in page


def test_wrong_passphrase_says_only_that(unlocked: Web) -> None:
    unlocked.post("/lock", {})
    page = unlocked.post("/unlock", {"passphrase": "not the passphrase"})
    fa = translations("fa")
    assert fa.gettext("Wrong passphrase.") in page
    assert fa.gettext("Check the keyboard layout and try again.") in page
    assert unlocked.client.get("/home", follow_redirects=False).status_code == 303


def test_persian_digits_and_arabic_letters_accepted(web: Web) -> None:
    web.launch()
    persian = "گذرواژه‌ی من ۱۲۳۴"
    web.post(
        "/setup",
        {"passphrase": persian, "passphrase_again": persian, "duress": "", "duress_again": ""},
    )
    web.post("/lock", {})
    typed = "گذرواژه‌ی من 1234"  # ASCII digits this time
    assert "/lock" in web.post("/unlock", {"passphrase": typed})


def _settings(**values: str) -> dict[str, str]:
    return {"relays": "", "proxy": "", "chat_expiry_days": "14", "language": "fa", **values}


def test_settings_saved_in_the_vault(unlocked: Web) -> None:
    page = unlocked.post(
        "/settings",
        _settings(
            relays="https://relay-a.example/\nhttp://abc.onion\n",
            proxy="socks5h://127.0.0.1:9050",
            chat_expiry_days="۷",
        ),
    )
    assert "ذخیره شد" in page
    assert "https://relay-a.example\nhttp://abc.onion" in page
    assert 'value="socks5h://127.0.0.1:9050"' in page and 'value="۷"' in page
    unlocked.post("/lock", {})
    unlocked.post("/unlock", {"passphrase": PASSPHRASE})
    with vault.opened(unlocked.home, PASSPHRASE, min_kdf=FAST) as v:
        stored = v.read(
            lambda conn: [
                vault.settings.get_setting(conn, k, object)
                for k in ("transport.relays", "transport.proxy", "org.chat_expiry_days")
            ]
        )
    relays = ["https://relay-a.example", "http://abc.onion"]
    assert stored == [relays, "socks5h://127.0.0.1:9050", 7]


@pytest.mark.parametrize(
    "values",
    [
        {"relays": "ftp://x"},
        {"relays": "relay.example"},
        {"proxy": "http://127.0.0.1:9050"},
        {"proxy": "socks5h://127.0.0.1"},
        {"chat_expiry_days": "0"},
        {"chat_expiry_days": "abc"},
        {"chat_expiry_days": "400"},
        {"language": "de"},
    ],
)
def test_settings_refused(unlocked: Web, values: dict[str, str]) -> None:
    page = unlocked.post("/settings", _settings(**values))
    assert 'role="alert"' in page


def test_proxy_key_is_the_transport_one() -> None:
    from hasteh.app.records import PROXY_KEY as WEB_PROXY_KEY
    from hasteh.transport.registry import PROXY_KEY

    assert WEB_PROXY_KEY == PROXY_KEY


def test_language_follows_the_profile(unlocked: Web) -> None:
    unlocked.post("/language", {"language": "en"})
    unlocked.post("/lock", {})
    # A new browser session (a fresh `hasteh up`) reads the language from the profile.
    from starlette.testclient import TestClient

    from .conftest import make_web

    with TestClient(make_web(unlocked.home), base_url=ORIGIN) as client:
        client.get(f"/launch?token={TOKEN}")
        page = client.get("/unlock").text
        assert 'lang="fa"' in page  # locked: nothing is known yet
        page = client.post("/unlock", data={"csrf": csrf_of(page), "passphrase": PASSPHRASE}).text
        assert 'lang="en" dir="ltr"' in page


def test_panic_destroys_the_profile_and_ends_the_session(unlocked: Web) -> None:
    page = unlocked.client.get("/panic").text
    assert 'value="yes"' in page
    response = unlocked.client.post("/panic", data={"csrf": csrf_of(page)})
    assert response.status_code == 400 and (unlocked.home / "hasteh.key").exists()
    response = unlocked.client.post("/panic", data={"csrf": csrf_of(page), "confirm": "yes"})
    assert response.status_code == 200
    assert "hasteh" not in response.text and "هسته" not in response.text
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert f"session_{PORT}=;" in response.headers["set-cookie"]
    assert not unlocked.home.exists()
    for path in ["/home", "/settings", "/setup", f"/launch?token={TOKEN}"]:
        after = unlocked.client.get(path)
        assert after.status_code == 403 and "hasteh" not in after.text


def test_panic_needs_no_unlock(unlocked: Web) -> None:
    unlocked.post("/lock", {})
    page = unlocked.client.get("/panic").text
    unlocked.client.post("/panic", data={"csrf": csrf_of(page), "confirm": "yes"})
    assert not unlocked.home.exists()


def test_pages_redirect_to_where_the_person_belongs(web: Web) -> None:
    web.launch()
    for path in ["/", "/home", "/settings", "/unlock"]:
        assert web.client.get(path, follow_redirects=False).headers["location"] == "/setup"
    web.create_profile()
    web.post("/lock", {})
    for path in ["/", "/home", "/settings", "/setup"]:
        assert web.client.get(path, follow_redirects=False).headers["location"] == "/unlock"


# ------------------------------------------------------------------------ translations

_MSGID = re.compile(r'(?<![A-Za-z0-9_])_\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
_SET = re.compile(r'\{%\s*set title, detail = "([^"]*)", "([^"]*)"\s*%\}')
_WEB = Path(__file__).resolve().parents[2] / "src" / "hasteh" / "web"


def web_msgids() -> set[str]:
    found: set[str] = set()
    for path in [*TEMPLATES.rglob("*.html"), *_WEB.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        found |= set(_MSGID.findall(text))
        for title, detail in _SET.findall(text):
            found |= {title, detail}
    found |= set(
        re.findall(
            r'ui\.gettext\(\s*"((?:[^"\\]|\\.)*)"\s*\)',
            "".join(p.read_text(encoding="utf-8") for p in _WEB.rglob("*.py")),
        )
    )
    return found | table_msgids()


def table_msgids() -> set[str]:
    """Messages the views keep in tables (notices, kinds, positions, next steps)."""
    from hasteh.web import next_steps
    from hasteh.web.views import common, courier, decision, fund, join

    found = {*common.NOTICES.values(), *common.KIND_NAMES.values(), *join.NOTICES.values()}
    found |= set(courier.COURIER_NOTICES.values())
    found |= set(fund.FUND_NOTICES.values()) | {name for _, name in fund.SHOWN}
    found |= {s.text for table in next_steps.WEB_NEXT_STEPS.values() for s in table.values()}
    found |= {label for choices in decision.POSITIONS.values() for _, label in choices}
    from hasteh.web.views import delegates

    found |= set(delegates.DELEGATE_NOTICES.values())
    return found


def test_every_web_string_is_translated() -> None:
    msgids = web_msgids()
    assert len(msgids) > 60
    fa = translations("fa")
    missing = sorted(m for m in msgids if fa.gettext(m) == m)
    assert missing == []


def test_translations_keep_placeholders() -> None:
    fa = translations("fa")
    for msgid in web_msgids():
        assert set(re.findall(r"\{\w+\}", fa.gettext(msgid))) == set(
            re.findall(r"\{\w+\}", msgid)
        ), msgid
