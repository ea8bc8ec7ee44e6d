"""Urgent calls (issue 15): `hasteh up` raises a desktop notification when a call for a
spontaneous action arrives, and it says nothing a glance or a screenshot could use.

    seen = alerts.urgent_ids(ws)          # before a sync
    ...sync...
    alerts.announce(ws, seen, notifier)   # after: notifies once if a new call came

The notification (org.freedesktop.Notifications.Notify, over the session D-Bus with
`jeepney`) never carries content: the body is empty, no cell name, no code name, no app
name, no icon. With the discreet setting on (`records.discreet`, the default) the title is
a neutral word that does not say a call came; off, it says "Urgent call" and nothing else.
A computer with no session bus or no notification service gets nothing, silently: the
call still shows on the cell's pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from hasteh.app import records
from hasteh.app.cells import all_cells
from hasteh.i18n import _

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["NEUTRAL_TITLE", "URGENT_TITLE", "Notifier", "announce", "desktop", "urgent_ids"]

#: Shown when discreet: an everyday word that names no app and no call (a msgid).
NEUTRAL_TITLE: Final = "Reminder"
#: Shown when not discreet: still no content (a msgid).
URGENT_TITLE: Final = "Urgent call"
#: ``notifier(title)``: raise a notification with this title and nothing else.
Notifier = Callable[[str], None]

_PATH: Final = "/org/freedesktop/Notifications"
_NAME: Final = "org.freedesktop.Notifications"


def desktop(bus: str = "SESSION") -> Notifier:
    """A notifier on the session D-Bus (or the bus at address `bus`). Failures (no bus,
    no service) are swallowed: a notification is a courtesy, never a reason to stop."""

    def notify(title: str) -> None:
        from jeepney import DBusAddress, DBusErrorResponse, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        address = DBusAddress(_PATH, bus_name=_NAME, interface=_NAME)
        # Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, timeout)
        call = new_method_call(
            address, "Notify", "susssasa{sv}i", ("", 0, "", title, "", [], {}, -1)
        )
        try:
            with open_dbus_connection(bus=bus) as conn:
                conn.send_and_get_reply(call, timeout=5)
        except (OSError, TimeoutError, KeyError, ValueError, DBusErrorResponse):
            return  # no session bus, or no notification service: nothing to do

    return notify


def urgent_ids(ws: Workspace) -> frozenset[bytes]:
    """The ids of urgent calls other members made, in every cell of this profile."""
    found: set[bytes] = set()
    for rt in all_cells(ws):
        if rt.group is None:
            continue
        me = rt.own_leaf
        found.update(
            a.action_id for a in rt.org.actions.values() if a.urgent and a.planned_by != me
        )
    return frozenset(found)


def announce(ws: Workspace, seen: frozenset[bytes], notifier: Notifier) -> bool:
    """Notify once if an urgent call arrived since `seen` was taken; True if it did."""
    if not urgent_ids(ws) - seen:
        return False
    discreet = ws.vault.read(records.discreet)
    notifier(_(NEUTRAL_TITLE) if discreet else _(URGENT_TITLE))
    return True
