"""The Tor section of the settings page: hasteh's own tor on or off, pasted bridge lines
(validated, with precise Persian errors; a refused paste changes nothing), and the state
of hasteh's tor."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh import vault
from hasteh.tor.errors import TorFailed, TorMissing
from hasteh.tor.runtime import TorStatus
from hasteh.transport import tor_settings
from hasteh.web.i18n import Ui
from hasteh.web.views.settings import tor_status_text

from .conftest import FAST, ORIGIN, PASSPHRASE, Web, make_web

FP = "A" * 40
OBFS4 = f"obfs4 192.0.2.7:443 {FP} cert=abcdef iat-mode=0"


def _settings(**values: str) -> dict[str, str]:
    return {"relays": "", "proxy": "", "chat_expiry_days": "14", "language": "fa", **values}


def _stored(web: Web) -> tuple[bool, str]:
    web.post("/lock", {})
    with vault.opened(web.home, PASSPHRASE, min_kdf=FAST) as v:
        stored = v.read(lambda c: (tor_settings.own_tor(c), tor_settings.bridges_text(c)))
    web.post("/unlock", {"passphrase": PASSPHRASE})
    return stored


def test_the_section_shows_the_choice_the_bridges_and_the_state(unlocked: Web) -> None:
    page = unlocked.client.get("/settings").text
    assert 'name="own_tor"' in page and 'name="bridges"' in page
    assert "تور خود هسته الان اجرا نمی‌شود." in page  # no tor runs in this process


def test_own_tor_and_bridges_are_saved_in_the_vault(unlocked: Web) -> None:
    page = unlocked.post("/settings", _settings(own_tor="on", bridges=f"# friend\n{OBFS4}\n"))
    assert "ذخیره شد" in page
    assert "checked" in page.split('name="own_tor"', 1)[1].split(">", 1)[0]
    assert OBFS4 in page
    assert _stored(unlocked) == (True, OBFS4)
    unlocked.post("/settings", _settings(bridges=""))
    assert _stored(unlocked) == (False, "")


def test_a_bad_bridge_line_is_refused_in_persian_and_nothing_changes(unlocked: Web) -> None:
    unlocked.post("/settings", _settings(own_tor="on", bridges=OBFS4))
    page = unlocked.post(
        "/settings", _settings(bridges=f"{OBFS4}\nobfs4 192.0.2.8:443 {FP} iat-mode=0")
    )
    assert 'role="alert"' in page
    assert "خط پل ۲: پل obfs4 گزینه‌های cert= و iat-mode= را لازم دارد." in page
    assert _stored(unlocked) == (True, OBFS4)


def test_a_torrc_option_cannot_be_smuggled_in_as_a_bridge(unlocked: Web) -> None:
    page = unlocked.post("/settings", _settings(bridges=f"{OBFS4}\nControlPort 0.0.0.0:9051"))
    assert "خط پل ۲: این نوع پل پشتیبانی نمی‌شود" in page
    assert _stored(unlocked) == (False, "")


class _Tor:
    """Stands in for hasteh's running tor (`SharedTor`): only its status is read."""

    def __init__(self, status: TorStatus) -> None:
        self.status = status


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (TorStatus("starting", 40), "در حال وصل شدن به تور: ۴۰٪"),
        (TorStatus("ready", 100), "تور به شبکه وصل شد."),
        (TorStatus("failed", 10, TorFailed("transport")), "برنامهٔ پل نتوانست اجرا شود"),
        (TorStatus("failed", 0, TorMissing("tor")), "برنامهٔ tor نصب نیست."),
    ],
)
def test_the_section_shows_tors_state_in_persian(
    tmp_path: Path, status: TorStatus, shown: str
) -> None:
    app = make_web(tmp_path / "profile")
    with TestClient(app, base_url=ORIGIN) as client:
        web = Web(app, client, tmp_path / "profile")
        web.launch()
        web.create_profile()
        app.state.web.tor = _Tor(status)  # type: ignore[attr-defined]
        assert shown in web.client.get("/settings").text


def test_tors_state_follows_the_page_language() -> None:
    failed = TorStatus("failed", 10, TorFailed("timeout"))
    assert tor_status_text(Ui("en"), failed) == "Tor could not reach the network in time."
    assert tor_status_text(Ui("fa"), failed) == "تور به‌موقع به شبکه وصل نشد."


class _RunningTor(_Tor):
    def __init__(self, home: Path) -> None:
        super().__init__(TorStatus("ready", 100))
        self.home = home
        self.stopped_with_profile: list[bool] = []

    def stop(self) -> None:
        # Stopped before the profile is shredded: tor must not write into it meanwhile.
        self.stopped_with_profile.append((self.home / "hasteh.key").exists())


def test_panic_stops_hasteh_tor_before_shredding(tmp_path: Path) -> None:
    home = tmp_path / "profile"
    app = make_web(home)
    with TestClient(app, base_url=ORIGIN) as client:
        web = Web(app, client, home)
        web.launch()
        web.create_profile()
        tor = _RunningTor(home)
        app.state.web.tor = tor  # type: ignore[attr-defined]
        web.post("/panic", {"confirm": "yes"}, page="/panic")
    assert tor.stopped_with_profile == [True]
    assert not (home / "hasteh.key").exists()
