"""Onion services through tor's control port (ADD_ONION, tor's control-spec §3.27).

The service is ephemeral: tor keeps it only while hasteh's control connection is open and
never writes its key to disk (`Flags=Discard` is not used: the key comes from the caller).
The caller keeps the key — the profile's vault for `hasteh up --onion`, a 0600 key file
for a standalone `hasteh relay serve --onion` — so the address stays the same across
runs and nothing but that store holds it. A v3 address is 56 base32 characters + `.onion`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from hasteh.tor.errors import OnionFailed

#: An ADD_ONION key as tor prints it: "ED25519-V3:" and 64 bytes in base64 (88 characters).
_KEY = re.compile(r"ED25519-V3:[A-Za-z0-9+/]{86}==")
_ADDRESS = re.compile(r"[a-z2-7]{56}\.onion")
PUBLISH_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class OnionService:
    address: str  # "<56 chars>.onion"
    key: str  # "ED25519-V3:<base64>", a secret

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def __repr__(self) -> str:  # never the key
        return f"OnionService(address={self.address!r})"


def derive_key(secret: bytes) -> str:
    """A stable onion key from a 32-byte secret the vault keeps (the embedded relay's
    database key): the address of `hasteh up --onion` stays the same across runs, and
    nothing but the vault can make it. Tor takes the *expanded* Ed25519 secret key (RFC 8032
    §5.1.5: SHA-512 of the seed, the first half clamped)."""
    if len(secret) < 32:
        raise ValueError("an onion key needs a 32-byte secret")
    seed = hmac.new(secret, b"hasteh onion relay key v1", hashlib.sha256).digest()
    expanded = bytearray(hashlib.sha512(seed).digest())
    expanded[0] &= 248
    expanded[31] &= 127
    expanded[31] |= 64
    return "ED25519-V3:" + base64.b64encode(bytes(expanded)).decode("ascii")


def valid_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def valid_address(address: str) -> bool:
    return _ADDRESS.fullmatch(address) is not None


def publish(
    controller: Any,
    target_port: int,
    *,
    key: str | None = None,
    virtual_port: int = 80,
    target: str | None = None,
    timeout: float = PUBLISH_TIMEOUT,
) -> OnionService:
    """Publish 127.0.0.1:`target_port` (or `target`, e.g. "unix:/path") as an onion
    service on port `virtual_port` and wait until its descriptor is uploaded; a new key
    when `key` is None. Raises `OnionFailed`."""
    from stem import ControllerError, Timeout

    if key is not None and not valid_key(key):
        raise ValueError("not an ED25519-V3 onion key")
    kind, content = key.split(":", 1) if key else ("NEW", "ED25519-V3")
    try:
        answer = controller.create_ephemeral_hidden_service(
            {virtual_port: target or f"127.0.0.1:{target_port}"},
            key_type=kind,
            key_content=content,
            await_publication=True,
            timeout=timeout,
        )
    except (ControllerError, Timeout):
        raise OnionFailed() from None
    address = f"{answer.service_id}.onion"
    if not valid_address(address):
        raise OnionFailed()
    new_key = key or f"{answer.private_key_type}:{answer.private_key}"
    return OnionService(address, new_key)


def withdraw(controller: Any, service: OnionService) -> None:
    """Remove the service (DEL_ONION); closing the control connection does it too."""
    from stem import ControllerError

    try:
        controller.remove_ephemeral_hidden_service(service.address.removesuffix(".onion"))
    except ControllerError:
        return
