"""hasteh's own tor: the torrc it writes, an obfs4 bridge inside the private network carrying
a client's traffic, and snowflake (whose broker cannot run here): its torrc, the launch of
snowflake-client, and a clear failure message."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hasteh.cli.options import step_text
from hasteh.i18n import translations
from hasteh.tor import torrc
from hasteh.tor.bridges import parse_bridges
from hasteh.tor.errors import TorFailed, TorMissing
from hasteh.tor.process import TorProcess
from hasteh.tor.torrc import TorConfig, render
from tests.tor.helpers import OnionRelay
from tests.tor.network import TorNetwork

FP = "2B280B23E1107BB62ABFC40DDCC8824814F80A72"
SNOWFLAKE = f"snowflake 192.0.2.3:80 {FP} fingerprint={FP} url=https://snowflake-broker.example/"


def children(pid: int) -> list[str]:
    """The program names of the processes whose parent is `pid`."""
    names = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if int(rest.split()[1]) == pid:
            names.append(name)
    return names


@pytest.fixture
def folder() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="hasteh-tortest-"))
    yield base / "tor"
    assert not (base / "tor").exists()  # removed on stop, whatever happened
    base.rmdir()


def test_torrc_without_bridges_is_a_loopback_client(tmp_path: Path) -> None:
    text = render(TorConfig(tmp_path, 1234))
    assert "SocksPort 127.0.0.1:auto" in text and "ControlPort 127.0.0.1:auto" in text
    assert "CookieAuthentication 1" in text and "__OwningControllerProcess 1234" in text
    assert "UseBridges" not in text and "ClientTransportPlugin" not in text
    assert "0.0.0.0" not in text


def test_torrc_with_bridges_launches_debian_transports(tmp_path: Path) -> None:
    obfs4 = f"obfs4 192.0.2.7:443 {FP} cert=abc iat-mode=1"
    text = render(TorConfig(tmp_path, 1, parse_bridges(f"{obfs4}\n{SNOWFLAKE}\n192.0.2.9:9001")))
    lines = text.splitlines()
    assert "UseBridges 1" in lines
    assert "ClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy" in lines
    assert "ClientTransportPlugin snowflake exec /usr/bin/snowflake-client" in lines
    assert f"Bridge {obfs4}" in lines and "Bridge 192.0.2.9:9001" in lines
    (snowflake,) = [line for line in lines if line.startswith("Bridge snowflake")]
    assert "ampcache=https://cdn.ampproject.org/" in snowflake
    assert "front=www.google.com" in snowflake


def test_a_missing_transport_program_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = torrc.shutil.which
    monkeypatch.setattr(
        torrc.shutil,
        "which",
        lambda name, **kw: None if name == "snowflake-client" else real(name, **kw),
    )
    with pytest.raises(TorMissing) as caught:
        render(TorConfig(tmp_path, 1, parse_bridges(SNOWFLAKE)))
    assert caught.value.program == "snowflake-client"
    assert "apt install snowflake-client" in step_text(caught.value)


@pytest.fixture(scope="module")
def obfs4_line(tor_network: TorNetwork) -> str:
    _node, line = tor_network.start_obfs4_bridge()
    return line


def test_an_obfs4_bridge_carries_the_client(
    tor_network: TorNetwork, obfs4_line: str, onion_relay: OnionRelay, folder: Path
) -> None:
    bridges = parse_bridges(obfs4_line)
    seen: list[int] = []
    with TorProcess.start(
        folder,
        bridges=bridges,
        defaults=tor_network.defaults_file,
        progress=lambda p, _t: seen.append(p),
        timeout=120,
    ) as tor:
        assert seen[-1] == 100 and seen == sorted(seen)
        assert "obfs4proxy" in children(tor.pid)
        guards = tor.controller.get_info("entry-guards")
        assert bridges[0].fingerprint in guards.upper()
        # The client's traffic to the onion relay goes through the bridge.
        answer = httpx.get(f"{onion_relay.url}/healthz", proxy=tor.socks_url, timeout=120)
        assert answer.status_code == 200


def test_snowflake_is_launched_and_fails_with_a_clear_message(
    tor_network: TorNetwork, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HASTEH_LANG", "en")
    launched: list[bool] = []
    holder: dict[str, int] = {}

    def progress(_percent: int, _tag: str) -> None:
        pid = holder.get("pid")
        if pid is not None and "snowflake-clien" in children(pid):
            launched.append(True)

    real_popen = __import__("subprocess").Popen

    def spying_popen(*args: object, **kwargs: object) -> object:
        proc = real_popen(*args, **kwargs)
        holder["pid"] = proc.pid
        return proc

    monkeypatch.setattr("hasteh.tor.process.subprocess.Popen", spying_popen)
    with pytest.raises(TorFailed) as caught:
        TorProcess.start(
            folder,
            bridges=parse_bridges(SNOWFLAKE),
            defaults=tor_network.defaults_file,
            progress=progress,
            timeout=20,
        )
    assert launched, "snowflake-client was never started by tor"
    assert caught.value.why == "transport"
    assert str(caught.value) == "The bridge program could not start or reach its bridge."
    assert "snowflake" in step_text(caught.value)
    fa = translations("fa")
    assert fa.gettext(str(caught.value)) != str(caught.value)
    # tor and its transport are gone: nothing is left running.
    assert not os.path.exists(f"/proc/{holder['pid']}") or "snowflake-clien" not in children(
        holder["pid"]
    )
