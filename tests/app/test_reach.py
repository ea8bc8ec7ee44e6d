"""The transport ladder and the in-country relay (issue 13, "Reach"), with real relay
processes on 127.0.0.1: what each rung says when relays answer, when they do not, through
a proxy that is down, and how a cell keeps talking through a local relay it opted into
when its relay abroad is cut off."""

from __future__ import annotations

import pytest

from hasteh.app import cells, reach, sync, talk
from hasteh.app.errors import BadInput
from hasteh.app.records import RELAY_STATUS_KEY, set_proxy_url
from hasteh.app.relay_status import contacts, is_down
from hasteh.transport import tor_settings
from tests.app.helpers import CELL, NAMES, settle_relay
from tests.app.test_relays import Relays, form, notices, texts
from tests.relay.harness import free_port


@pytest.fixture
def relays(tmp_path, relay_clock_file):
    pair = Relays(tmp_path, [relay_clock_file, relay_clock_file])
    try:
        yield pair
    finally:
        pair.close()


def states(ladder: reach.Ladder) -> dict[str, str]:
    return {r.key: r.state for r in ladder.rungs}


def test_the_ladder_says_what_works_and_what_to_do(make_ws, relays) -> None:
    (a,) = form(make_ws, relays.urls[:1], n=1)
    found = reach.ladder(a)
    assert [r.key for r in found.rungs] == ["onion", "proxy", "local", "courier"]
    assert states(found) == {
        "onion": "not-set-up",  # hasteh's Tor is another piece of work: said plainly
        "proxy": "off",  # reached directly: works, with the warning
        "local": "off",
        "courier": "ready",
    }
    proxy = found.rungs[1]
    assert "internet provider can see" in proxy.detail
    assert "directly" in found.now
    relays.stop(0)
    found = reach.ladder(a)
    assert states(found)["proxy"] == "fails"
    assert "courier bundle" in found.now


def test_a_proxy_that_is_down_is_shown_as_failing(make_ws, relays) -> None:
    (a,) = form(make_ws, relays.urls[:1], n=1)
    a.vault.write(lambda conn: set_proxy_url(conn, f"http://127.0.0.1:{free_port()}"))
    found = reach.ladder(a)
    assert states(found)["proxy"] == "fails"
    assert states(found)["onion"] == "none"  # a Tor path is set, but no onion relay is used
    assert "proxy" in found.rungs[1].step


def test_the_in_country_relay_needs_the_warning_read(make_ws, relays) -> None:
    (a,) = form(make_ws, relays.urls[:1], n=1)
    with pytest.raises(BadInput) as refused:
        reach.opt_in_local(a, CELL, relays.urls[1], understood=False)
    assert refused.value.reason == "warning-not-accepted"
    assert "who talks with whom" in str(refused.value)
    assert cells.find_cell(a, CELL).record.local_relays == []
    with pytest.raises(BadInput) as bad:
        reach.opt_in_local(a, CELL, "http://spy:pw@10.0.0.1", understood=True)
    assert bad.value.reason == "bad-relay"
    with pytest.raises(BadInput) as used:
        reach.opt_in_local(a, CELL, relays.urls[0], understood=True)
    assert used.value.reason == "relay-in-use"
    assert cells.find_cell(a, CELL).record.local_relays == []


def test_a_cell_keeps_talking_through_a_local_relay_when_the_link_abroad_is_cut(
    make_ws, relays
) -> None:
    abroad, local = relays.urls
    a, b, c = form(make_ws, [abroad])
    for m in (a, b, c):
        reach.opt_in_local(m, CELL, local, understood=True)
        # Even with a proxy (which cannot reach the local network), it is reached directly.
        m.vault.write(lambda conn: set_proxy_url(conn, f"http://127.0.0.1:{free_port()}"))
        m.forget_cache()
        for url in (abroad, local):
            m.drop_client(url)
    relays.stop(0)  # the international link is cut
    talk.say(a, CELL, "through the local relay")
    settle_relay([a, b, c])
    for m in (b, c):
        assert "through the local relay" in texts(m)
    found = reach.ladder(b)
    assert states(found)["local"] == "works"
    assert states(found)["proxy"] == "fails"
    assert "local relay" in found.now
    rows = reach.relay_rows(b, CELL)
    assert [(r.url, r.ordering, r.local, r.down) for r in rows] == [
        (abroad, True, False, True),
        (local, False, True, False),
    ]
    assert rows[1].answered_at is not None
    assert "membership-waits" not in notices(b)  # nothing waits yet
    reach.opt_out_local(b, CELL, local)
    assert cells.find_cell(b, CELL).record.local_relays == []
    with pytest.raises(BadInput):
        reach.opt_out_local(b, CELL, local)
    assert NAMES[0] in [v.cover_name for v in cells.members(b, CELL)]


def test_a_damaged_relay_status_does_not_stop_the_sync(make_ws, relays) -> None:
    (a,) = form(make_ws, relays.urls[:1], n=1)
    sync.sync(a)
    assert relays.urls[0] in a.vault.read(contacts)
    a.vault.write(
        lambda conn: conn.execute(
            "UPDATE settings SET value = ? WHERE key = ?", ('"junk"', RELAY_STATUS_KEY)
        )
    )
    assert a.vault.read(contacts) == {}
    talk.say(a, CELL, "still works")
    report = sync.sync(a)
    assert report.sent == 1 and relays.urls[0] in report.answered
    assert not is_down(a.vault.read(contacts)[relays.urls[0]])


def test_the_ladder_reads_hasteh_s_own_tor_and_its_bridges(make_ws, relays) -> None:
    (a,) = form(make_ws, relays.urls[:1], n=1)
    a.vault.write(lambda conn: tor_settings.set_own_tor(conn, True))
    assert a.vault.read(reach.transport_settings) == reach.TransportSettings(own_tor=True)
    found = reach.ladder(a)
    # A Tor path exists now; no cell of this profile uses an onion relay yet.
    assert states(found)["onion"] == "none"
    assert "onion relay" in found.rungs[0].step
    onion = "http://" + "a" * 56 + ".onion"
    rung = reach._onion_rung(reach.TransportSettings(own_tor=True), [onion], lambda url: False)
    assert rung.state == "fails" and "add bridges" in rung.step
    assert "hasteh's own Tor, with 0 bridge(s)" in rung.detail
    with_bridges = reach.TransportSettings(own_tor=True, bridges=2)
    rung = reach._onion_rung(with_bridges, [onion], lambda url: False)
    assert "even with these bridges" in rung.step
    rung = reach._onion_rung(
        reach.TransportSettings(proxy="socks5h://127.0.0.1:9150"), [onion], lambda url: True
    )
    assert rung.state == "works" and "your own Tor" in rung.detail
