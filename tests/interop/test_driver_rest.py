"""hasteh's driver beyond the spec's table: external joins, external proposals and new
signature keys (RFC 9420 §12.1.2, §12.1.8, §12.4.3.2), driven in-process."""

from __future__ import annotations

import base64
from typing import Any

from hasteh.mls.interop import InteropDriver

from ..mls.group_helpers import NOW, DetRng


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Client:
    def __init__(self) -> None:
        self.driver = InteropDriver(DetRng("driver"), lambda: NOW)
        self.n = 0

    def __call__(self, op: str, **args: Any) -> dict[str, Any]:
        self.n += 1
        out = self.driver.handle({"id": self.n, "op": op, **args})
        assert out["ok"], out
        return out


def agree(c: Client, *states: int) -> None:
    auths = {c("state_auth", state=s)["epoch_authenticator"] for s in states}
    assert len(auths) == 1


def group_of_two(c: Client, **extra: Any) -> tuple[int, int]:
    alice = c("create_group", group_id=b64(b"g"), suite=1, identity=b64(b"alice"), **extra)
    kp = c("create_key_package", suite=1, identity=b64(b"bob"))
    out = c("commit", state=alice["state"], add=[kp["key_package"]])
    c("handle_pending_commit", state=alice["state"])
    bob = c("join_group", tx=kp["tx"], welcome=out["welcome"], ratchet_tree=None)
    return alice["state"], bob["state"]


def test_external_join_and_resync() -> None:
    c = Client()
    alice, bob = group_of_two(c)
    info = c("group_info", state=alice, external_tree=True)
    carol = c(
        "external_join",
        identity=b64(b"carol"),
        group_info=info["group_info"],
        ratchet_tree=info["ratchet_tree"],
    )
    for s in (alice, bob):
        c("handle_commit", state=s, proposals=[], commit=carol["commit"])
    agree(c, alice, bob, carol["state"])
    info = c("group_info", state=alice, external_tree=False)
    carol2 = c(
        "external_join",
        identity=b64(b"carol"),
        group_info=info["group_info"],
        ratchet_tree=None,
        resync=True,
    )
    for s in (alice, bob):
        c("handle_commit", state=s, proposals=[], commit=carol2["commit"])
    removed = c("handle_commit", state=carol["state"], proposals=[], commit=carol2["commit"])
    assert removed["removed"] is True
    agree(c, alice, bob, carol2["state"])


def test_external_signer_proposal() -> None:
    c = Client()
    signer = c("create_external_signer", suite=1, identity=b64(b"ds"))
    alice, bob = group_of_two(c, external_senders=[signer["external_sender"]])
    epoch_proposal = c(
        "external_signer_proposal",
        signer=signer["signer"],
        sender_index=0,
        group_id=b64(b"g"),
        epoch=1,
        removed_leaf=1,
    )
    out = c("commit", state=alice, by_reference=[epoch_proposal["proposal"]])
    c("handle_pending_commit", state=alice)
    assert c(
        "handle_commit", state=bob, proposals=[epoch_proposal["proposal"]], commit=out["commit"]
    )["removed"]


def test_update_and_commit_with_new_signature_keys() -> None:
    c = Client()
    alice, bob = group_of_two(c)
    update = c("update_proposal", state=bob, new_signature_key=True)
    out = c("commit", state=alice, by_reference=[update["proposal"]])
    c("handle_pending_commit", state=alice)
    c("handle_commit", state=bob, proposals=[], commit=out["commit"])
    agree(c, alice, bob)
    out = c("commit", state=bob, force_path=True, new_signature_key=True)
    c("handle_pending_commit", state=bob)
    c("handle_commit", state=alice, proposals=[], commit=out["commit"])
    agree(c, alice, bob)
    msg = c("protect", state=bob, authenticated_data="", plaintext=b64(b"hi"))
    assert c("unprotect", state=alice, ciphertext=msg["ciphertext"])["plaintext"] == b64(b"hi")
