"""A tiny org.freedesktop.Notifications service for tests: run under `dbus-run-session`,
it prints the session bus address and ``ready`` once it owns the name, then records
every Notify call (its eight arguments) as one JSON line in the file given, and answers
like a real service. Usage: dbus-run-session -- python -m tests.web.notification_service OUT
"""

from __future__ import annotations

import json
import os
import sys

from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

NAME = "org.freedesktop.Notifications"


def main(out: str) -> None:
    with open_dbus_connection(bus="SESSION") as conn:
        Proxy(message_bus, conn).RequestName(NAME, 4)  # 4: do not queue
        print(os.environ["DBUS_SESSION_BUS_ADDRESS"], flush=True)
        print("ready", flush=True)
        ids = 0
        while True:
            msg = conn.receive()
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            if member == "Notify":
                ids += 1
                app, replaces, icon, title, body, actions, hints, timeout = msg.body
                record = {
                    "app": app,
                    "replaces": replaces,
                    "timeout": timeout,
                    "icon": icon,
                    "title": title,
                    "body": body,
                    "actions": list(actions),
                    "hints": sorted(hints),
                }
                with open(out, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
                conn.send(new_method_return(msg, "u", (ids,)))
            elif member == "GetCapabilities":
                conn.send(new_method_return(msg, "as", (["body"],)))


if __name__ == "__main__":
    main(sys.argv[1])
