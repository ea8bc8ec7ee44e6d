"""Pasted bridge lines: what is accepted, what is refused and why, and that no text a user
(or someone who gives them a "bridge line") pastes can crash hasteh or inject torrc lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.i18n import translations
from hasteh.tor.bridges import SNOWFLAKE_AMP_DEFAULTS, Bridge, parse_bridge, parse_bridges
from hasteh.tor.errors import BRIDGE_REASONS, BridgeLineInvalid

FP = "A" * 40
CERT = "ssH+9rP8dG2NLDN2XuFw63hIO/9MNNinLmxQDpVa+7kTOa9/m+tGWT1SmSYpQ9uTBGa6Hw"
OBFS4 = f"obfs4 192.0.2.7:443 {FP} cert={CERT} iat-mode=0"
SNOWFLAKE = (
    f"snowflake 192.0.2.3:80 {FP} fingerprint={FP} "
    "url=https://snowflake-broker.torproject.net/ ampcache=https://cdn.ampproject.org/ "
    "front=www.google.com"
)


def test_obfs4_line() -> None:
    bridge = parse_bridge("Bridge " + OBFS4)
    assert bridge == Bridge("obfs4", "192.0.2.7:443", FP, (("cert", CERT), ("iat-mode", "0")))
    assert bridge.line() == OBFS4


def test_plain_and_ipv6_lines() -> None:
    assert parse_bridge(f"192.0.2.1:9001 {FP.lower()}") == Bridge("", "192.0.2.1:9001", FP)
    assert parse_bridge("[2001:db8::1]:443").address == "[2001:db8::1]:443"


def test_snowflake_gets_the_amp_cache_rendezvous_defaults() -> None:
    bare = parse_bridge(f"snowflake 192.0.2.3:80 {FP} url=https://broker.example/")
    for name, value in SNOWFLAKE_AMP_DEFAULTS:
        assert bare.option(name) == value
    # What the user pasted wins over a default.
    mine = parse_bridge(SNOWFLAKE.replace("front=www.google.com", "front=cdn.example.net"))
    assert mine.option("front") == "cdn.example.net"
    assert mine.option("ampcache") == "https://cdn.ampproject.org/"


def test_several_lines_with_comments_and_blanks() -> None:
    text = f"# from a friend\n\n{OBFS4}\n  {SNOWFLAKE}  \n"
    assert [b.transport for b in parse_bridges(text)] == ["obfs4", "snowflake"]
    assert parse_bridges("") == ()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Bridge", "empty"),
        ("meek_lite 192.0.2.1:443 " + FP, "unknown_transport"),
        ("webtunnel 192.0.2.1:443 " + FP + " url=https://x", "unknown_transport"),
        ("obfs4", "bad_address"),
        ("obfs4 bridge.example.com:443 " + FP + " cert=x iat-mode=0", "bad_address"),
        ("192.0.2.1", "bad_address"),
        ("192.0.2.1:0", "bad_address"),
        ("192.0.2.1:70000", "bad_address"),
        ("[192.0.2.1]:443", "bad_address"),
        ("2001:db8::1:443", "bad_address"),
        ("192.0.2.1:443 ABCDEF", "bad_fingerprint"),
        ("192.0.2.1:443 " + FP + " cert=x", "bad_argument"),
        ("obfs4 192.0.2.1:443 " + FP + " cert", "bad_argument"),
        ("obfs4 192.0.2.1:443 " + FP + " cert=a cert=b iat-mode=0", "bad_argument"),
        ("obfs4 192.0.2.1:443 " + FP + " Cert=a iat-mode=0", "bad_argument"),
        ("obfs4 192.0.2.1:443 " + FP + " iat-mode=0", "missing_cert"),
        ("obfs4 192.0.2.1:443 " + FP + " cert=a iat-mode=9", "missing_cert"),
        ("obfs4 192.0.2.1:443 cert=a iat-mode=0", "missing_cert"),
        ("snowflake 192.0.2.3:80 " + FP, "missing_url"),
        ("x" * 3000, "too_long"),
        ("obfs4 192.0.2.1:443 " + FP + " cert=a\u200ciat-mode=0", "bad_argument"),
    ],
)
def test_refusals_name_the_reason(line: str, reason: str) -> None:
    with pytest.raises(BridgeLineInvalid) as caught:
        parse_bridge(line)
    assert caught.value.reason == reason


def test_a_bad_line_refuses_the_whole_paste_and_names_it() -> None:
    with pytest.raises(BridgeLineInvalid) as caught:
        parse_bridges(f"{OBFS4}\n# note\nobfs4 192.0.2.9:443 {FP}\n")
    assert caught.value.number == 3 and caught.value.reason == "missing_cert"
    assert "3" in str(caught.value)


def test_a_newline_cannot_smuggle_a_torrc_option() -> None:
    """Each line is a bridge of its own: "ControlPort 0.0.0.0:9051" is not a bridge."""
    with pytest.raises(BridgeLineInvalid) as caught:
        parse_bridges(f"{OBFS4}\nControlPort 0.0.0.0:9051")
    assert caught.value.reason == "unknown_transport"
    with pytest.raises(BridgeLineInvalid):
        parse_bridge(f"obfs4 192.0.2.1:443 {FP} cert=a iat-mode=0\rControlPort=1")


def test_messages_never_echo_the_line_and_are_translated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HASTEH_LANG", "en")
    fa = translations("fa")
    secret_looking = "obfs4 10.9.8.7:443 " + "B" * 40 + " iat-mode=0"
    with pytest.raises(BridgeLineInvalid) as caught:
        parse_bridge(secret_looking)
    assert "10.9.8.7" not in str(caught.value) and "B" * 40 not in str(caught.value)
    for reason in BRIDGE_REASONS:
        message = str(BridgeLineInvalid(reason))
        assert fa.gettext(message) != message, reason


_PRINTABLE = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
_TOKENS = st.lists(
    st.sampled_from(
        [
            "obfs4",
            "snowflake",
            "Bridge",
            "192.0.2.1:443",
            "[::1]:80",
            FP,
            "cert=x",
            "iat-mode=0",
            "url=https://b/",
            "=",
            "a=b",
            "\t",
            "#",
            ":",
        ]
    ),
    max_size=8,
).map(" ".join)


@given(st.one_of(_PRINTABLE, _TOKENS))
def test_any_text_is_bridges_or_a_precise_refusal(text: str) -> None:
    try:
        bridges = parse_bridges(text)
    except BridgeLineInvalid as exc:
        assert exc.reason in BRIDGE_REASONS
        return
    for bridge in bridges:
        line = bridge.line()
        assert "\n" not in line and "\r" not in line and line.isascii() and line.isprintable()
        assert parse_bridge(line) == bridge  # the saved form reads back the same
