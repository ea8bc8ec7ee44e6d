"""Several relays per cell (issue 13, "Reach"), with two real relay processes on 127.0.0.1.

Each relay is stopped mid-conversation in turn, the ordering one included: nothing is
lost, nothing is shown twice, a membership change waits while the ordering relay is down
(and members are told why) and completes once it is back. The list and the ordering
relay change by decision; an informer's motion that empties the list or points at junk
is refused by every member; a relay that lies about its stamps is noticed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hasteh import org
from hasteh.app import Workspace, admission, cards, cells, decisions, sync, talk
from hasteh.app.cell_relays import ordering_relay
from hasteh.app.errors import BadInput
from hasteh.app.relay_status import contacts, is_down
from hasteh.org import ChangeSettings, DecisionOpened
from tests.app import rogue
from tests.app.conftest import Clock
from tests.app.helpers import CELL, NAMES, assert_same_words, settle_relay
from tests.relay.harness import RelayProcess

DAY = 86_400


class Relays:
    """Two relay processes that can be stopped and started again on the same port and
    database (what a member sees of a relay that goes down and comes back)."""

    def __init__(self, tmp: Path, clock_files: list[Path]) -> None:
        self.dbs = [f"sqlite:///{tmp / f'relay{i}.sqlite3'}" for i in range(2)]
        self.clock_files = clock_files
        self.procs = [self._start(i) for i in range(2)]
        self.urls = [p.url for p in self.procs]

    def _start(self, i: int, port: int | None = None) -> RelayProcess:
        return RelayProcess(
            self.dbs[i], port=port, extra=["--rate", "100000"], clock_file=self.clock_files[i]
        ).start()

    def stop(self, i: int) -> None:
        self.procs[i].kill()

    def start(self, i: int) -> None:
        self.procs[i] = self._start(i, self.procs[i].port)

    def close(self) -> None:
        for p in self.procs:
            p.kill()


@pytest.fixture
def relays(tmp_path: Path, relay_clock_file: Path) -> Iterator[Relays]:
    pair = Relays(tmp_path, [relay_clock_file, relay_clock_file])
    try:
        yield pair
    finally:
        pair.close()


def form(
    make_ws: Callable[[str], Workspace], urls: list[str], n: int = 3, profile: str = ""
) -> list[Workspace]:
    """A cell of `n` on every relay of `urls` (the first orders), formed by cards."""
    founder = make_ws(profile + NAMES[0])
    cells.create_cell(founder, CELL, cover_name=NAMES[0], relays=urls)
    members = [founder]
    for i in range(1, n):
        members.append(admit(make_ws, members, urls, NAMES[i], profile))
    return members


def admit(
    make_ws: Callable[[str], Workspace],
    members: list[Workspace],
    urls: list[str],
    name: str,
    profile: str = "",
) -> Workspace:
    newcomer = make_ws(profile + name)
    code = cards.create_card(newcomer, name, relays=urls)
    admission.propose(members[0], CELL, code)
    settle_relay(members)
    for m in members[1:]:
        if m is members[1]:
            admission.vouch(m, CELL, name)
        else:
            admission.approve(m, CELL, name)
    settle_relay([*members, newcomer])
    settle_relay([*members, newcomer])
    return newcomer


def texts(ws: Workspace) -> list[str]:
    return sorted(m.text for m in talk.read(ws, CELL))


def names(ws: Workspace) -> list[str]:
    return [v.cover_name for v in cells.members(ws, CELL)]


def notices(ws: Workspace) -> list[str]:
    return [a.code for a in sync.alarms(ws, CELL)]


def test_each_relay_stopped_in_turn_loses_nothing_and_shows_nothing_twice(make_ws, relays):
    a, b, c = form(make_ws, relays.urls)
    assert cells.find_cell(a, CELL).org.settings.relays == tuple(relays.urls)
    talk.say(a, CELL, "one")
    settle_relay([a, b, c])
    relays.stop(1)  # the second relay goes down mid-conversation
    talk.say(b, CELL, "two")
    talk.say(c, CELL, "three")
    settle_relay([a, b, c])
    for m in (a, b, c):
        assert texts(m) == ["one", "three", "two"]
        seen = m.vault.read(contacts)
        assert is_down(seen[relays.urls[1]]) and not is_down(seen[relays.urls[0]])
    assert not sync.sync(a).ordering_down  # the second relay does not order
    relays.start(1)
    relays.stop(0)  # now the ordering relay: messages go on through the other one
    assert sync.sync(a).ordering_down == {CELL}
    talk.say(a, CELL, "four")
    talk.say(b, CELL, "five")
    settle_relay([a, b, c])
    for m in (a, b, c):
        assert texts(m) == ["five", "four", "one", "three", "two"]
        assert is_down(m.vault.read(contacts)[relays.urls[0]])
    relays.start(0)
    talk.say(c, CELL, "six")
    settle_relay([a, b, c])
    settle_relay([a, b, c])
    for m in (a, b, c):
        # Every message exactly once, though most came from both relays.
        assert texts(m) == ["five", "four", "one", "six", "three", "two"]
        assert not any(is_down(x) for x in m.vault.read(contacts).values())
        assert "membership-waits" not in notices(m)
    assert_same_words([a, b, c])


def test_a_membership_change_waits_for_the_ordering_relay(make_ws, relays):
    a, b, c = form(make_ws, relays.urls)
    relays.stop(0)
    newcomer = make_ws(NAMES[3])
    code = cards.create_card(newcomer, NAMES[3], relays=relays.urls)
    admission.propose(a, CELL, code)
    settle_relay([a, b, c])
    admission.vouch(b, CELL, NAMES[3])
    admission.approve(c, CELL, NAMES[3])
    settle_relay([a, b, c, newcomer])
    # Approved through the second relay, but the Add waits for the ordering relay.
    for m in (a, b, c):
        assert cells.find_cell(m, CELL).org.proposals  # the approvals arrived
        assert names(m) == list(NAMES[:3])
    assert "membership-waits" in notices(a)
    assert "wait until it answers again" in next(
        x.text for x in sync.alarms(a, CELL) if x.code == "membership-waits"
    )
    assert not cells.list_cells(newcomer)
    relays.start(0)
    for _ in range(3):
        settle_relay([a, b, c, newcomer])
    for m in (a, b, c, newcomer):
        assert names(m) == list(NAMES[:4])
    assert_same_words([a, b, c, newcomer])


def test_a_commit_seen_first_on_another_relay_waits_for_the_order(make_ws, relays):
    """The ordering relay goes down after the commit reached both relays: the members who
    read it from the other relay do not apply it until the ordering relay shows it."""
    a, b, c = form(make_ws, relays.urls)
    newcomer = make_ws(NAMES[3])
    code = cards.create_card(newcomer, NAMES[3], relays=relays.urls)
    admission.propose(a, CELL, code)
    settle_relay([a, b, c])
    admission.vouch(b, CELL, NAMES[3])
    admission.approve(c, CELL, NAMES[3])
    settle_relay([b, c])
    sync.sync(a)  # a stages and posts the Add to both relays, reads it back: merged
    assert names(a) == list(NAMES[:4])
    relays.stop(0)
    sync.sync(b)
    sync.sync(c)
    for m in (b, c):
        assert names(m) == list(NAMES[:3])  # seen on the second relay only: it waits
        assert cells.find_cell(m, CELL).record.deferred
        assert "membership-waits" in notices(m)
    talk.say(b, CELL, "still talking")
    settle_relay([a, b, c])
    assert "still talking" in texts(a)
    relays.start(0)
    for _ in range(2):
        settle_relay([a, b, c, newcomer])
    for m in (a, b, c, newcomer):
        assert names(m) == list(NAMES[:4])
        assert not cells.find_cell(m, CELL).record.deferred
    assert_same_words([a, b, c, newcomer])


def adopt(members: list[Workspace], opened: object, clock: Clock) -> None:
    settle_relay(members)
    number = str(opened.number)  # type: ignore[attr-defined]
    for m in members:
        decisions.vote(m, CELL, number, position="agree")
    settle_relay(members)
    decisions.close(members[1], CELL, number)
    settle_relay(members)
    settle_relay(members)


def test_the_relay_list_and_the_ordering_relay_change_by_decision(make_ws, relays, clock):
    first, second = relays.urls
    a, b, c = form(make_ws, [first])
    opened = decisions.change_settings(a, CELL, deadline=a.now() + 2 * DAY, relays=[second, first])
    adopt([a, b, c], opened, clock)
    for m in (a, b, c):
        rt = cells.find_cell(m, CELL)
        assert rt.org.settings.relays == (second, first)
        assert ordering_relay(rt.record) == second
    # The new ordering relay carries the cell on its own.
    relays.stop(0)
    talk.say(c, CELL, "on the new relay")
    settle_relay([a, b, c])
    for m in (a, b, c):
        assert "on the new relay" in texts(m)
    # ... including its membership: a newcomer comes in through it alone.
    newcomer = admit(make_ws, [a, b, c], [second], NAMES[3])
    for m in (a, b, c, newcomer):
        assert names(m) == list(NAMES[:4])
    assert_same_words([a, b, c, newcomer])


def test_a_settings_motion_without_relays_keeps_them(make_ws, relays, clock):
    a, b, c = form(make_ws, relays.urls)
    opened = decisions.change_settings(a, CELL, deadline=a.now() + 2 * DAY, cap=6)
    adopt([a, b, c], opened, clock)
    for m in (a, b, c):
        settings = cells.find_cell(m, CELL).org.settings
        assert settings.size_cap == 6 and settings.relays == tuple(relays.urls)


@pytest.mark.parametrize(
    ("typed", "reason", "words"),
    [
        ([], "no-relays", "at least one relay"),
        (["   "], "no-relays", "at least one relay"),
        (["javascript:alert(1)"], "bad-relay", "must start with http://"),
        (["http://spy:secret@relay.example"], "bad-relay", "no password"),
        (["http://a.onion", "http://a.onion/"], "relay-twice", "listed twice"),
        ([f"http://r{i}.example" for i in range(9)], "too-many-relays", "at most 8"),
    ],
)
def test_a_bad_relay_list_is_refused_before_anything_is_sent(make_ws, relays, typed, reason, words):
    a, _b, _c = form(make_ws, relays.urls)
    before = cells.find_cell(a, CELL).org
    with pytest.raises(BadInput) as refused:
        decisions.change_settings(a, CELL, deadline=a.now() + 2 * DAY, relays=typed)
    assert refused.value.reason == reason
    assert words in str(refused.value)
    assert "secret" not in str(refused.value)
    assert cells.find_cell(a, CELL).org == before


@pytest.mark.parametrize(
    "junk", [(), ("ftp://relay.example",), ("http://127.0.0.1:1/",), ("http://x y",)]
)
def test_an_informers_motion_that_cuts_the_cell_off_is_refused_by_every_member(
    make_ws, relays, junk
):
    """The informer skips its own client's checks and sends the motion as it likes."""
    a, b, c = form(make_ws, relays.urls)
    motion = ChangeSettings(org.CellSettings(relays=junk))
    rogue.send(
        b, rogue.envelope(b, DecisionOpened("consent", "move?", b.now() + 2 * DAY, motion=motion))
    )
    settle_relay([a, b, c])
    for m in (a, c):
        assert not cells.find_cell(m, CELL).org.decisions
        assert cells.find_cell(m, CELL).record.relays == relays.urls


def test_a_relay_stamping_ahead_is_noticed_only_when_it_orders(make_ws, tmp_path, clock):
    """The second relay's clock runs two days ahead: as a plain relay its stamps count
    for nothing; once it orders the cell, the members are told."""
    liar_clock = tmp_path / "liar-clock"
    liar_clock.write_text(repr(clock() + 2 * DAY))
    pair = Relays(tmp_path, [clock.file, liar_clock])  # type: ignore[list-item]
    try:
        a, b, c = form(make_ws, pair.urls)
        talk.say(a, CELL, "hello")
        settle_relay([a, b, c])
        for m in (a, b, c):
            assert "relay-clock-ahead" not in notices(m)
            assert cells.find_cell(m, CELL).record.log_time <= m.now() + 300
        second = pair.urls[1]
        d, e, f = form(make_ws, [second, pair.urls[0]], profile="other-")  # the liar orders
        talk.say(d, CELL, "hello")
        settle_relay([d, e, f])
        assert "relay-clock-ahead" in notices(e)
    finally:
        pair.close()
