"""The small parsers of hasteh's tor face hostile or broken text: tor's bootstrap status,
the control-port file tor writes, and a SOCKS address typed by the user. None may raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hasteh.cli.tor import valid_proxy
from hasteh.tor.process import _control_port, bootstrap_phase


def test_bootstrap_phase() -> None:
    status = 'NOTICE BOOTSTRAP PROGRESS=75 TAG=enough_dirinfo SUMMARY="Loaded enough"'
    assert bootstrap_phase(status) == (75, "enough_dirinfo")
    assert bootstrap_phase("garbage") == (0, "starting")
    assert bootstrap_phase("PROGRESS=900 TAG=done")[0] == 100


@given(st.text(max_size=300))
def test_bootstrap_phase_never_raises(status: str) -> None:
    percent, tag = bootstrap_phase(status)
    assert 0 <= percent <= 100 and tag


def test_control_port_file(tmp_path: Path) -> None:
    assert _control_port(tmp_path) is None  # not written yet
    (tmp_path / "control-port").write_text("PORT=127.0.0.1:9051\n")
    assert _control_port(tmp_path) == 9051
    (tmp_path / "control-port").write_text("PORT=0.0.0.0:9051\n")
    assert _control_port(tmp_path) is None  # only loopback is ever used


@given(st.binary(max_size=100))
def test_control_port_file_never_raises(content: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "control-port").write_bytes(content)
        port = _control_port(Path(folder))
        assert port is None or port >= 0


def test_proxy_addresses() -> None:
    assert valid_proxy("socks5h://127.0.0.1:9050")
    assert valid_proxy("socks5h://localhost:9150")
    for bad in [
        "socks5://127.0.0.1:9050",
        "socks5h://127.0.0.1",
        "http://127.0.0.1:8118",
        "socks5h://a b:1",
        "socks5h://x:99999",
        "socks5h://:9050",
        "",
    ]:
        assert not valid_proxy(bad), bad


@given(st.text(max_size=80))
def test_proxy_check_never_raises(text: str) -> None:
    if valid_proxy(text):
        assert text.startswith("socks5h://") and "\n" not in text
