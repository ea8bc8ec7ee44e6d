"""An urgent call raises a desktop notification from the `hasteh up` process (its
background sync), through a real session bus (`dbus-run-session`) to a test notification
service that records the call: the body is empty, no cell name, no code name, no app name;
with the discreet setting on (the default) the title is only the neutral word."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hasteh.app import actions, alerts, records
from hasteh.app.profile import Workspace
from hasteh.web.background import BackgroundSync, Pace

from .test_cells import FA, Person, form_cell, people, relay

__all__ = ["people", "relay"]

ROOT = Path(__file__).resolve().parents[2]
CODE_NAME = "Oven-2-CODENAME"
NOTE = "NOTE-MARKER-at-the-gate"


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A session bus of its own, with the recording notification service on it."""
    out = tmp_path / "notifications.jsonl"
    proc = subprocess.Popen(
        [
            "dbus-run-session",
            "--",
            sys.executable,
            "-m",
            "tests.web.notification_service",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    assert proc.stdout.readline().strip() == "ready"
    try:
        yield address, out
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def recorded(out: Path) -> list[dict[str, object]]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_an_urgent_call_notifies_without_content(
    people: Callable[[str], Person], bus: tuple[str, Path]
) -> None:
    address, out = bus
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    ref = cell.rsplit("/", 1)[1]
    background = BackgroundSync(b.state(), Pace(), notifier=alerts.desktop(address))
    sender = BackgroundSync(a.state(), Pace(), notifier=alerts.desktop(address))

    # An ordinary action arrives: no notification.
    def plan(urgent: bool) -> Callable[[Workspace], object]:
        def run(ws: Workspace) -> object:
            date = ws.now() + 3_600
            return actions.plan(
                ws, ref, kind="strike", code_name=CODE_NAME, date=date, note=NOTE, urgent=urgent
            )

        return run

    a.app_read(plan(False))
    assert sender.turn() is True
    assert background.turn() is True
    assert recorded(out) == []

    # An urgent call arrives: one notification, the neutral title, nothing else.
    a.app_read(plan(True))
    assert sender.turn() is True
    assert recorded(out) == []  # the caller's own device is not notified
    assert background.turn() is True
    (call,) = recorded(out)
    assert call == {
        "app": "",
        "replaces": 0,
        "timeout": -1,
        "icon": "",
        "title": FA.gettext(alerts.NEUTRAL_TITLE),
        "body": "",
        "actions": [],
        "hints": [],
    }
    text = json.dumps(call, ensure_ascii=False)
    for secret in (CODE_NAME, NOTE, "hasteh", "نانوایی", FA.gettext(alerts.URGENT_TITLE)):
        assert secret not in text

    # A second round with nothing new: no second notification.
    assert background.turn() is True
    assert len(recorded(out)) == 1

    # Discreet off: the title says "urgent call", still no content.
    b.app_read(lambda ws: ws.vault.write(lambda conn: records.set_discreet(conn, False)))
    a.app_read(plan(True))
    sender.turn()
    background.turn()
    last = recorded(out)[-1]
    assert last["title"] == FA.gettext(alerts.URGENT_TITLE) and last["body"] == ""
    assert CODE_NAME not in json.dumps(last, ensure_ascii=False)


def test_no_bus_is_silent(tmp_path: Path) -> None:
    """Without a session bus (or without a service on it) nothing fails."""
    alerts.desktop(f"unix:path={tmp_path}/no-such-bus")("x")
