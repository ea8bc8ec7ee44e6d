"""The drop box over the private Tor network: an outsider submits through the member's
own onion page (`hasteh up --drop-box`), the cell reads it through an onion relay and
replies, the outsider reads the reply with the codename; then a raw scan of the relay's
database, every log and every file of both profiles finds no plaintext."""

from __future__ import annotations

import io
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from hasteh import vault
from hasteh.tor.process import TorProcess
from hasteh.vault.keyfile import MIN_KDF
from tests.tor.helpers import HASTEH, PASS, Lines, OnionRelay, env_for, hasteh
from tests.tor.network import TorNetwork

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_CODENAME = re.compile(r'id="codename"><strong>([^<]+)</strong>')
TEXT = "گزارش از سالن رنگ: سه ماه حقوق معوقه و تهدید به اخراج"
REPLY = "ممنون؛ در شماره‌ی آینده چاپ می‌شود"
SECRET_IN_PHOTO = b"CAMERA-SERIAL-4471"


class UpDropBox:
    """`hasteh up --drop-box` for the profile in `home`, unlocked as a browser would."""

    def __init__(self, network: TorNetwork, home: Path, stderr: Path) -> None:
        self.err = stderr.open("w")
        self.proc = subprocess.Popen(
            [
                *(HASTEH, "up", "--drop-box", "--no-browser", "--relay-port", "0"),
                *("--sync-every", "1", "--home", str(home)),
            ],
            stdout=subprocess.PIPE,
            stderr=self.err,
            env=env_for(network),
            text=True,
        )
        self.lines = Lines(self.proc)

    def unlock(self) -> str:
        link = self.lines.wait_for("/launch?token=", 60)
        origin = link.split("/launch", 1)[0]
        with httpx.Client(base_url=origin, follow_redirects=True, timeout=240) as web:
            web.get(link)
            csrf = _CSRF.search(web.get("/unlock").text)
            assert csrf is not None
            web.post("/unlock", data={"csrf": csrf.group(1), "passphrase": PASS})
        self.lines.wait_for("drop box's onion address", 240)
        return self.lines.wait_for(".onion", 30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.err.close()


def photo() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0xA431] = SECRET_IN_PHOTO.decode()  # BodySerialNumber
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def until(check, timeout: float = 240.0):  # type: ignore[no-untyped-def]
    """Poll `check` (an action with its own round trip) until it returns a truthy value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
    raise AssertionError("not reached in time")


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    a, b = tmp_path / "a", tmp_path / "b"
    for home in (a, b):
        vault.create(home, PASS, kdf=MIN_KDF)
    yield a, b


def test_drop_box_round_trip_over_tor(
    tor_network: TorNetwork,
    user_tor: TorProcess,
    onion_relay: OnionRelay,
    homes: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    a, b = homes
    for home in (a, b):
        hasteh(tor_network, home, "tor", "proxy", user_tor.socks_url)
    hasteh(tor_network, a, "cell", "create", "garage", "--as", "kaveh", "--relay", onion_relay.url)
    card_out = hasteh(
        tor_network,
        b,
        "card",
        "--as",
        "nasrin",
        "--relay",
        onion_relay.url,
        "--out",
        str(tmp_path / "b.png"),
    ).stdout
    card = next(line for line in card_out.splitlines() if line.startswith("HC1:"))
    hasteh(tor_network, a, "propose", "garage", card)
    hasteh(tor_network, a, "sync")
    assert "You joined garage" in hasteh(tor_network, b, "join").stdout
    slip = hasteh(tor_network, a, "drop", "code", "garage").stdout
    code = re.search(r"(\d{4} \d{4} \d{4})", slip)
    assert code is not None, slip
    assert "try again later" in slip

    up = UpDropBox(tor_network, a, tmp_path / "up.stderr")
    try:
        address = up.unlock()
        assert re.fullmatch(r"http://[a-z2-7]{56}\.onion", address)
        with httpx.Client(proxy=user_tor.socks_url, base_url=address, timeout=120) as outsider:
            page = outsider.get("/")
            assert page.status_code == 200 and "set-cookie" not in page.headers
            assert "garage" not in page.text and "kaveh" not in page.text
            sent = outsider.post(
                "/",
                data={"code": code.group(1), "text": TEXT},
                files=[("photos", ("IMG_0001.jpg", photo(), "image/jpeg"))],
            )
            assert sent.status_code == 200, sent.text
            found = _CODENAME.search(sent.text)
            assert found is not None
            codename = found.group(1)
            again = outsider.post("/", data={"code": code.group(1), "text": "x"})
            assert again.status_code == 400  # single-use

            def listed() -> str | None:
                hasteh(tor_network, b, "sync")
                out = hasteh(tor_network, b, "drop", "list", "garage").stdout
                return out if TEXT in out else None

            listing = until(listed)
            assert "1 photos" in listing
            ref = re.search(r"#([0-9a-f]{8})", listing)
            assert ref is not None
            hasteh(tor_network, b, "drop", "reply", "garage", ref.group(1), REPLY)
            hasteh(tor_network, b, "drop", "published", "garage", ref.group(1))
            hasteh(tor_network, b, "sync")

            def answered() -> str | None:
                status = outsider.post("/receipt", data={"codename": codename}).text
                return status if REPLY in status else None

            status = until(answered)
            assert "منتشر شد" in status  # «در نشریه منتشر شد»
    finally:
        up.stop()

    # Raw scan: the relay's database and files, the member's logs, both profiles' files.
    needles = [TEXT.encode(), REPLY.encode(), codename.encode(), SECRET_IN_PHOTO]
    needles += [code.group(1).replace(" ", "").encode(), code.group(1).encode()]
    relay_files = [p for p in Path(onion_relay_folder(onion_relay)).rglob("*") if p.is_file()]
    profile_files = [p for home in (a, b) for p in home.rglob("*") if p.is_file()]
    logs = [tmp_path / "up.stderr"]
    scanned = 0
    for path in [*relay_files, *profile_files, *logs]:
        data = path.read_bytes()
        scanned += 1
        for needle in needles:
            assert needle not in data, (path.name, needle[:12])
    assert scanned > 5 and relay_files
    stdout = "".join(up.lines.seen).encode()
    for needle in needles:
        assert needle not in stdout


def onion_relay_folder(relay: OnionRelay) -> str:
    """The folder of the session's onion relay (its command line names its database)."""
    args = relay.proc.args
    assert isinstance(args, list)
    db = next(str(arg) for arg in args if str(arg).startswith("sqlite:///"))
    return str(Path(db.removeprefix("sqlite://")).parent)
