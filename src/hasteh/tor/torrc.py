"""The torrc hasteh writes for its own `tor`: a client (and onion host) on loopback only.

Everything is explicit, nothing is read from `/etc/tor`: tor is started with
`-f <this file> --defaults-torrc <defaults>`, where `defaults` is `/dev/null` except in the
test suite's private Tor network (tests/tor), which passes its directory authorities there.

- `SocksPort auto` and `ControlPort auto` on 127.0.0.1, the control port written to a
  file in the data folder, cookie authentication (only this user can read the cookie);
- `__OwningControllerProcess`: tor exits by itself if hasteh dies, never lingers;
- `AvoidDiskWrites 1`: the folder is shredded on stop, panic and duress anyway;
- with bridges: `UseBridges 1`, one `Bridge` line each, and a `ClientTransportPlugin`
  line for each transport the bridges use (Debian's obfs4proxy, snowflake-client).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from hasteh.tor.bridges import Bridge
from hasteh.tor.errors import TorMissing

#: The Debian program that carries each transport (obfs4proxy is `lyrebird` upstream, but
#: Debian 12 ships it under its old name).
TRANSPORT_PROGRAMS = {"obfs4": "obfs4proxy", "snowflake": "snowflake-client"}
CONTROL_PORT_FILE = "control-port"
NOTICE_LOG = "notice.log"


@dataclass(frozen=True, slots=True)
class TorConfig:
    """What hasteh's tor is told. `owner` is the pid tor watches (hasteh's own)."""

    data_dir: Path
    owner: int
    bridges: tuple[Bridge, ...] = ()


def find_program(name: str) -> str:
    """The absolute path of `name` on PATH (or /usr/sbin, where Debian puts tor), or
    `TorMissing`."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise TorMissing(name)
    return found


def render(config: TorConfig) -> str:
    """The torrc text for `config` (every path absolute; transports resolved now)."""
    data = config.data_dir
    lines = [
        f"DataDirectory {data}",
        "SocksPort 127.0.0.1:auto",
        "ControlPort 127.0.0.1:auto",
        f"ControlPortWriteToFile {data / CONTROL_PORT_FILE}",
        "CookieAuthentication 1",
        f"__OwningControllerProcess {config.owner}",
        "ClientOnly 1",
        "AvoidDiskWrites 1",
        f"Log notice file {data / NOTICE_LOG}",
        "SafeLogging 1",
    ]
    if config.bridges:
        lines.append("UseBridges 1")
        used = sorted({b.transport for b in config.bridges if b.transport})
        for transport in used:
            program = find_program(TRANSPORT_PROGRAMS[transport])
            lines.append(f"ClientTransportPlugin {transport} exec {program}")
        lines += [f"Bridge {b.line()}" for b in config.bridges]
    return "\n".join(lines) + "\n"
